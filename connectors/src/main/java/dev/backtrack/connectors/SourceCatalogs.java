package dev.backtrack.connectors;

import dev.backtrack.config.Engine;
import dev.backtrack.config.SourceConfig;
import dev.backtrack.connectors.mariadb.MariaDbCatalog;
import dev.backtrack.connectors.postgres.PostgresCatalog;

/** Opens the catalog of the source a configuration names, by its URL's engine. */
public final class SourceCatalogs {
    private SourceCatalogs() {}

    public static SourceCatalog connect(SourceConfig source) {
        return source.engine() == Engine.POSTGRESQL
                ? PostgresCatalog.connect(source.url(), source.user(), source.password())
                : MariaDbCatalog.connect(
                        source.url(), source.user(), source.password(), source.database(), source.engine());
    }
}
