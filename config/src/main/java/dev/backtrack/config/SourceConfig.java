package dev.backtrack.config;

import java.time.Duration;
import java.util.List;

/** Where changes are captured from. {@code password} is never printed (see {@link #toString()}). */
public record SourceConfig(String url, String user, String password, List<String> tablesInclude,
                           List<String> tablesExclude, String slot, String publication, String captureDdl,
                           Duration heartbeatInterval) {

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
        return colon < 0 ? 5432 : Integer.parseInt(hostPort.substring(colon + 1));
    }

    @Override
    public String toString() {
        return "SourceConfig[url=" + url + ", user=" + user + ", password=" + (password.isEmpty() ? "" : "***")
                + ", slot=" + slot + ", publication=" + publication + "]";
    }
}
