package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Unavailable;
import dev.backtrack.repository.redolog.LogCursor;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every common CRM column type, NULLs, TOAST and keyless tables come back exactly. */
class TypeFidelityTest {
    private static final List<String> TABLES = List.of("public.every_type", "crm.keyless_feed");

    @Test
    void restoresEveryCommonTypeUntouchedToastAndAKeylessTableExactly(@TempDir Path dir) throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_types", dir)) {
            try (Connection c = f.connect();
                    Statement st = c.createStatement()) {
                st.execute("CREATE TYPE mood AS ENUM ('happy', 'sad', 'it''s complicated')");
                st.execute("CREATE SCHEMA crm");
                st.execute("""
                        CREATE TABLE every_type (id bigserial PRIMARY KEY, i int, s smallint, n numeric(12,4), \
                        n_free numeric,
                          t text, v varchar(20), b boolean, d date, ts timestamp, ts3 timestamp(3), tstz timestamptz,
                          u uuid, j json, jb jsonb, tags text[], nums int[], bin bytea, m mood, moods mood[], \
                        f4 real, f8 double precision,
                          big_text text, tm time, "Ünïcode col" text, dflt int DEFAULT 7, dts timestamptz \
                        DEFAULT now())""");
                st.execute("CREATE TABLE crm.keyless_feed (who text, what text, at timestamptz, payload jsonb)");
                st.execute("ALTER TABLE crm.keyless_feed REPLICA IDENTITY FULL");
                st.execute("INSERT INTO every_type (i) VALUES (NULL)");
                // NULL in columns with a default stays NULL (Connect's Struct.get would hand back the default)
                st.execute("INSERT INTO every_type (i, dflt, dts) VALUES (1, NULL, NULL)");
                insertRows(st, "before");
            }
            f.startAgent();
            try (Connection c = f.connect();
                    Statement st = c.createStatement()) {
                insertRows(st, "after");
                st.execute("INSERT INTO every_type (i, dflt, dts) VALUES (2, NULL, NULL)");
                // an update that leaves the TOASTed column alone: Debezium sends a placeholder for big_text
                st.execute(
                        "UPDATE every_type SET i = i - 1, tags = array_append(tags, 'upd') WHERE big_text IS NOT NULL");
                st.execute("UPDATE every_type SET n = -0.0001, f8 = 'NaN', f4 = '-Infinity' WHERE id % 2 = 0");
                st.execute("DELETE FROM every_type WHERE id = 3");
                st.execute("TRUNCATE crm.keyless_feed");
                st.execute("INSERT INTO crm.keyless_feed VALUES ('bob', 'call', '2026-01-01 00:00:00+00', NULL), "
                        + "('bob', 'call', '2026-01-01 00:00:00+00', NULL)");
                st.execute("INSERT INTO crm.keyless_feed VALUES ('ann', 'call', now(), '{\"a\":1}'), ('ann', "
                        + "'call', now(), '{\"a\":1}')");
                st.execute("UPDATE crm.keyless_feed SET what = 'email' WHERE ctid = (SELECT ctid FROM "
                        + "crm.keyless_feed WHERE who = 'bob' LIMIT 1)");
                st.execute("DELETE FROM crm.keyless_feed WHERE ctid = (SELECT ctid FROM crm.keyless_feed WHERE "
                        + "who = 'ann' LIMIT 1)");
            }
            f.awaitLogged();
            f.stopAgent();
            assertTrue(
                    logCarriesAnUnavailableValue(f),
                    "the untouched-TOAST update did not reach the log as a placeholder, so this test proves nothing");
            String expected = f.checksums(f.database, TABLES).toString();
            f.restore("latest", "crm_types_restored");
            assertEquals(expected, f.checksums("crm_types_restored", TABLES).toString());
            assertEquals(
                    "2",
                    f.cluster.queryOne(
                            "crm_types_restored",
                            "SELECT count(*) FROM every_type WHERE dflt IS NULL AND dts IS NULL AND i IN (1, 2)"),
                    "NULLs in columns with a default");
            try (Connection c = f.cluster.connect("crm_types_restored");
                    Statement st = c.createStatement()) {
                // sequences were set: the next insert does not collide with restored ids
                st.execute("INSERT INTO every_type (i) VALUES (42)");
                var rs = st.executeQuery(
                        "SELECT count(*) FROM every_type WHERE big_text LIKE '%__debezium_unavailable_value%'");
                rs.next();
                assertEquals(0, rs.getLong(1), "a TOAST placeholder reached the target");
                rs = st.executeQuery("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                        + "'every_type'::regclass AND attname = 'n'");
                rs.next();
                assertEquals("numeric(12,4)", rs.getString(1));
            }
        }
    }

    /**
     * Whether a row in the log holds an unchanged TOAST value's placeholder (which proves an untouched-TOAST update was
     * captured).
     */
    static boolean logCarriesAnUnavailableValue(CaptureFixture f) {
        try (LogCursor cursor = Repository.open(f.repository).readLog(1)) {
            while (cursor.hasNext()) {
                for (RowChange c : cursor.next().changes()) {
                    if (c.after() != null && Arrays.asList(c.after()).contains(Unavailable.VALUE)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static void insertRows(Statement st, String tag) throws Exception {
        st.execute("""
                INSERT INTO every_type (i, s, n, n_free, t, v, b, d, ts, ts3, tstz, u, j, jb, tags, nums, bin, \
                m, moods, f4, f8, big_text, tm, "Ünïcode col")
                VALUES (2147483647, -32768, 12345678.1234, 123456789012345678901234567890.000000000000000001, \
                'tab\there\nnewline \\\\ backslash',
                  'zoë', true, '1999-12-31', '2026-11-24 10:31:06.123456', '2026-11-24 10:31:06.123', \
                '2026-11-24 10:31:06.654321+02',
                  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"k": "v",  "k": "dup"}', '{"nested": {"x": [1, 2, null]}}',
                  ARRAY['a', NULL, 'with "quotes"', 'with,comma', ''], ARRAY[1, NULL, -3], '\\x00ff10', 'it''s \
                complicated',
                  ARRAY['happy', 'sad']::mood[], 3.25, 1e300, (SELECT string_agg(md5(g::text), '') FROM \
                generate_series(1, 400) g),
                  '23:59:59.999999', 'ünï ' || '""" + tag + """
                '),
                  (NULL, NULL, NULL, 'NaN', '', NULL, false, '0001-01-01', '1970-01-01 00:00:00', NULL, \
                '1969-12-31 23:59:59.999999+00',
                  NULL, NULL, '[]', '{}', NULL, NULL, NULL, NULL, NULL, 'Infinity', NULL, '00:00:00', NULL)""");
        st.execute("INSERT INTO crm.keyless_feed VALUES ('bob', 'call', '2026-01-01 00:00:00+00', NULL), ('bob', "
                + "'call', '2026-01-01 00:00:00+00', NULL), ('eve', NULL, NULL, '{\"deep\": [true]}')");
    }
}
