package dev.backtrack.connectors.target;

import dev.backtrack.connectors.postgres.SourceException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
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

    @Override
    public void execute(String statement) {
        try (Statement st = connection.createStatement()) {
            st.execute(statement);
        } catch (SQLException e) {
            throw new SourceException("the target refused " + statement.split("\n")[0] + ": " + String.valueOf(e.getMessage()).split("\n")[0], e);
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
