package dev.backtrack.connectors.target;

import dev.backtrack.connectors.SourceException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A table's rows as text both engines agree on, keyed by the key columns' text: numbers without
 * trailing zeros, booleans 1/0, bytes in hex, times in UTC without zone or trailing zeros, char(n)
 * without padding. What migration validation (and the tests) compare, source against target.
 * Holds a whole table in memory. Thread-safe (stateless).
 */
public final class TableContents {
    private static final DateTimeFormatter WALL_CLOCK = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSSSS");

    private TableContents() {}

    /**
     * @param sqlName     the table as the connection's engine names it
     * @param keyColumns  columns whose values key a row (every column for a table without a key);
     *                    rows with equal keys are numbered so none is lost
     */
    public static SortedMap<String, String> read(Connection c, String sqlName, List<String> keyColumns) {
        SortedMap<String, String> rows = new TreeMap<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT * FROM " + sqlName)) {
            ResultSetMetaData md = rs.getMetaData();
            int[] key = new int[keyColumns.size()];
            for (int k = 0; k < key.length; k++) {
                key[k] = -1;
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    if (md.getColumnLabel(i).equals(keyColumns.get(k))) {
                        key[k] = i;
                    }
                }
            }
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                String[] values = new String[md.getColumnCount() + 1];
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    values[i] = canonical(rs, md, i);
                    row.append(i == 1 ? "" : " | ")
                            .append(md.getColumnLabel(i))
                            .append('=')
                            .append(values[i]);
                }
                StringBuilder k = new StringBuilder("(");
                for (int j = 0; j < key.length; j++) {
                    k.append(j == 0 ? "" : ", ")
                            .append(keyColumns.get(j))
                            .append('=')
                            .append(key[j] < 0 ? "?" : values[key[j]]);
                }
                String name = k.append(')').toString();
                String at = name;
                for (int n = 2; rows.containsKey(at); n++) {
                    at = name + "#" + n;
                }
                rows.put(at, row.toString());
            }
        } catch (SQLException e) {
            throw new SourceException(
                    "cannot read " + sqlName + " to compare it: "
                            + String.valueOf(e.getMessage()).split("\n")[0],
                    e);
        }
        return rows;
    }

    /** One value in the form both engines agree on. */
    public static String canonical(ResultSet rs, ResultSetMetaData md, int i) throws SQLException {
        String type = md.getColumnTypeName(i).toLowerCase(Locale.ROOT);
        Object v = rs.getObject(i);
        if (v == null) {
            return "NULL";
        }
        if (type.equals("year")) {
            return rs.getString(i).substring(0, 4);
        }
        if (type.contains("time") || type.contains("date")) {
            // MariaDB Connector/J 3.5 spells DATETIME(3) .015 as ".15000" in getString: its Timestamp is right
            String s = v instanceof Timestamp ts && !type.equals("timestamptz")
                    ? WALL_CLOCK.format(ts.toLocalDateTime())
                    : rs.getString(i)
                            .replace('T', ' ')
                            .replaceAll("\\+00(:00)?$", "")
                            .replaceAll("Z$", "");
            return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
        }
        if (v instanceof Boolean b) {
            return b ? "1" : "0";
        }
        // MariaDB's BIT(n) bytes and PostgreSQL's bit(n) text, compared as the number they spell
        if ((type.equals("bit") || type.equals("varbit")) && !(v instanceof Boolean)) {
            return v instanceof byte[] b
                    ? new BigInteger(1, b).toString()
                    : new BigInteger(rs.getString(i), 2).toString();
        }
        // MariaDB's spatial values (SRID and WKB) and PostGIS's (EWKB hex), compared as EWKB
        if (type.equals("geometry") && !(v instanceof byte[])) {
            return rs.getString(i).toLowerCase(Locale.ROOT);
        }
        if (v instanceof byte[] b && PostgisTypes.spatial(type)) {
            return PostgisTypes.ewkb(b);
        }
        if (v instanceof byte[] b) {
            return HexFormat.of().formatHex(b);
        }
        if (v instanceof Float || v instanceof Double) {
            return Double.toString(((Number) v).doubleValue());
        }
        if (v instanceof Number n) {
            return new BigDecimal(n.toString()).stripTrailingZeros().toPlainString();
        }
        if (type.equals("bpchar")) {
            return rs.getString(i).replaceAll(" +$", "");
        }
        return rs.getString(i);
    }
}
