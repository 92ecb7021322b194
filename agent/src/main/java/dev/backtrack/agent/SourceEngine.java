package dev.backtrack.agent;

import dev.backtrack.connectors.SourceCatalog;
import dev.backtrack.repository.objects.ObjectSet;
import dev.backtrack.repository.schema.TableSchema;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The capture side of one source engine: everything the agent does differently for PostgreSQL and for
 * MariaDB/MySQL. {@link Agent} and {@link CaptureConsumer} know only this; a new engine is a new
 * implementation and a line in {@link SourceEngines}. Used by the agent's thread, except where said.
 */
interface SourceEngine extends AutoCloseable {
    SourceCatalog catalog();

    /**
     * Reads only, before anything is written: refuses what this engine's capture cannot do with the source as it is.
     */
    void check();

    /** Once the repository is locked: what the source needs before capture (PostgreSQL: the DDL event triggers). */
    void prepare();

    /** Why the source can no longer stream from where the log ends ({@code offsetJson}), or null when it can. */
    String lostStream(String offsetJson);

    /**
     * Capture goes on from the newest checkpoint: the tables' versions as they are now, where the stream does not
     * announce them.
     */
    void resume(List<String> tables, TableVersions versions, long nextSequence);

    /**
     * A snapshot is about to begin: the tables' definitions known before it (none where the snapshot announces each
     * one).
     */
    List<TableSchema> beforeSnapshot(List<String> tables, TableVersions versions, long nextSequence);

    /** How the definitions of views, routines and the like are followed after a checkpoint (stored in its manifest). */
    String objectsCapture();

    /**
     * Where a finished snapshot stands, the offset the stream resumes from, and the object definitions as of it (null:
     * as read at its start).
     */
    record SnapshotEnd(long position, String positionText, Map<String, Object> offset, ObjectSet objects) {}

    /** @param snapshotOffset the engine offset the snapshot's notifications carried (binlog sources), or null */
    SnapshotEnd snapshotEnd(Map<String, ?> snapshotOffset, ObjectSet objectsAtStart);

    /**
     * The statement a capture failure says the engine's DDL parser could not read (capture goes on after a gap), or
     * null.
     */
    String unreadableDdl(Throwable failure);

    /** The Debezium engine's properties for these tables. */
    Properties settings(List<String> tables, Path repository, String offsetStore, int maxBatchSize);

    /** The work beside capture this engine needs, on the agent's status thread. */
    SideWork sideWork(CaptureStatus status);

    /** How the consumer reads this engine's change events, for one capture run. */
    ChangeStream stream(TransactionAssembler assembler, TableVersions versions, CaptureConsumer.SnapshotPhase snapshot);

    @Override
    void close();

    /** Work on the status thread: PostgreSQL's sequence values and replication slot. */
    interface SideWork extends AutoCloseable {
        SideWork NONE = new SideWork() {
            public void tick() {}

            public String statusPart(long walWarningBytes) {
                return "";
            }

            public void close() {}
        };

        /** Every heartbeat interval once the first checkpoint exists. */
        void tick();

        /** What the status line says of it (while the source is reachable). */
        String statusPart(long walWarningBytes);

        @Override
        void close();
    }
}
