package dev.backtrack.capture.postgres;

import dev.backtrack.config.SourceConfig;
import dev.backtrack.connectors.SourceTls;
import dev.backtrack.connectors.postgres.DdlCapture;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Debezium PostgreSQL connector settings chosen so every value survives the round trip exactly
 * (decimals as strings, microsecond times, raw bytes) and whole transactions are marked.
 */
public final class CaptureSettings {
    public static final String TOPIC_PREFIX = "backtrack";
    public static final String TRANSACTION_TOPIC = TOPIC_PREFIX + ".transaction";
    public static final String NOTIFICATION_TOPIC = TOPIC_PREFIX + ".notifications";
    public static final String HEARTBEAT_TOPIC_PREFIX = "__debezium-heartbeat";

    private CaptureSettings() {}

    /** Most bytes of change events the engine queues ahead of the agent. */
    public static final long QUEUE_BYTES = 8L << 20;

    /**
     * @param offsetStoreClass the engine's offset store; it is given the repository path as its
     *                         file name, since the log itself holds the offsets.
     */
    public static Properties of(
            SourceConfig source, List<String> tables, Path repository, String offsetStoreClass, int maxBatchSize) {
        return of(source, tables, List.of(), false, repository, offsetStoreClass, maxBatchSize);
    }

    /**
     * @param partitioned     of {@code tables}, the partitioned ones: never snapshotted or streamed (a
     *                        snapshot of one would read its partitions' rows again), their partitions are
     * @param followNewTables filter by the configured patterns rather than by today's tables, so a table
     *                        created later (and added to the publication by the DDL trigger) is captured too
     */
    public static Properties of(
            SourceConfig source,
            List<String> tables,
            List<String> partitioned,
            boolean followNewTables,
            Path repository,
            String offsetStoreClass,
            int maxBatchSize) {
        Properties p = common(source, repository, offsetStoreClass);
        p.putAll(resource("postgres.properties"));
        p.setProperty("database.dbname", source.database());
        SourceTls.postgres(source).forEach(p::setProperty);
        p.setProperty("slot.name", source.slot());
        p.setProperty("publication.name", source.publication());
        tableFilter(p, source, tables, partitioned, followNewTables);
        engineSettings(p, maxBatchSize);
        return p;
    }

    private static void tableFilter(
            Properties p, SourceConfig source, List<String> tables, List<String> partitioned, boolean followNewTables) {
        if (followNewTables) {
            if (!source.tablesInclude().isEmpty()) {
                p.setProperty("table.include.list", String.join(",", source.tablesInclude()));
            }
            List<String> exclude = new ArrayList<>(source.tablesExclude());
            exclude.add(Pattern.quote(DdlCapture.SCHEMA) + "\\..*");
            partitioned.stream().map(Pattern::quote).forEach(exclude::add);
            p.setProperty("table.exclude.list", String.join(",", exclude));
        } else {
            p.setProperty(
                    "table.include.list",
                    tables.stream()
                            .filter(t -> !partitioned.contains(t))
                            .map(Pattern::quote)
                            .collect(Collectors.joining(",")));
        }
    }

    /**
     * What every source engine's connector is given alike: where offsets go, the server and its
     * login, whole transactions marked, values in exact forms, failures that stop capture rather
     * than lose a value, heartbeats and notifications.
     */
    public static Properties common(SourceConfig source, Path repository, String offsetStoreClass) {
        Properties p = resource("connector.properties");
        p.setProperty("name", "backtrack-" + source.slot());
        p.setProperty("offset.storage", offsetStoreClass);
        p.setProperty("offset.storage.file.filename", repository.toString());
        p.setProperty("topic.prefix", TOPIC_PREFIX);
        p.setProperty("database.hostname", source.host());
        p.setProperty("database.port", Integer.toString(source.port()));
        p.setProperty("database.user", source.user());
        p.setProperty("database.password", source.password());
        p.setProperty(
                "heartbeat.interval.ms",
                Long.toString(source.heartbeatInterval().toMillis()));
        p.setProperty("notification.sink.topic.name", NOTIFICATION_TOPIC);
        return p;
    }

    /** The engine's batching by {@code maxBatchSize}; its retries and shutdown are in connector.properties. */
    public static void engineSettings(Properties p, int maxBatchSize) {
        p.setProperty("max.batch.size", Integer.toString(maxBatchSize));
        p.setProperty("max.queue.size", Integer.toString(Math.max(8192, maxBatchSize * 4)));
        // bounds the engine's queue by size too, so rows of megabytes each cannot fill the heap before the agent
        // spills them
        p.setProperty("max.queue.size.in.bytes", Long.toString(QUEUE_BYTES));
    }

    /** The settings file {@code name} beside this module's classes (dev/backtrack/capture/). */
    public static Properties resource(String name) {
        Properties p = new Properties();
        try (InputStream in = CaptureSettings.class.getResourceAsStream("/dev/backtrack/capture/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the build lost its resource dev/backtrack/capture/" + name);
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
