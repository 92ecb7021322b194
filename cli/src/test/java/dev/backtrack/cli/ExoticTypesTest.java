package dev.backtrack.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Types the connector cannot represent travel as PostgreSQL's own text; the ones it does not stream are refused by name. */
class ExoticTypesTest {

    @Test
    void geometricTypesAndBitStringsRestoreExactlyFromTheSnapshotAndTheStream(@TempDir Path dir) throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_exotic", dir)) {
            f.cluster.execute(f.database, """
                    CREATE TABLE shapes (id int PRIMARY KEY, pt point, bx box, poly polygon, circ circle, ln line, seg lseg, pth path,
                      flags bit(3), flag bit(1), bits varbit, many_flags bit(3)[], xml_doc xml, words tsvector, r int4range, span tstzrange)""");
            String row = """
                    (%d, '(1,2)', '((0,0),(1,1))', '((0,0),(1,1),(1,0))', '<(1,1),2>', '{1,-1,0}', '[(0,0),(1,1)]', '((0,0),(1,1),(2,0))',
                     B'101', B'1', B'1101', ARRAY[B'101', B'010'], '<a>x</a>', 'a fat cat', '[1,5)', '[2026-01-01 00:00+00,2026-02-01 00:00+00)')""";
            f.cluster.execute(f.database, "INSERT INTO shapes VALUES " + row.formatted(1) + ", (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
            f.startAgent();
            f.cluster.execute(f.database, "INSERT INTO shapes VALUES " + row.formatted(3));
            f.cluster.execute(f.database, "UPDATE shapes SET flags = B'011', pt = '(-1.5,2e-3)', bits = B'' WHERE id = 1");
            f.assertLatestRestoreEquals("crm_exotic_restored", "public.shapes", "id");
        }
    }

    @Test
    void aTypeTheConnectorDoesNotStreamIsRefusedByNameBeforeCapture(@TempDir Path dir) throws Exception {
        // not closed: the agent stopped at its start, so there is nothing to stop
        CaptureFixture f = new CaptureFixture("crm_unstreamed", dir);
        f.cluster.execute(f.database, "CREATE DOMAIN search_query AS tsquery");
        f.cluster.execute(f.database, "CREATE TABLE searches (id int PRIMARY KEY, q search_query, at pg_lsn[], opens timetz)");
        AssertionError e = assertThrows(AssertionError.class, f::startAgent);
        assertTrue(e.getMessage().contains("public.searches.q (search_query)") && e.getMessage().contains("public.searches.at (pg_lsn[])")
                && e.getMessage().contains("public.searches.opens (time with time zone)")
                && e.getMessage().contains("source.tables-exclude"), e.getMessage());
        assertTrue(java.nio.file.Files.notExists(f.repository.resolve("log")), "nothing was captured");
    }
}
