package dev.backtrack.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The parameters of a {@code jdbc:postgresql://}, {@code jdbc:mariadb://} or {@code jdbc:mysql://} URL
 * as its driver reads them, the TLS mode they ask for, and the URL as it may be printed (every
 * parameter whose name holds "password" masked). Thread-safe (stateless).
 */
public final class JdbcUrl {
    /** pgjdbc's {@code sslmode} values. */
    public static final List<String> POSTGRES_TLS_MODES =
            List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
    /** MariaDB Connector/J's {@code sslMode} values. */
    public static final List<String> MARIADB_TLS_MODES = List.of("disable", "trust", "verify-ca", "verify-full");
    // the other spellings Connector/J takes for each of MARIADB_TLS_MODES (export.SslMode)
    private static final List<List<String>> MARIADB_ALIASES = List.of(
            List.of("disabled", "0", "false"),
            List.of("required"),
            List.of("verify_ca"),
            List.of("verify_identity", "verify_full", "1", "true"));
    private static final Pattern SECRET = Pattern.compile("(?i)([?&][^=&]*password[^=&]*=)[^&]*");

    private JdbcUrl() {}

    /**
     * The URL's parameters in order. PostgreSQL's values are URL-decoded as pgjdbc decodes them; MariaDB's
     * are taken as written, as Connector/J takes them. A parameter without '=' has the value "".
     */
    public static Map<String, String> parameters(String url) {
        Map<String, String> out = new LinkedHashMap<>();
        int q = url.indexOf('?');
        if (q < 0) {
            return out;
        }
        boolean postgres = url.startsWith("jdbc:postgresql:");
        for (String pair : url.substring(q + 1).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(name, postgres ? URLDecoder.decode(value, StandardCharsets.UTF_8) : value);
        }
        return out;
    }

    /** One parameter's value, or null; MariaDB's names match in any case, as Connector/J matches them. */
    public static String parameter(String url, String name) {
        boolean postgres = url.startsWith("jdbc:postgresql:");
        for (Map.Entry<String, String> e : parameters(url).entrySet()) {
            if (postgres ? e.getKey().equals(name) : e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** The URL with the value of every parameter whose name holds "password" replaced by ***. */
    public static String masked(String url) {
        return url == null ? null : SECRET.matcher(url).replaceAll("$1***");
    }

    /**
     * The TLS mode the URL asks for, spelled as its driver documents it (PostgreSQL: one of
     * {@link #POSTGRES_TLS_MODES}; MariaDB/MySQL: one of {@link #MARIADB_TLS_MODES}), or null when it asks
     * for none (the driver's default). {@code what} names the URL in the error ({@code source.url}).
     *
     * @throws ConfigException when the mode is not one the driver knows
     */
    public static String tlsMode(String url, String what) {
        if (url.startsWith("jdbc:postgresql:")) {
            String mode = parameter(url, "sslmode");
            if (mode == null) {
                // pgjdbc: ssl=true (or a bare ssl) without sslmode means verify-full
                String ssl = parameter(url, "ssl");
                return ssl != null && (ssl.isEmpty() || ssl.equalsIgnoreCase("true")) ? "verify-full" : null;
            }
            for (String m : POSTGRES_TLS_MODES) {
                if (m.equalsIgnoreCase(mode)) {
                    return m;
                }
            }
            throw new ConfigException(what + " has sslmode=" + mode + ", which PostgreSQL does not know: use one of "
                    + String.join(", ", POSTGRES_TLS_MODES)
                    + " (verify-full with sslrootcert=/path/ca.pem checks the server's certificate and host name)");
        }
        Map<String, String> p = parameters(url);
        if (on(p, "useSsl") || on(p, "useSSL")) {
            // Connector/J's older spelling, which it lets override sslMode
            return on(p, "trustServerCertificate")
                    ? "trust"
                    : on(p, "disableSslHostnameVerification") ? "verify-ca" : "verify-full";
        }
        String mode = parameter(url, "sslMode");
        if (mode == null) {
            return null;
        }
        for (int i = 0; i < MARIADB_TLS_MODES.size(); i++) {
            if (MARIADB_TLS_MODES.get(i).equalsIgnoreCase(mode)
                    || MARIADB_ALIASES.get(i).stream().anyMatch(mode::equalsIgnoreCase)) {
                return MARIADB_TLS_MODES.get(i);
            }
        }
        throw new ConfigException(what + " has sslMode=" + mode
                + ", which the MariaDB driver does not know: use one of " + String.join(", ", MARIADB_TLS_MODES)
                + " (verify-full with serverSslCert=/path/ca.pem checks the server's certificate and host name)");
    }

    /** A legacy Connector/J flag as the driver reads it: named exactly, and 1, true or empty. */
    private static boolean on(Map<String, String> parameters, String name) {
        String v = parameters.get(name);
        return v != null && (v.isEmpty() || v.equals("1") || v.equals("true"));
    }
}
