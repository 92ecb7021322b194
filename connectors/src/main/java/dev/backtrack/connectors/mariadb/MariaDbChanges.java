package dev.backtrack.connectors.mariadb;

import dev.backtrack.connectors.SourceException;
import dev.backtrack.connectors.target.JdbcChanges;
import dev.backtrack.repository.schema.TableSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Row changes as SQL on a MariaDB/MySQL target, values bound as a restore binds them. Inserts are
 * upserts (ON DUPLICATE KEY UPDATE); a table without a key changes one matching row (null-safe
 * {@code <=>}, LIMIT 1). Not thread-safe.
 */
final class MariaDbChanges extends JdbcChanges {
    private final Map<TableSchema, MariaDbValues> binders = new IdentityHashMap<>();

    MariaDbChanges(Connection connection) {
        super(
                connection,
                STATE_TABLE,
                "CREATE TABLE IF NOT EXISTS " + STATE_TABLE
                        + " (name varchar(64) PRIMARY KEY, value text NOT NULL) ENGINE=InnoDB",
                "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '"
                        + STATE_TABLE + "'",
                "INSERT INTO " + STATE_TABLE
                        + " (name, value) VALUES (?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value)");
    }

    /** Foreign key checks (and so cascades) off for the session; MariaDB has no replica mode for triggers. */
    @Override
    public String asReplica() {
        return foreignKeyChecks(0, "");
    }

    /** The restore's session runs with foreign key checks off; a binlog source's changes need its cascades. */
    @Override
    public String withForeignKeyRules() {
        return foreignKeyChecks(1, ": rows its foreign key rules change are not changed");
    }

    private String foreignKeyChecks(int on, String consequence) {
        try (Statement st = connection.createStatement()) {
            st.execute("SET foreign_key_checks = " + on);
            return null;
        } catch (SQLException e) {
            return "the target refused SET foreign_key_checks = " + on + " ("
                    + String.valueOf(e.getMessage()).split("\n")[0] + ")" + consequence;
        }
    }

    @Override
    protected String sqlName(TableSchema t) {
        return MariaDbTypes.ident(t.table());
    }

    @Override
    protected void insert(TableSchema t, Object[] after) {
        List<Integer> cols = loaded(t, after);
        String names = cols.stream()
                .map(i -> MariaDbTypes.ident(t.columns().get(i).name()))
                .collect(Collectors.joining(", "));
        String sql = "INSERT INTO " + MariaDbTypes.ident(t.table()) + " (" + names + ") VALUES ("
                + "?, ".repeat(Math.max(0, cols.size() - 1)) + "?)";
        if (!t.primaryKey().isEmpty()) {
            sql += " ON DUPLICATE KEY UPDATE "
                    + cols.stream()
                            .map(i -> MariaDbTypes.ident(t.columns().get(i).name()))
                            .map(q -> q + " = VALUES(" + q + ")")
                            .collect(Collectors.joining(", "));
        }
        run(t, sql, cols, after, new int[0], null);
    }

    @Override
    protected void update(TableSchema t, Object[] before, Object[] after) {
        List<Integer> cols = loaded(t, after);
        int[] key = t.keyColumns();
        String sql = "UPDATE " + MariaDbTypes.ident(t.table()) + " SET "
                + cols.stream()
                        .map(i -> MariaDbTypes.ident(t.columns().get(i).name()) + " = ?")
                        .collect(Collectors.joining(", "))
                + " WHERE " + where(t, key) + (t.primaryKey().isEmpty() ? " LIMIT 1" : "");
        run(t, sql, cols, after, key, before);
    }

    @Override
    protected void delete(TableSchema t, Object[] before) {
        int[] key = t.keyColumns();
        run(
                t,
                "DELETE FROM " + MariaDbTypes.ident(t.table()) + " WHERE " + where(t, key)
                        + (t.primaryKey().isEmpty() ? " LIMIT 1" : ""),
                List.of(),
                null,
                key,
                before);
    }

    private static String where(TableSchema t, int[] key) {
        List<String> parts = new ArrayList<>();
        for (int k : key) {
            parts.add(MariaDbTypes.ident(t.columns().get(k).name()) + " <=> ?");
        }
        return String.join(" AND ", parts);
    }

    private void run(
            TableSchema t, String sql, List<Integer> setColumns, Object[] setRow, int[] keyColumns, Object[] keyRow) {
        MariaDbValues values = binders.computeIfAbsent(t, s -> new MariaDbValues(s.columns()));
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            int p = 1;
            for (int i : setColumns) {
                values.bind(ps, p++, i, setRow[i]);
            }
            for (int i : keyColumns) {
                values.bind(ps, p++, i, keyRow[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new SourceException(
                    "applying a change to " + t.table() + " failed: "
                            + String.valueOf(e.getMessage()).split("\n")[0],
                    e);
        }
    }
}
