package dev.backtrack.connectors.target;

import dev.backtrack.connectors.SourceException;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Unavailable;
import dev.backtrack.repository.schema.TableSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the engines' change appliers share: running a statement, and the migration's state table,
 * whose SQL is each engine's own. Not thread-safe.
 */
public abstract class JdbcChanges implements ChangeApplier {
    protected final Connection connection;
    private final String create;
    private final String exists;
    private final String upsert;
    private final String select;

    /**
     * @param create DDL that creates the state table when missing
     * @param exists a query whose one value is true (or non-zero) when the table exists
     * @param upsert INSERT of (name, value) that replaces the value of an existing name
     */
    protected JdbcChanges(Connection connection, String table, String create, String exists, String upsert) {
        this.connection = connection;
        this.create = create;
        this.exists = exists;
        this.upsert = upsert;
        this.select = "SELECT name, value FROM " + table;
    }

    /** Inserts (or replaces) the row, updates the row {@code before} keys, deletes the row {@code before} keys. */
    @Override
    public void apply(TableSchema t, RowChange change) {
        switch (change.op()) {
            case INSERT -> insert(t, change.after());
            case UPDATE -> update(t, change.before() != null ? change.before() : change.after(), change.after());
            case DELETE -> delete(t, change.before());
            case TRUNCATE -> execute("DELETE FROM " + sqlName(t));
            default -> throw new IllegalArgumentException("not a row change: " + change.op());
        }
    }

    protected abstract void insert(TableSchema t, Object[] after);

    /** @param before the row image that keys the row (the after image when the source sent no before image) */
    protected abstract void update(TableSchema t, Object[] before, Object[] after);

    protected abstract void delete(TableSchema t, Object[] before);

    /** The table as this engine's SQL names it. */
    protected abstract String sqlName(TableSchema t);

    /** Columns a change writes: not generated, and not an unchanged TOAST value (the target holds it already). */
    protected static List<Integer> loaded(TableSchema t, Object[] row) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < t.columns().size(); i++) {
            if (t.columns().get(i).generated() == null && !(row[i] instanceof Unavailable)) {
                out.add(i);
            }
        }
        return out;
    }

    @Override
    public void execute(String statement) {
        try (Statement st = connection.createStatement()) {
            st.execute(statement);
        } catch (SQLException e) {
            throw new SourceException(
                    "the target refused " + statement.split("\n")[0] + ": "
                            + String.valueOf(e.getMessage()).split("\n")[0],
                    e);
        }
    }

    @Override
    public void prepareState() {
        execute(create);
    }

    @Override
    public Map<String, String> state() {
        Map<String, String> out = new LinkedHashMap<>();
        try (Statement st = connection.createStatement()) {
            try (ResultSet rs = st.executeQuery(exists)) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return out;
                }
            }
            try (ResultSet rs = st.executeQuery(select)) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        } catch (SQLException e) {
            throw new SourceException("cannot read the migration state in the target: " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public void saveState(Map<String, String> state) {
        try (PreparedStatement ps = connection.prepareStatement(upsert)) {
            for (Map.Entry<String, String> e : state.entrySet()) {
                ps.setString(1, e.getKey());
                ps.setString(2, e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw new SourceException("cannot save the migration state in the target: " + e.getMessage(), e);
        }
    }
}
