package dev.backtrack.connectors.mariadb;

import dev.backtrack.connectors.SourceException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * A target session that makes objects: each object's statements set the sql_mode and character set
 * it was made under, and the session's own are put back after them (read once, when this is made).
 * Not thread-safe (the target's connection).
 */
final class ObjectSession {
    private final Connection connection;
    private final String settings;

    ObjectSession(Connection connection) {
        this.connection = connection;
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT CONCAT('SET SESSION sql_mode = ''', @@sql_mode, ''', character_set_client = ', "
                                + "@@character_set_client,"
                                + " ', collation_connection = ', @@collation_connection)")) {
            rs.next();
            this.settings = rs.getString(1);
        } catch (SQLException e) {
            throw new SourceException(
                    "target query failed (" + MariaDbConnections.firstLine(e) + "): cannot read the session's sql_mode",
                    e);
        }
    }

    /** Runs an object's statements, then puts the session back; null when they ran, else why the target refused one. */
    String run(List<String> statements) {
        try (Statement st = connection.createStatement()) {
            try {
                for (String sql : statements) {
                    st.execute(sql);
                }
                return null;
            } catch (SQLException e) {
                return MariaDbConnections.firstLine(e);
            } finally {
                st.execute(settings);
            }
        } catch (SQLException e) {
            throw new SourceException(
                    "the target refused to set its session back (" + MariaDbConnections.firstLine(e) + ")", e);
        }
    }
}
