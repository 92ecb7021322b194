package dev.backtrack.bench;

import dev.backtrack.testkit.MariaDbServer;
import dev.backtrack.testkit.PostgresCluster;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whether a restored database holds the source's rows: per table the same count and row hash (MariaDB), or the same row
 * count (PostgreSQL).
 */
final class RowChecks {
    private RowChecks() {}

    /** Per table: same row count and same hash of every row's text as the source. */
    static Map<String, Boolean> sameAsSource(MariaDbServer my, MariaDbSource s, String db) {
        return sameTables(my, s, s.db, db);
    }

    /** Per table: the same count and row hash in two databases (the source's column list). */
    static Map<String, Boolean> sameTables(MariaDbServer my, MariaDbSource s, String a, String b) {
        Map<String, Boolean> same = new LinkedHashMap<>();
        for (String t : s.tables) {
            String name = t.substring(t.indexOf('.') + 1);
            try {
                same.put(name, tableHash(my, a, s.db, name).equals(tableHash(my, b, s.db, name)));
            } catch (RuntimeException e) {
                same.put(name, false);
            }
        }
        return same;
    }

    /** COUNT and BIT_XOR of CRC32 of every row's columns (as the source table names them). */
    private static String tableHash(MariaDbServer my, String db, String sourceDb, String table) {
        String cols = my.queryOne(
                sourceDb,
                "SELECT GROUP_CONCAT(CONCAT('COALESCE(`', COLUMN_NAME, '`, ''<null>'')') ORDER BY "
                        + "ORDINAL_POSITION SEPARATOR ', ')"
                        + " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '" + sourceDb + "' AND TABLE_NAME = '"
                        + table + "'");
        return my.queryOne(
                db,
                "SELECT CONCAT(COUNT(*), '/', COALESCE(BIT_XOR(CRC32(CONCAT_WS('|', " + cols + "))), 0)) FROM `" + table
                        + "`");
    }

    /**
     * Per table: the same row count in the PostgreSQL database {@code db} as {@code sourceRows} says the source has.
     */
    static Map<String, Boolean> samePgCounts(PostgresCluster pg, Map<String, Long> sourceRows, String db) {
        Map<String, Boolean> same = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : sourceRows.entrySet()) {
            String schema = pg.queryOne(
                    db,
                    "SELECT table_schema FROM information_schema.tables WHERE table_name = '" + e.getKey()
                            + "' AND table_schema NOT IN ('pg_catalog', 'information_schema') LIMIT 1");
            same.put(
                    e.getKey(),
                    schema != null
                            && Long.parseLong(pg.queryOne(
                                            db, "SELECT count(*)::text FROM \"" + schema + "\".\"" + e.getKey() + "\""))
                                    == e.getValue());
        }
        return same;
    }
}
