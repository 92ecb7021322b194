package dev.backtrack.testkit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Random;

/** Picks random existing rows and runs parameterized writes for the MariaDB CRM workload. Not thread-safe. */
final class MariaDbRandomRows {
    private final Connection c;
    private final Random random;

    MariaDbRandomRows(Connection c, Random random) {
        this.c = c;
        this.random = random;
    }

    /** A random existing key of {@code table}, or null when it is empty. */
    Long randomKey(String table, String column) throws SQLException {
        return randomKey(table, column, "TRUE");
    }

    /** A random key among the rows matching {@code where}, or null when none does. */
    Long randomKey(String table, String column, String where) throws SQLException {
        Long count = queryLong("SELECT COUNT(*) FROM " + table + " WHERE " + where);
        if (count == null || count == 0) {
            return null;
        }
        return queryLong("SELECT " + column + " FROM " + table + " WHERE " + where + " ORDER BY " + column
                + " LIMIT 1 OFFSET " + random.nextLong(count));
    }

    /** The first column of the first row as a number, or null when there is no row or it is NULL. */
    Long queryLong(String sql, Object... values) throws SQLException {
        try (PreparedStatement ps = prepare(sql, values);
                ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            long v = rs.getLong(1);
            return rs.wasNull() ? null : v;
        }
    }

    /** Runs a write; a null value is sent as SQL NULL. Returns the rows it changed. */
    int update(String sql, Object... values) throws SQLException {
        try (PreparedStatement ps = prepare(sql, values)) {
            return ps.executeUpdate();
        }
    }

    <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private PreparedStatement prepare(String sql, Object... values) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        try {
            for (int i = 0; i < values.length; i++) {
                if (values[i] == null) {
                    ps.setNull(i + 1, Types.VARCHAR);
                } else {
                    ps.setObject(i + 1, values[i]);
                }
            }
            return ps;
        } catch (SQLException e) {
            ps.close();
            throw e;
        }
    }
}
