package dev.backtrack.config;

import java.util.Locale;

/**
 * The database engines Backtrack captures from and restores into; {@link #id} is how configuration URLs and
 * repositories name them.
 */
public enum Engine {
    POSTGRESQL("postgresql", 5432),
    MARIADB("mariadb", 3306),
    MYSQL("mysql", 3306);

    private final String id;
    private final int defaultPort;

    Engine(String id, int defaultPort) {
        this.id = id;
        this.defaultPort = defaultPort;
    }

    public String id() {
        return id;
    }

    public int defaultPort() {
        return defaultPort;
    }

    /**
     * MariaDB and MySQL: changes come from the binary log, whose row events leave out what foreign key rules change.
     */
    public boolean binlog() {
        return this != POSTGRESQL;
    }

    /** The engine a JDBC URL names ({@code jdbc:postgresql://...}), or null for any other URL. */
    public static Engine ofUrl(String url) {
        for (Engine e : values()) {
            if (url.startsWith("jdbc:" + e.id + "://")) {
                return e;
            }
        }
        return null;
    }

    /** The engine named {@code id} (as a repository's root file stores it). */
    public static Engine of(String id) {
        for (Engine e : values()) {
            if (e.id.equals(id.toLowerCase(Locale.ROOT))) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown database engine '" + id + "': postgresql, mariadb or mysql");
    }

    @Override
    public String toString() {
        return id;
    }
}
