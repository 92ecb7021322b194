package dev.backtrack.connectors.postgres;

import dev.backtrack.config.JdbcUrl;
import dev.backtrack.connectors.SourceException;
import java.security.cert.CertificateException;
import java.sql.SQLException;
import javax.net.ssl.SSLException;

/** Turns JDBC connection failures into one line that names the problem and the fix. */
public final class ConnectionErrors {
    private ConnectionErrors() {}

    public static SourceException describe(String role, String url, String user, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String where = url.replaceFirst("\\?.*$", "");
        String tls = tls(role, where, e, "sslrootcert");
        String m = String.valueOf(e.getMessage());
        String line = tls != null
                ? tls
                : switch (state) {
                    case "28P01", "28000" ->
                        m.contains("no encryption")
                                ? role + " " + where + " accepts only TLS connections (" + firstLine(e)
                                        + "): add sslmode=verify-full&sslrootcert=/path/ca.pem to the URL"
                                : m.contains("client certificate")
                                        ? role + " " + where + " wants a client certificate from user '" + user + "' ("
                                                + firstLine(e)
                                                + "): add sslkey=/path/client.p12&sslpassword=... (or sslcert "
                                                + "and sslkey) to the URL"
                                        : role + " " + where + " rejected user '" + user
                                                + "': check the user and password (" + firstLine(e) + ")";
                    case "3D000" -> role + " database in " + where + " does not exist: create it or fix the URL";
                    case "08001", "08004", "08006" ->
                        m.startsWith("Could not open SSL") || m.startsWith("Could not read SSL")
                                ? "cannot connect to the " + role + " at " + where + " over TLS (" + firstLine(e)
                                        + "): check the sslrootcert, sslcert and sslkey paths in the URL"
                                : "cannot reach the " + role + " at " + where
                                        + ": check the host and port and that PostgreSQL is running (" + firstLine(e)
                                        + ")";
                    default -> "cannot connect to the " + role + " at " + where + ": " + firstLine(e);
                };
        return new SourceException(line, e);
    }

    /**
     * One line for a failed TLS check of the server (its certificate not signed by the given CA, or not
     * naming the host), or null when {@code e} is no such failure.
     *
     * @param caParameter the URL parameter that names the CA: sslrootcert or serverSslCert
     */
    public static String tls(String role, String where, Throwable e, String caParameter) {
        String m = String.valueOf(e.getMessage());
        String prefix = "the " + role + " at " + JdbcUrl.masked(where) + " failed TLS verification: ";
        if (m.contains("could not be verified by hostnameverifier")) {
            return prefix + "its certificate does not name the host in the URL (" + firstLine(m)
                    + "): connect with a host name the certificate names (its subjectAltName), or reissue the "
                    + "certificate for this host";
        }
        if (m.contains("Self signed certificate")) {
            return prefix + "no CA certificate to check the server's against: add " + caParameter
                    + "=/path/ca.pem to the URL";
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException || t instanceof CertificateException) {
                String reason = firstLine(String.valueOf(t.getMessage()));
                if (reason.contains("certification path") || reason.contains("PKIX")) {
                    return prefix + "its certificate is not signed by the CA in " + caParameter
                            + " (unable to find a valid certification path): set " + caParameter
                            + " to the CA certificate (PEM) that signed the server's";
                }
                if (reason.contains("correspond to certificate")
                        || reason.contains("subject alternative")
                        || reason.contains("identity")) {
                    return prefix + "its certificate does not name the host in the URL (" + reason
                            + "): connect with a host name the certificate names (its subjectAltName), or "
                            + "reissue the certificate for this host";
                }
                return prefix + reason + ": check " + caParameter + " and the server's certificate";
            }
        }
        return null;
    }

    private static String firstLine(SQLException e) {
        return firstLine(String.valueOf(e.getMessage()));
    }

    private static String firstLine(String m) {
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
