package dev.backtrack.agent;

import dev.backtrack.capture.postgres.CaptureSettings;
import dev.backtrack.config.BacktrackConfig;
import dev.backtrack.config.SourceConfig;
import dev.backtrack.connectors.SourceCatalog;
import dev.backtrack.connectors.SourceException;
import dev.backtrack.connectors.postgres.DdlCapture;
import dev.backtrack.connectors.postgres.PostgresCatalog;
import dev.backtrack.connectors.postgres.PostgresObjects;
import dev.backtrack.repository.objects.ObjectSet;
import dev.backtrack.repository.position.Lsn;
import dev.backtrack.repository.schema.TableSchema;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TimeZone;

/**
 * Capture from PostgreSQL: a replication slot and publication, table definitions followed by the
 * agent's DDL event triggers when the role may install them (else re-read when changes stop matching),
 * and sequence values written into the stream beside it.
 */
final class PostgresEngine implements SourceEngine {
    private final PostgresCatalog catalog;
    private final SourceConfig source;
    private final PrintStream out;
    /**
     * Whether the DDL event triggers are installed: configured and possible (a superuser); known after {@link #check}.
     */
    private boolean followDdl;

    PostgresEngine(PostgresCatalog catalog, BacktrackConfig config, PrintStream out) {
        this.catalog = catalog;
        this.source = config.source();
        this.out = out;
    }

    @Override
    public void check() {
        followDdl = ddlCapture();
    }

    private boolean ddlCapture() {
        if (source.captureDdl().equals("off")) {
            return false;
        }
        if (!DdlCapture.possible(catalog)) {
            if (source.captureDdl().equals("on")) {
                throw new SourceException("source.capture-ddl is 'on' but role '" + source.user()
                        + "' is not a superuser, which event triggers need: "
                        + "run the agent as a superuser once to install them, or set source.capture-ddl: auto");
            }
            out.println("note: role " + source.user()
                    + " is not a superuser, so table definition changes are not captured by trigger;"
                    + " a changed table is re-read from the catalog when its changes stop matching "
                    + "(see docs/OPERATIONS.md, 'Limits that still exist')");
            return false;
        }
        return true;
    }

    @Override
    public SourceCatalog catalog() {
        return catalog;
    }

    @Override
    public void prepare() {
        if (followDdl) {
            DdlCapture.install(catalog, source.publication(), source.tablesInclude(), source.tablesExclude());
            // the whole set into the stream (logged when the slot exists), and the set each DDL is compared with
            DdlCapture.recordAllObjects(catalog);
        }
    }

    @Override
    public String lostStream(String offsetJson) {
        return catalog.slotExists(source.slot())
                ? null
                : "replication slot '" + source.slot() + "' was gone from the source";
    }

    @Override
    public void resume(List<String> tables, TableVersions versions, long nextSequence) {
        for (String t : tables) {
            versions.refresh(t, nextSequence);
        }
    }

    @Override
    public List<TableSchema> beforeSnapshot(List<String> tables, TableVersions versions, long nextSequence) {
        // a slot left by a crash during the first snapshot would make the snapshot overlap the stream
        catalog.dropSlot(source.slot());
        List<TableSchema> described = new ArrayList<>();
        for (String t : tables) {
            described.add(versions.refresh(t, nextSequence));
        }
        return described;
    }

    @Override
    public String objectsCapture() {
        return followDdl ? PostgresObjects.BY_TRIGGER : PostgresObjects.POLLED;
    }

    /** The snapshot is consistent with the slot's start: its confirmed LSN. */
    @Override
    public SnapshotEnd snapshotEnd(Map<String, ?> snapshotOffset, ObjectSet objectsAtStart) {
        long position = catalog.slotConfirmedLsn(source.slot());
        Map<String, Object> offset = new LinkedHashMap<>();
        offset.put("lsn", position);
        offset.put("snapshot_completed", true);
        offset.put("ts_usec", catalog.nowMicros());
        return new SnapshotEnd(position, Lsn.format(position), offset, null);
    }

    @Override
    public String unreadableDdl(Throwable failure) {
        return null;
    }

    @Override
    public Properties settings(List<String> tables, Path repository, String offsetStore, int maxBatchSize) {
        // the connector's sessions take the JVM's time zone, and PostgreSQL's text of a composite, range or array
        // spells
        // instants in it: UTC, as fresh checkpoints and the DDL trigger spell them, so a row reads alike every way
        TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
        return CaptureSettings.of(
                source,
                tables,
                catalog.partitionedTables(source.tablesInclude(), source.tablesExclude()),
                followDdl,
                repository,
                offsetStore,
                maxBatchSize);
    }

    @Override
    public SideWork sideWork(CaptureStatus status) {
        return new SequenceTicker(source, out, () -> status.lastLoggedAtMillis, !followDdl);
    }

    @Override
    public ChangeStream stream(
            TransactionAssembler assembler, TableVersions versions, CaptureConsumer.SnapshotPhase snapshot) {
        return new PostgresStream(assembler, versions);
    }

    @Override
    public void close() {
        catalog.close();
    }
}
