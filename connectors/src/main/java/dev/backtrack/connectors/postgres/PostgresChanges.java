package dev.backtrack.connectors.postgres;

import dev.backtrack.connectors.SourceException;
import dev.backtrack.connectors.target.JdbcChanges;
import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.TableSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Row changes as SQL on a PostgreSQL target: values travel as PostgreSQL text cast to the column's
 * type, the form COPY reads in a restore. Inserts are upserts on the key; a table without a key
 * changes one matching row. Not thread-safe.
 */
final class PostgresChanges extends JdbcChanges {
    private final Map<String, PreparedStatement> statements = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
            if (size() > 256) {
                close(eldest.getValue());
                return true;
            }
            return false;
        }
    };

    PostgresChanges(Connection connection) {
        super(
                connection,
                "public." + STATE_TABLE,
                "CREATE TABLE IF NOT EXISTS public." + STATE_TABLE + " (name text PRIMARY KEY, value text NOT NULL)",
                "SELECT to_regclass('public." + STATE_TABLE + "') IS NOT NULL",
                "INSERT INTO public." + STATE_TABLE
                        + " (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value");
        // the restore's ON UPDATE triggers leave the source's values as the log has them
        execute("SET backtrack.applying = 'on'");
    }

    /**
     * As PostgreSQL's own logical replication applies changes: foreign key actions and ordinary triggers do not fire.
     */
    @Override
    public String asReplica() {
        try (Statement st = connection.createStatement()) {
            st.execute("SET session_replication_role = replica");
            return null;
        } catch (SQLException e) {
            return "the target user may not SET session_replication_role ("
                    + String.valueOf(e.getMessage()).split("\n")[0]
                    + "): a foreign key action on the target acts again on rows the log changes; migrate as a "
                    + "superuser";
        }
    }

    @Override
    protected String sqlName(TableSchema t) {
        return name(t);
    }

    @Override
    protected void insert(TableSchema t, Object[] after) {
        List<Integer> cols = loaded(t, after);
        StringBuilder sql = new StringBuilder("INSERT INTO ")
                .append(name(t))
                .append(" (")
                .append(cols.stream()
                        .map(i -> PostgresCatalog.quote(t.columns().get(i).name()))
                        .collect(Collectors.joining(", ")))
                .append(')')
                .append(alwaysIdentity(t) ? " OVERRIDING SYSTEM VALUE" : "")
                .append(" VALUES (")
                .append(cols.stream()
                        .map(i -> "?::" + t.columns().get(i).type())
                        .collect(Collectors.joining(", ")))
                .append(')');
        if (!t.primaryKey().isEmpty()) {
            sql.append(" ON CONFLICT (")
                    .append(t.primaryKey().stream().map(PostgresCatalog::quote).collect(Collectors.joining(", ")))
                    .append(") DO ");
            List<Integer> rest = cols.stream()
                    .filter(i -> !t.primaryKey().contains(t.columns().get(i).name()))
                    .toList();
            sql.append(
                    rest.isEmpty()
                            ? "NOTHING"
                            : "UPDATE SET "
                                    + rest.stream()
                                            .map(i -> PostgresCatalog.quote(
                                                            t.columns().get(i).name()) + " = EXCLUDED."
                                                    + PostgresCatalog.quote(
                                                            t.columns().get(i).name()))
                                            .collect(Collectors.joining(", ")));
        }
        run(t, sql.toString(), cols, after, List.of(), null);
    }

    /** A GENERATED ALWAYS identity column takes the source's values only when the insert says it overrides it. */
    private static boolean alwaysIdentity(TableSchema t) {
        return t.columns().stream().anyMatch(c -> "always".equals(c.identity()));
    }

    @Override
    protected void update(TableSchema t, Object[] before, Object[] after) {
        // a GENERATED ALWAYS identity column can only be updated to DEFAULT: its value never changes at the source
        // either
        List<Integer> cols = loaded(t, after).stream()
                .filter(i -> !"always".equals(t.columns().get(i).identity()))
                .toList();
        int[] key = t.keyColumns();
        String where = where(t, key);
        String sql = "UPDATE " + name(t) + " SET "
                + cols.stream()
                        .map(i -> PostgresCatalog.quote(t.columns().get(i).name()) + " = ?::"
                                + t.columns().get(i).type())
                        .collect(Collectors.joining(", "))
                + (t.primaryKey().isEmpty()
                        ? " WHERE ctid = (SELECT ctid FROM " + name(t) + " WHERE " + where + " LIMIT 1)"
                        : " WHERE " + where);
        run(t, sql, cols, after, keyList(key), before);
    }

    @Override
    protected void delete(TableSchema t, Object[] before) {
        int[] key = t.keyColumns();
        String where = where(t, key);
        String sql = "DELETE FROM " + name(t)
                + (t.primaryKey().isEmpty()
                        ? " WHERE ctid = (SELECT ctid FROM " + name(t) + " WHERE " + where + " LIMIT 1)"
                        : " WHERE " + where);
        run(t, sql, List.of(), null, keyList(key), before);
    }

    private static String where(TableSchema t, int[] key) {
        List<String> parts = new ArrayList<>();
        for (int k : key) {
            Column c = t.columns().get(k);
            parts.add(PostgresCatalog.quote(c.name()) + " IS NOT DISTINCT FROM ?::" + c.type());
        }
        return String.join(" AND ", parts);
    }

    private static List<Integer> keyList(int[] key) {
        List<Integer> out = new ArrayList<>();
        for (int k : key) {
            out.add(k);
        }
        return out;
    }

    private void run(
            TableSchema t,
            String sql,
            List<Integer> setColumns,
            Object[] setRow,
            List<Integer> keyColumns,
            Object[] keyRow) {
        try {
            PreparedStatement ps = statements.get(sql);
            if (ps == null) {
                ps = connection.prepareStatement(sql);
                statements.put(sql, ps);
            }
            int p = 1;
            for (int i : setColumns) {
                bind(ps, p++, CopyText.typeOf(t, t.columns().get(i)), setRow[i]);
            }
            for (int i : keyColumns) {
                bind(ps, p++, CopyText.typeOf(t, t.columns().get(i)), keyRow[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            // the server's detail names the row (Key (id)=(7) ...): on the same line
            throw new SourceException(
                    "applying a change to " + t.qualifiedName() + " failed: "
                            + String.valueOf(e.getMessage()).strip().replaceAll("\\s*\n\\s*", "; "),
                    e);
        }
    }

    /** @param type the column's type, a domain's base type in its place */
    private static void bind(PreparedStatement ps, int index, String type, Object v) throws SQLException {
        if (v == null) {
            ps.setNull(index, Types.VARCHAR);
            return;
        }
        boolean array = type.endsWith("[]");
        ps.setString(
                index,
                array && v instanceof String s
                        ? s
                        : CopyText.text(v, CopyText.kindOf(array ? type.substring(0, type.length() - 2) : type)));
    }

    private static String name(TableSchema t) {
        return PostgresCatalog.quote(t.schema()) + "." + PostgresCatalog.quote(t.table());
    }

    private static void close(PreparedStatement ps) {
        try {
            ps.close();
        } catch (SQLException ignored) {
            // a statement of a broken connection: nothing to release
        }
    }
}
