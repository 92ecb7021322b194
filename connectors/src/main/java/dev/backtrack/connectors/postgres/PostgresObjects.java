package dev.backtrack.connectors.postgres;

import dev.backtrack.connectors.SourceException;
import dev.backtrack.repository.objects.ObjectDefinition;
import dev.backtrack.repository.objects.ObjectSet;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the definitions of every object of the captured schemas (object_definitions.sql): through
 * temporary functions on the agent's own connection, or installed in schema backtrack, where the DDL
 * event trigger runs them in each DDL's transaction. Thread-safe (stateless).
 */
public final class PostgresObjects {
    /** How definitions are followed: at each DDL's position, or read every heartbeat interval. */
    public static final String BY_TRIGGER = "event triggers";

    public static final String POLLED = "polled";
    private static final String SQL = PostgresCatalog.resource("object_definitions.sql");

    private PostgresObjects() {}

    /** The functions' SQL, installed in {@code schema} (backtrack, or pg_temp), for these table patterns. */
    static String functions(String schema, List<String> include, List<String> exclude) {
        return SQL.replace("${S}", schema)
                .replace("${INCLUDE}", DdlCapture.array(include))
                .replace("${EXCLUDE}", DdlCapture.array(exclude));
    }

    /** Makes the reading functions on this connection (temporary: they go with the session). */
    public static void install(Connection connection, List<String> include, List<String> exclude) {
        try (Statement st = connection.createStatement()) {
            st.execute(functions("pg_temp", include, exclude));
        } catch (SQLException e) {
            throw new SourceException(
                    "cannot read the source's object definitions (temporary functions refused: " + e.getMessage()
                            + "): grant the role TEMPORARY on the database",
                    e);
        }
    }

    /** Every definition now, as the connection's transaction sees it, through the functions {@link #install} made. */
    public static ObjectSet read(Connection connection) {
        List<ObjectDefinition> out = new ArrayList<>();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT def::text FROM pg_temp.object_definitions()")) {
            while (rs.next()) {
                out.add(ObjectSet.fromJson(rs.getBytes(1), "the source's catalog"));
            }
        } catch (SQLException e) {
            throw new SourceException("cannot read the source's object definitions: " + e.getMessage(), e);
        }
        return new ObjectSet(out);
    }
}
