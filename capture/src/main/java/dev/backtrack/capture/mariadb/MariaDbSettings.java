package dev.backtrack.capture.mariadb;

import dev.backtrack.capture.postgres.CaptureSettings;
import dev.backtrack.config.Engine;
import dev.backtrack.config.SourceConfig;
import dev.backtrack.connectors.SourceTls;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Debezium MariaDB (and MySQL) connector settings chosen so every value survives exactly (decimals
 * and unsigned bigints as text, microsecond times, raw bytes), whole transactions are marked, and
 * the schema history lives in the repository.
 */
public final class MariaDbSettings {
    private MariaDbSettings() {}

    public static Properties of(
            SourceConfig source, List<String> tables, Path repository, String offsetStoreClass, int maxBatchSize) {
        Properties p = CaptureSettings.common(source, repository, offsetStoreClass);
        p.putAll(CaptureSettings.resource("mariadb.properties"));
        p.setProperty(
                "connector.class",
                source.engine() == Engine.MYSQL
                        ? "io.debezium.connector.mysql.MySqlConnector"
                        : "io.debezium.connector.mariadb.MariaDbConnector");
        p.setProperty("database.server.id", Integer.toString(source.serverId()));
        SourceTls.binlog(source).forEach(p::setProperty);
        p.setProperty("database.include.list", Pattern.quote(source.database()));
        p.setProperty("table.include.list", tableFilter(source));
        p.setProperty(RepositorySchemaHistory.REPOSITORY, repository.toString());
        CaptureSettings.engineSettings(p, maxBatchSize);
        return p;
    }

    /**
     * The configured patterns, not today's tables: a table created later is captured from its CREATE
     * on. The connector takes an include or an exclude list, not both, so the excluded patterns become
     * a lookahead of each included one.
     */
    private static String tableFilter(SourceConfig source) {
        String excluded = source.tablesExclude().isEmpty()
                ? ""
                : "(?!(?:" + String.join(")$|(?:", source.tablesExclude()) + ")$)";
        List<String> included = source.tablesInclude().isEmpty()
                ? List.of(Pattern.quote(source.database()) + "\\..*")
                : source.tablesInclude();
        return included.stream().map(i -> excluded + "(?:" + i + ")").collect(Collectors.joining(","));
    }
}
