package dev.backtrack.connectors.target;

import dev.backtrack.config.Engine;
import dev.backtrack.config.JdbcUrl;
import dev.backtrack.connectors.mariadb.MariaDbTarget;
import dev.backtrack.connectors.postgres.PostgresTarget;

/** Opens the target a JDBC URL names, behind the type map when its engine is not the source's. */
public final class Targets {
    private Targets() {}

    /**
     * Refuses a URL of an engine Backtrack cannot restore into, or with a TLS mode its driver does not know, before
     * anything is read.
     */
    public static void check(String url) {
        if (!url.startsWith("jdbc:postgresql://")
                && !url.startsWith("jdbc:mariadb://")
                && !url.startsWith("jdbc:mysql://")) {
            throw new IllegalArgumentException("--target-url '" + JdbcUrl.masked(url)
                    + "' is not supported: use a PostgreSQL, MariaDB or MySQL URL such as"
                    + " jdbc:postgresql://127.0.0.1:5432/crm_restored or jdbc:mariadb://127.0.0.1:3306/crm_restored");
        }
        JdbcUrl.tlsMode(url, "--target-url");
    }

    public static TargetDatabase connect(String url, String user, String password, Engine sourceEngine) {
        check(url);
        TargetDatabase db = url.startsWith("jdbc:postgresql://")
                ? PostgresTarget.connect(url, user, password)
                : MariaDbTarget.connect(url, user, password);
        return CrossEngine.of(sourceEngine, db);
    }
}
