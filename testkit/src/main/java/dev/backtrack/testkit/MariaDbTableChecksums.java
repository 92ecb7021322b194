package dev.backtrack.testkit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every base table of a MariaDB database as a row count and an MD5 over its rows, so a restore, MariaDB's
 * own point-in-time recovery and the source at an instant can be compared with {@code assertEquals}.
 * Each value is formatted by the server ({@code CAST(... AS CHAR)} in UTC), binary strings and geometries
 * (SRID included) as hex, BIT as binary digits; rows are sorted, so neither the storage order nor the
 * JDBC driver's formatting counts. Views are left out: they hold no rows of their own. Thread-safe (no state).
 */
public final class MariaDbTableChecksums {
    private static final Set<String> HEX = Set.of(
            "binary",
            "varbinary",
            "tinyblob",
            "blob",
            "mediumblob",
            "longblob",
            "geometry",
            "point",
            "linestring",
            "polygon",
            "multipoint",
            "multilinestring",
            "multipolygon",
            "geometrycollection");

    private MariaDbTableChecksums() {}

    /** A table's row count and the MD5 of its column names and sorted rows. */
    public record TableChecksum(long rows, String md5) {
        @Override
        public String toString() {
            return rows + " rows, md5 " + md5;
        }
    }

    /** Every base table of the connection's current database, by name. */
    public static SortedMap<String, TableChecksum> of(Connection c) throws SQLException {
        SortedMap<String, TableChecksum> out = new TreeMap<>();
        for (String table : tables(c)) {
            out.put(table, checksum(columns(c, table), rows(c, table)));
        }
        return out;
    }

    /** The same for {@code database} on {@code server}. */
    public static SortedMap<String, TableChecksum> of(MariaDbServer server, String database) throws SQLException {
        try (Connection c = server.connect(database)) {
            return of(c);
        }
    }

    /**
     * A table's rows, each as its values in column order, length-prefixed ({@code N} for NULL, {@code V<length>:<text>}
     * otherwise), sorted. The session's time zone is UTC while they are read, and set back after.
     */
    public static List<String> rows(Connection c, String table) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            String zone = one(st, "SELECT @@session.time_zone");
            // TIMESTAMP values print in the session's time zone
            st.execute("SET time_zone = '+00:00'");
            try (ResultSet rs =
                    st.executeQuery("SELECT " + String.join(", ", expressions(c, table)) + " FROM " + quote(table))) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= n; i++) {
                        String v = rs.getString(i);
                        row.append(v == null ? "N" : "V" + v.length() + ":" + v).append(' ');
                    }
                    rows.add(row.toString());
                }
            } finally {
                st.execute("SET time_zone = '" + zone.replace("'", "''") + "'");
            }
        }
        rows.sort(null);
        return rows;
    }

    /** For a failure message: the tables only in one map and those whose checksums differ. */
    public static String diff(Map<String, TableChecksum> a, Map<String, TableChecksum> b) {
        Set<String> names = new TreeSet<>(a.keySet());
        names.addAll(b.keySet());
        StringBuilder out = new StringBuilder();
        for (String name : names) {
            TableChecksum l = a.get(name);
            TableChecksum r = b.get(name);
            if (l == null || r == null || !l.equals(r)) {
                out.append(name)
                        .append(": A ")
                        .append(l == null ? "none" : l)
                        .append(", B ")
                        .append(r == null ? "none" : r)
                        .append('\n');
            }
        }
        return out.isEmpty() ? "no differences" : out.toString();
    }

    private static TableChecksum checksum(List<String> columns, List<String> rows) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update((String.join(",", columns) + "\n").getBytes(StandardCharsets.UTF_8));
            for (String row : rows) {
                md5.update((row + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return new TableChecksum(rows.size(), HexFormat.of().formatHex(md5.digest()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no MD5", e);
        }
    }

    private static List<String> tables(Connection c) throws SQLException {
        return strings(
                c,
                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
                        + "TABLE_TYPE = 'BASE TABLE' ORDER BY 1");
    }

    private static List<String> columns(Connection c, String table) throws SQLException {
        return strings(
                c,
                "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
                        + "TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
                table);
    }

    /** One server-side text expression per column, in column order. */
    private static List<String> expressions(Connection c, String table) throws SQLException {
        List<String> out = new ArrayList<>();
        String sql = "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                + "AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String column = quote(rs.getString(1));
                    String type = rs.getString(2).toLowerCase(Locale.ROOT);
                    out.add(
                            HEX.contains(type)
                                    ? "HEX(" + column + ")"
                                    : type.equals("bit")
                                            ? "BIN(" + column + ")"
                                            : "CAST(" + column + " AS CHAR CHARACTER SET utf8mb4)");
                }
            }
        }
        return out;
    }

    private static List<String> strings(Connection c, String sql, String... params) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static String one(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }
}
