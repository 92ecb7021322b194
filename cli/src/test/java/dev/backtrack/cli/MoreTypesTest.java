package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Types beyond the common CRM set: times, intervals, money, network types, domains, arrays of dates. */
class MoreTypesTest {
    private static final List<String> TABLES = List.of("public.more_types");

    @Test
    void restoresTimesIntervalsMoneyNetworkTypesDomainsAndTypedArraysExactly(@TempDir Path dir) throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_more_types", dir)) {
            try (Connection c = f.connect();
                    Statement st = c.createStatement()) {
                st.execute("CREATE DOMAIN email AS text CHECK (VALUE ~ '@')");
                st.execute("""
                        CREATE TABLE more_types (id smallserial PRIMARY KEY, big bigserial, t time, t3 \
                        time(3), iv interval,
                          m money, ip inet, net cidr, mac macaddr, e email, c char(5), vc varchar(3), dates \
                        date[], stamps timestamptz[],
                          uuids uuid[], nums numeric[], f8 float8, f4 float4, js jsonb[], nf numeric)""");
                insert(st);
            }
            f.startAgent();
            try (Connection c = f.connect();
                    Statement st = c.createStatement()) {
                insert(st);
                st.execute("UPDATE more_types SET iv = iv * 2, m = m + 1::money, t = t + interval '1 second' "
                        + "WHERE id % 2 = 1");
            }
            f.awaitLogged();
            f.stopAgent();
            String expected = f.checksums(f.database, TABLES).toString();
            f.restore("latest", "crm_more_types_restored");
            assertEquals(
                    expected,
                    f.checksums("crm_more_types_restored", TABLES).toString(),
                    () -> f.differingKeys(f.database, "crm_more_types_restored", "public.more_types", "id"));
        }
    }

    @Test
    void restoresTimeEdgesInfinityBcDatesAndLargeValuesExactly(@TempDir Path dir) throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_time_edges", dir)) {
            f.cluster.execute(
                    f.database,
                    "CREATE TABLE edges (id int PRIMARY KEY, d date, ts timestamp, tstz timestamptz, big text, "
                            + "blob bytea, grid int[])");
            f.startAgent();
            f.cluster.execute(f.database, """
                    INSERT INTO edges VALUES
                    (1, 'infinity', 'infinity', '-infinity', NULL, NULL, NULL),
                    (2, '0044-03-15 BC', '0001-01-01 00:00:00', '1999-12-31 23:59:59.999999+00', repeat('x', \
                    10 * 1024 * 1024), NULL, NULL),
                    (3, '2026-11-24', '2026-11-24 10:31:06.000001', '2026-11-24 10:31:06.000001+05:30', NULL,
                     (SELECT string_agg(decode(md5(g::text), 'hex'), '') FROM generate_series(1, 65536) g), NULL),
                    (4, NULL, NULL, NULL, NULL, NULL, '{1,NULL,3}'),
                    (5, NULL, NULL, NULL, NULL, NULL, '{{1,2},{3,4}}'),
                    (6, NULL, NULL, NULL, NULL, NULL, '[0:2]={7,8,9}'),
                    (7, NULL, NULL, NULL, NULL, NULL, '{{{1,NULL},{3,4}},{{5,6},{7,8}}}'),
                    (8, NULL, NULL, NULL, NULL, NULL, '{NULL,NULL}'),
                    (9, NULL, NULL, NULL, NULL, NULL, '{}')""");
            // an update that leaves a TOASTed two-dimensional array untouched
            f.cluster.execute(
                    f.database,
                    "INSERT INTO edges (id, grid) SELECT 10, array_agg(ARRAY[g, -g]) FROM generate_series(1, "
                            + "100000) g");
            f.cluster.execute(f.database, "UPDATE edges SET d = '2026-11-24' WHERE id = 10");
            f.assertLatestRestoreEquals("crm_time_edges_restored", "public.edges", "id");
        }
    }

    private static void insert(Statement st) throws Exception {
        st.execute("""
                INSERT INTO more_types (t, t3, iv, m, ip, net, mac, e, c, vc, dates, stamps, uuids, nums, f8, \
                f4, js, nf) VALUES
                ('23:59:59.999999', '12:00:00.123', '1 year 2 months 3 days 04:05:06.789', 1234.56, '192.168.1.1/24',
                 '10.0.0.0/8', '08:00:2b:01:02:03', 'a@b.c', 'ab', 'xyz', ARRAY['2026-01-31', NULL, \
                '1999-12-31']::date[],
                 ARRAY['2026-11-24 10:31:06.123456+00', '1970-01-01 00:00:00+00']::timestamptz[],
                 ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']::uuid[], ARRAY[1.5, NULL, \
                -0.000001]::numeric[], -0.0, 1e-30,
                 ARRAY['{"a": 1}', '[]']::jsonb[], 1e-40),
                ('00:00:00', NULL, '-3 days -00:00:01', -5.00, '::1', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff', \
                'x@y', NULL, '',
                 '{}', NULL, NULL, NULL, 'Infinity', 'NaN', NULL, 123456789012345678901234567890.123456789)""");
    }
}
