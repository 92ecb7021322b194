package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's status line gives its capture lag and how much WAL its slot holds on the source, and warns past
 * agent.wal-warning-mb.
 */
class SlotReportTest {

    @Test
    void theStatusLineReportsTheWalTheSlotHoldsAndWarnsPastTheThreshold(@TempDir Path dir) throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_slot_report", dir)) {
            f.withConfig("agent:\n  wal-warning-mb: 1\n");
            f.cluster.execute(f.database, "CREATE TABLE contacts (id int PRIMARY KEY, name text)");
            f.startAgent();
            // a captured change, so the connector has a lag to report
            f.cluster.execute(f.database, "INSERT INTO contacts VALUES (1, 'Ada')");
            // WAL the slot must keep until it confirms past it: more than the 1 MB threshold. Written all the time,
            // since the
            // heartbeat moves the slot on within a second of an idle moment, and the status line comes every 10 s
            f.cluster.execute(
                    f.database,
                    "CREATE TABLE IF NOT EXISTS bulk_elsewhere AS SELECT g, md5(g::text) FROM "
                            + "generate_series(1, 60000) g");
            for (int i = 0; i < 300 && !f.agentOutput.toString().contains("warning: slot crm_slot_report holds"); i++) {
                f.cluster.execute(
                        f.database,
                        "INSERT INTO bulk_elsewhere SELECT g, md5(g::text) FROM generate_series(1, 20000) g");
                Thread.sleep(50);
            }
            String out = f.agentOutput.toString();
            assertTrue(
                    out.matches("(?s).*slot crm_slot_report holds [0-9.]+ MB of WAL, [0-9.]+ MB not yet confirmed.*"),
                    out);
            assertTrue(
                    out.contains("warning: slot crm_slot_report holds") && out.contains("agent.wal-warning-mb 1"), out);
            assertTrue(out.matches("(?s).*last commit [0-9T:.Z-]+, capture lag [0-9]+\\.[0-9] s; slot .*"), out);
        }
    }
}
