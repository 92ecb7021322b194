package dev.backtrack.connectors.mariadb;

import dev.backtrack.config.JdbcUrl;
import dev.backtrack.connectors.SourceException;
import dev.backtrack.connectors.postgres.ConnectionErrors;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;

/**
 * Connections to MariaDB and MySQL through the MariaDB driver, and their failures in one line. Thread-safe (stateless).
 */
final class MariaDbConnections {
    private MariaDbConnections() {}

    /**
     * Connects to a {@code jdbc:mariadb://} or {@code jdbc:mysql://} URL (the MariaDB driver speaks to
     * both); a failure names the role ("source", "target"), the problem and the fix.
     */
    static Connection open(String url, String user, String password, String role, Map<String, String> properties) {
        Properties p = new Properties();
        if (user != null && !user.isEmpty()) {
            p.setProperty("user", user);
        }
        if (password != null && !password.isEmpty()) {
            p.setProperty("password", password);
        }
        p.setProperty("connectTimeout", "10000");
        properties.forEach(p::setProperty);
        String jdbc = url.startsWith("jdbc:mysql:") ? "jdbc:mariadb:" + url.substring("jdbc:mysql:".length()) : url;
        try {
            return DriverManager.getConnection(jdbc, p);
        } catch (SQLException e) {
            throw describe(role, url, user == null ? "" : user, e);
        }
    }

    private static SourceException describe(String role, String url, String user, SQLException e) {
        String where = where(url);
        String tls = ConnectionErrors.tls(role, where, e, "serverSslCert");
        String mode = mode(url);
        boolean plain = mode == null || mode.equals("disable");
        String line = tls != null
                ? tls
                : switch (e.getErrorCode()) {
                    // a server with require_secure_transport (or a user with REQUIRE SSL) answers a connection without
                    // TLS the same way
                    case 1045 ->
                        role + " " + where + " rejected user '" + user + "': check the user and password"
                                + (plain
                                        ? ", and if the server requires TLS add "
                                                + "sslMode=verify-full&serverSslCert=/path/ca.pem to the URL"
                                        : "")
                                + " (" + firstLine(e) + ")";
                    case 1049 ->
                        role + " database in " + where
                                + " does not exist: create it (CREATE DATABASE ...) or fix the URL";
                    case 1044 ->
                        "user '" + user + "' may not use the " + role + " database in " + where
                                + ": grant it, e.g. GRANT ALL ON crm_restored.* TO '" + user + "'";
                    default ->
                        e.getSQLState() != null && e.getSQLState().startsWith("08")
                                ? "cannot reach the " + role + " at " + where
                                        + ": check the host and port and that MariaDB/MySQL is running (" + firstLine(e)
                                        + ")"
                                : "cannot connect to the " + role + " at " + where + ": " + firstLine(e);
                };
        return new SourceException(line, e);
    }

    /** The TLS mode the URL asks for, or null (also when it is not valid: the driver's own error says so). */
    private static String mode(String url) {
        try {
            return JdbcUrl.tlsMode(url, "the URL");
        } catch (RuntimeException invalid) {
            return null;
        }
    }

    /** The URL without its parameters (which may hold a password). */
    static String where(String url) {
        return url.replaceFirst("\\?.*$", "");
    }

    /** The first line of the server's message, without the driver's {@code (conn=N)} prefix. */
    static String firstLine(SQLException e) {
        String m = String.valueOf(e.getMessage()).replaceFirst("^\\(conn=\\d+\\) ", "");
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
