package dev.backtrack.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.capture.mariadb.MariaDbSettings;
import dev.backtrack.config.BacktrackConfig;
import dev.backtrack.config.SourceConfig;
import dev.backtrack.config.TableFilter;
import dev.backtrack.connectors.SourceCatalog;
import dev.backtrack.connectors.SourceException;
import dev.backtrack.connectors.mariadb.MariaDbCatalog;
import dev.backtrack.connectors.mariadb.MariaDbObjects;
import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.history.SourceHistory;
import dev.backtrack.repository.objects.ObjectSet;
import dev.backtrack.repository.position.BinlogPosition;
import dev.backtrack.repository.position.Positions;
import dev.backtrack.repository.schema.TableSchema;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;

/**
 * Capture from MariaDB or MySQL: the binary log, table definitions from its schema change events and
 * the server's catalog, and views, routines, triggers and events read again after each DDL.
 */
final class MariaDbEngine implements SourceEngine {
    private final MariaDbCatalog catalog;
    private final SourceConfig source;
    private final Path repository;
    /** The current capture run's DDL handling (the finished snapshot's definitions come from it). */
    private BinlogEvents events;

    MariaDbEngine(MariaDbCatalog catalog, BacktrackConfig config) {
        this.catalog = catalog;
        this.source = config.source();
        this.repository = config.repository().path();
    }

    @Override
    public SourceCatalog catalog() {
        return catalog;
    }

    @Override
    public void check() {}

    @Override
    public void prepare() {}

    /** The binlog file the offset names was purged from the source. */
    @Override
    public String lostStream(String offsetJson) {
        String file;
        try {
            file = new ObjectMapper()
                    .readTree(offsetJson.isEmpty() ? "{}" : offsetJson)
                    .path("file")
                    .asText("");
        } catch (JsonProcessingException e) {
            throw new RepositoryException(
                    "the source offset stored in " + repository + " is not JSON: run 'backtrack verify'", e);
        }
        return file.isEmpty() || catalog.binlogFiles().contains(file)
                ? null
                : "binlog file " + file + " was purged from the source before the agent read all of it";
    }

    /** The stream's schema history (in the repository) knows the tables already. */
    @Override
    public void resume(List<String> tables, TableVersions versions, long nextSequence) {}

    @Override
    public List<TableSchema> beforeSnapshot(List<String> tables, TableVersions versions, long nextSequence) {
        // the snapshot records the connector's schema history anew, and announces each table before its rows
        SourceHistory.clear(repository);
        return List.of();
    }

    @Override
    public String objectsCapture() {
        return MariaDbObjects.BY_BINLOG;
    }

    /** The binlog position the snapshot is consistent with: every later transaction's events lie after it. */
    @Override
    public SnapshotEnd snapshotEnd(Map<String, ?> snapshotOffset, ObjectSet objectsAtStart) {
        if (snapshotOffset == null) {
            throw new SourceException("the snapshot ended without a binlog position: restart the agent");
        }
        Map<String, Object> offset = new LinkedHashMap<>(snapshotOffset);
        offset.remove("snapshot");
        return new SnapshotEnd(
                BinlogPosition.of(snapshotOffset),
                Positions.binlogText(snapshotOffset),
                offset,
                events.atSnapshotEnd(objectsAtStart));
    }

    /** The statement Debezium's DDL parser failed on (its start), or null for any other failure. */
    @Override
    public String unreadableDdl(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getClass().getName().equals("io.debezium.text.ParsingException")) {
                String m = String.valueOf(c.getMessage());
                int at = m.indexOf("statement '");
                String statement =
                        at < 0 ? m : m.substring(at + "statement '".length()).replaceAll("'\\s*$", "");
                statement = statement.replaceAll("\\s+", " ");
                return statement.length() > 160 ? statement.substring(0, 160) + "..." : statement;
            }
        }
        return null;
    }

    @Override
    public Properties settings(List<String> tables, Path repositoryPath, String offsetStore, int maxBatchSize) {
        return MariaDbSettings.of(source, tables, repositoryPath, offsetStore, maxBatchSize);
    }

    @Override
    public SideWork sideWork(CaptureStatus status) {
        return SideWork.NONE;
    }

    @Override
    public ChangeStream stream(
            TransactionAssembler assembler, TableVersions versions, CaptureConsumer.SnapshotPhase snapshot) {
        events = new BinlogEvents(catalog, versions, capturedTables(source));
        return new BinlogStream(events, assembler, snapshot);
    }

    /** Whether a qualified table name is one the configuration captures (also tables created later). */
    static Predicate<String> capturedTables(SourceConfig source) {
        TableFilter selected = TableFilter.of(source.tablesInclude(), source.tablesExclude());
        String prefix = source.database() + ".";
        return name -> name.startsWith(prefix) && selected.test(name);
    }

    @Override
    public void close() {
        catalog.close();
    }
}
