package dev.backtrack.agent;

import dev.backtrack.config.BacktrackConfig;
import dev.backtrack.config.SourceConfig;
import dev.backtrack.connectors.mariadb.MariaDbCatalog;
import dev.backtrack.connectors.postgres.PostgresCatalog;
import java.io.PrintStream;

/** The capture side of the engine a configuration's source URL names: the one place that lists them. */
final class SourceEngines {
    private SourceEngines() {}

    static SourceEngine connect(BacktrackConfig config, PrintStream out) {
        SourceConfig s = config.source();
        return switch (s.engine()) {
            case POSTGRESQL ->
                new PostgresEngine(PostgresCatalog.connect(s.url(), s.user(), s.password()), config, out);
            case MARIADB, MYSQL ->
                new MariaDbEngine(
                        MariaDbCatalog.connect(s.url(), s.user(), s.password(), s.database(), s.engine()), config);
        };
    }
}
