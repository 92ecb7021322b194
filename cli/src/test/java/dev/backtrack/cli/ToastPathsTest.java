package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.connectors.postgres.PostgresTarget;
import dev.backtrack.recovery.Progress;
import dev.backtrack.recovery.Restore;
import dev.backtrack.recovery.RestoreTarget;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.model.Unavailable;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Updates that leave out-of-line (TOASTed) values untouched, on every update path: REPLICA IDENTITY
 * DEFAULT and FULL, with and without a primary key; text, jsonb, one- and two-dimensional arrays;
 * rows from the checkpoint and rows from the log; plus a stored generated column.
 */
class ToastPathsTest {
    private static final List<String> TABLES = List.of("public.by_key", "public.by_key_full", "public.keyless_full");
    /** Values of ~60 KB that do not compress below the TOAST threshold. */
    private static final String BIG_TEXT =
            "(SELECT string_agg(md5(g::text || %s), '') FROM generate_series(1, 2000) g)";

    private static final String BIG_JSON =
            "(SELECT jsonb_object_agg('k' || g, md5(g::text || %s)) FROM generate_series(1, 1500) g)";
    private static final String BIG_TAGS = "(SELECT array_agg(md5(g::text || %s)) FROM generate_series(1, 1500) g)";
    private static final String BIG_GRID = "(SELECT array_agg(ARRAY[g, g * %s]) FROM generate_series(1, 8000) g)";

    @Test
    void untouchedToastedValuesAreRestoredOnEveryUpdatePath(@TempDir Path dir) throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_toast", dir)) {
            try (Statement st = f.connect().createStatement()) {
                for (String t : List.of("by_key", "by_key_full")) {
                    st.execute("CREATE TABLE " + t
                            + " (id int PRIMARY KEY, n int, note text, doc jsonb, tags text[], grid int[], "
                            + "note_length int GENERATED ALWAYS AS (length(note)) STORED)");
                }
                st.execute("ALTER TABLE by_key_full REPLICA IDENTITY FULL");
                st.execute("CREATE TABLE keyless_full (n int, note text, doc jsonb, tags text[])");
                st.execute("ALTER TABLE keyless_full REPLICA IDENTITY FULL");
                insert(st, 1, 3);
            }
            f.startAgent();
            try (Statement st = f.connect().createStatement()) {
                insert(st, 4, 6);
                for (String t : TABLES) {
                    // the untouched big columns arrive as the connector's placeholder
                    st.execute("UPDATE " + t + " SET n = n + 100");
                    st.execute("UPDATE " + t + " SET n = n + 1000 WHERE n % 2 = 0");
                }
                st.execute("DELETE FROM keyless_full WHERE n = 1102");
            }
            f.awaitLogged();
            f.stopAgent();
            // under REPLICA IDENTITY DEFAULT the untouched values arrive as placeholders; PostgreSQL 15 sends them
            // whole
            // for FULL tables (from the old tuple), so there the test proves the whole values land unchanged
            assertTrue(
                    tablesWithPlaceholders(f).contains("public.by_key"),
                    "no unchanged-TOAST placeholder reached the log, so this test proves nothing");
            String expected = f.checksums(f.database, TABLES).toString();
            f.restore("latest", "crm_toast_restored");
            assertEquals(
                    expected,
                    f.checksums("crm_toast_restored", TABLES).toString(),
                    () -> f.differingKeys(f.database, "crm_toast_restored", "public.by_key_full", "id")
                            + f.differingKeys(f.database, "crm_toast_restored", "public.keyless_full", "n"));
        }
    }

    @Test
    void restoredToastValuesUseLz4UnlessTheTargetConfiguredACompression(@TempDir Path dir) throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_toast_lz4", dir)) {
            try (Statement st = f.connect().createStatement()) {
                st.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)");
                // compressible and past the TOAST threshold, so the target compresses it with its method
                st.execute("INSERT INTO notes SELECT g, repeat('follow up with the customer ' || g, 400) FROM "
                        + "generate_series(1, 20) g");
            }
            f.startAgent();
            f.awaitLogged();
            f.stopAgent();
            String expected = f.checksums(f.database, List.of("public.notes")).toString();
            f.restore("latest", "crm_toast_lz4_default");
            assertEquals(
                    "lz4",
                    f.cluster.queryOne(
                            "crm_toast_lz4_default",
                            "SELECT string_agg(DISTINCT pg_column_compression(body), ',') FROM notes"));
            assertEquals(
                    expected,
                    f.checksums("crm_toast_lz4_default", List.of("public.notes"))
                            .toString());

            f.cluster.createDatabase("crm_toast_lz4_pglz");
            f.cluster.execute("postgres", "ALTER DATABASE crm_toast_lz4_pglz SET default_toast_compression = pglz");
            try (var target = PostgresTarget.connect(f.cluster.jdbcUrl("crm_toast_lz4_pglz"), "postgres", "")) {
                new Restore(Repository.open(f.repository), Progress.NONE)
                        .run(RestoreTarget.parse("latest", null), target);
            }
            assertEquals(
                    "pglz",
                    f.cluster.queryOne(
                            "crm_toast_lz4_pglz",
                            "SELECT string_agg(DISTINCT pg_column_compression(body), ',') FROM notes"));
            assertEquals(
                    expected,
                    f.checksums("crm_toast_lz4_pglz", List.of("public.notes")).toString());
        }
    }

    private static Set<String> tablesWithPlaceholders(CaptureFixture f) {
        Set<String> out = new TreeSet<>();
        var schemas = Repository.open(f.repository).schemas();
        try (var cursor = Repository.open(f.repository).readLog(1)) {
            while (cursor.hasNext()) {
                for (var c : cursor.next().changes()) {
                    if (c.after() != null && Arrays.asList(c.after()).contains(Unavailable.VALUE)) {
                        out.add(schemas.get(c.schemaId()).qualifiedName());
                    }
                }
            }
        }
        return out;
    }

    private static void insert(Statement st, int from, int to) throws Exception {
        for (int i = from; i <= to; i++) {
            String values = i + ", " + i + ", " + BIG_TEXT.formatted(i) + ", " + BIG_JSON.formatted(i) + ", "
                    + BIG_TAGS.formatted(i);
            st.execute("INSERT INTO by_key (id, n, note, doc, tags, grid) VALUES (" + values + ", "
                    + BIG_GRID.formatted(i) + ")");
            st.execute("INSERT INTO by_key_full (id, n, note, doc, tags, grid) VALUES (" + values + ", "
                    + BIG_GRID.formatted(i) + ")");
            st.execute("INSERT INTO keyless_full (n, note, doc, tags) VALUES (" + i + ", " + BIG_TEXT.formatted(i)
                    + ", " + BIG_JSON.formatted(i) + ", " + BIG_TAGS.formatted(i) + ")");
        }
    }
}
