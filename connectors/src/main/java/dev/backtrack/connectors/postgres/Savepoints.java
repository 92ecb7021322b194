package dev.backtrack.connectors.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.List;

/** Statements run under a savepoint of the connection's open transaction. Thread-safe (stateless). */
final class Savepoints {
    private Savepoints() {
    }

    /**
     * Runs the statements, or none of them: returns null when all succeeded, else the server's message
     * for the one it refused (the transaction stays usable, rolled back to before the first).
     */
    static String run(Connection connection, List<String> statements) {
        if (statements.isEmpty()) {
            return null;
        }
        Savepoint sp;
        try {
            sp = connection.setSavepoint();
        } catch (SQLException e) {
            throw new SourceException("the target refused a savepoint: " + e.getMessage(), e);
        }
        try (Statement st = connection.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
            connection.releaseSavepoint(sp);
            return null;
        } catch (SQLException e) {
            try {
                connection.rollback(sp);
            } catch (SQLException lost) {
                throw new SourceException("the target could not roll back to a savepoint: " + lost.getMessage(), lost);
            }
            return e.getMessage().split("\n")[0];
        }
    }
}
