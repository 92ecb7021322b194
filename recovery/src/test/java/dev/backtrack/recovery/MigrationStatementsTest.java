package dev.backtrack.recovery;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which logged table statements a following migration leaves to cutover (triggers and rules are made then). */
class MigrationStatementsTest {

    @Test
    void triggerAndRuleStatementsWaitForCutover() {
        assertTrue(Migration.onCutoverKindsAlone("ALTER TABLE sales.invoice DISABLE TRIGGER invoice_audit"));
        assertTrue(
                Migration.onCutoverKindsAlone("alter table only sales.invoice enable always trigger invoice_audit;"));
        assertTrue(Migration.onCutoverKindsAlone("ALTER TABLE public.contact ENABLE REPLICA RULE r"));
        assertTrue(Migration.onCutoverKindsAlone(
                "CREATE OR REPLACE TRIGGER t AFTER INSERT ON a FOR EACH ROW EXECUTE FUNCTION f()"));
        assertTrue(Migration.onCutoverKindsAlone(
                "ALTER TRIGGER account_touch ON public.account RENAME TO account_set_updated_at"));
    }

    @Test
    void statementsThatChangeTheTableStillRun() {
        assertFalse(Migration.onCutoverKindsAlone(
                "ALTER TABLE sales.invoice DISABLE TRIGGER invoice_audit, ADD COLUMN note text"));
        assertFalse(Migration.onCutoverKindsAlone("ALTER TABLE public.contact ADD COLUMN phone text"));
        assertFalse(
                Migration.onCutoverKindsAlone("ALTER TABLE sales.invoice ADD CONSTRAINT trigger_ok CHECK (total > 0)"));
        assertFalse(Migration.onCutoverKindsAlone("ALTER TABLE sales.invoice DISABLE ROW LEVEL SECURITY"));
    }
}
