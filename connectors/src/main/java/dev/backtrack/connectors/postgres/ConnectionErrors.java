package dev.backtrack.connectors.postgres;

import java.sql.SQLException;

/** Turns JDBC connection failures into one line that names the problem and the fix. */
public final class ConnectionErrors {
    private ConnectionErrors() {
    }

    public static SourceException describe(String role, String url, String user, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String where = url.replaceFirst("\\?.*$", "");
        String line = switch (state) {
            case "28P01", "28000" -> role + " " + where + " rejected user '" + user + "': check the user and password (" + firstLine(e) + ")";
            case "3D000" -> role + " database in " + where + " does not exist: create it or fix the URL";
            case "08001", "08004", "08006" -> "cannot reach the " + role + " at " + where + ": check the host and port and that PostgreSQL is running (" + firstLine(e) + ")";
            default -> "cannot connect to the " + role + " at " + where + ": " + firstLine(e);
        };
        return new SourceException(line, e);
    }

    private static String firstLine(SQLException e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
