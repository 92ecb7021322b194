package dev.backtrack.connectors.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** MariaDB default expressions as PostgreSQL computes the same value; the rest has no spelling here. */
class DefaultExpressionsTest {

    @Test
    void mapsTheExpressionsACrmUses() {
        assertEquals("(gen_random_uuid())::text", DefaultExpressions.postgres("uuid()"));
        assertEquals(
                "json_build_object('source','web','score',0)",
                DefaultExpressions.postgres("json_object('source','web','score',0)"));
        assertEquals("json_build_object()", DefaultExpressions.postgres("(json_object())"));
        assertEquals("(CURRENT_DATE + 30)", DefaultExpressions.postgres("(curdate() + interval 30 day)"));
        assertEquals("(CURRENT_DATE - 1)", DefaultExpressions.postgres("current_date - INTERVAL 1 DAY"));
    }

    @Test
    void leavesEveryOtherExpressionToTheCallersRefusal() {
        assertNull(DefaultExpressions.postgres("curdate() + interval 1 month"));
        assertNull(DefaultExpressions.postgres("json_object('at', now())"));
        assertNull(DefaultExpressions.postgres("concat('a', 'b')"));
        assertNull(DefaultExpressions.postgres("(uuid()) || 'x'"));
    }
}
