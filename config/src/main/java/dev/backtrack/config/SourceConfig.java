package dev.backtrack.config;

import java.time.Duration;
import java.util.List;

/** Where changes are captured from. {@code password}, and URL parameters named like one, are never printed (see {@link #toString()}). */
public record SourceConfig(String url, String user, String password, List<String> tablesInclude,
                           List<String> tablesExclude, String slot, String publication, String captureDdl,
                           Duration heartbeatInterval, int serverId) {
    public static final String POSTGRESQL = "postgresql";
    public static final String MARIADB = "mariadb";
    public static final String MYSQL = "mysql";

    public SourceConfig(String url, String user, String password, List<String> tablesInclude, List<String> tablesExclude, String slot,
                        String publication, String captureDdl, Duration heartbeatInterval) {
        this(url, user, password, tablesInclude, tablesExclude, slot, publication, captureDdl, heartbeatInterval, 5401);
    }

    /** postgresql, mariadb or mysql from a JDBC URL; null for any other. */
    public static String engineOf(String url) {
        for (String e : List.of(POSTGRESQL, MARIADB, MYSQL)) {
            if (url.startsWith("jdbc:" + e + "://")) {
                return e;
            }
        }
        return null;
    }

    public String engine() {
        return engineOf(url);
    }

    /** The database name at the end of a JDBC URL, without parameters. */
    public String database() {
        String rest = url.substring(url.indexOf("//") + 2);
        int slash = rest.indexOf('/');
        if (slash < 0) {
            throw new ConfigException("source.url has no database name: add it, as in jdbc:postgresql://host:5432/crm");
        }
        String db = rest.substring(slash + 1);
        int q = db.indexOf('?');
        return q < 0 ? db : db.substring(0, q);
    }

    public String host() {
        String rest = url.substring(url.indexOf("//") + 2);
        String hostPort = rest.substring(0, rest.indexOf('/') < 0 ? rest.length() : rest.indexOf('/'));
        int colon = hostPort.lastIndexOf(':');
        return colon < 0 ? hostPort : hostPort.substring(0, colon);
    }

    public int port() {
        String rest = url.substring(url.indexOf("//") + 2);
        String hostPort = rest.substring(0, rest.indexOf('/') < 0 ? rest.length() : rest.indexOf('/'));
        int colon = hostPort.lastIndexOf(':');
        return colon < 0 ? (POSTGRESQL.equals(engine()) ? 5432 : 3306) : Integer.parseInt(hostPort.substring(colon + 1));
    }

    @Override
    public String toString() {
        return "SourceConfig[url=" + JdbcUrl.masked(url) + ", user=" + user + ", password=" + (password.isEmpty() ? "" : "***")
                + ", slot=" + slot + ", publication=" + publication + ", serverId=" + serverId + "]";
    }
}
