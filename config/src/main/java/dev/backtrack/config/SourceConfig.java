package dev.backtrack.config;

import java.time.Duration;
import java.util.List;

/**
 * Where changes are captured from. {@code password}, and URL parameters named like one, are never printed (see {@link
 * #toString()}).
 */
public record SourceConfig(
        String url,
        String user,
        String password,
        List<String> tablesInclude,
        List<String> tablesExclude,
        String slot,
        String publication,
        String captureDdl,
        Duration heartbeatInterval,
        int serverId) {
    public SourceConfig(
            String url,
            String user,
            String password,
            List<String> tablesInclude,
            List<String> tablesExclude,
            String slot,
            String publication,
            String captureDdl,
            Duration heartbeatInterval) {
        this(url, user, password, tablesInclude, tablesExclude, slot, publication, captureDdl, heartbeatInterval, 5401);
    }

    public Engine engine() {
        return Engine.ofUrl(url);
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
        return colon < 0 ? engine().defaultPort() : Integer.parseInt(hostPort.substring(colon + 1));
    }

    @Override
    public String toString() {
        return "SourceConfig[url=" + JdbcUrl.masked(url) + ", user=" + user + ", password="
                + (password.isEmpty() ? "" : "***") + ", slot=" + slot + ", publication=" + publication + ", serverId="
                + serverId + "]";
    }
}
