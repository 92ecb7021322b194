package dev.backtrack.connectors.postgres;

import dev.backtrack.connectors.SourceException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Statements run under a savepoint of the connection's open transaction, in one round trip (the
 * driver sends a string of statements together): a restore makes hundreds of objects, and a round
 * trip each for the savepoint, every statement and the release took most of the time it spent on
 * them. Thread-safe (stateless).
 */
final class Savepoints {
    private static final String NAME = "backtrack_statements";

    private Savepoints() {}

    /**
     * Runs the statements, or none of them: returns null when all succeeded, else the server's message
     * for the one it refused (the transaction stays usable, rolled back to before the first).
     */
    static String run(Connection connection, List<String> statements) {
        if (statements.isEmpty()) {
            return null;
        }
        try (Statement st = connection.createStatement()) {
            try {
                st.execute(
                        "SAVEPOINT " + NAME + ";\n" + String.join(";\n", statements) + ";\nRELEASE SAVEPOINT " + NAME);
                return null;
            } catch (SQLException refused) {
                st.execute("ROLLBACK TO SAVEPOINT " + NAME + "; RELEASE SAVEPOINT " + NAME);
                return refused.getMessage().split("\n")[0];
            }
        } catch (SQLException e) {
            throw new SourceException("the target could not roll back to a savepoint: " + e.getMessage(), e);
        }
    }
}
