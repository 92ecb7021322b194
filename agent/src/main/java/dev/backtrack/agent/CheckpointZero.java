package dev.backtrack.agent;

import dev.backtrack.repository.checkpoint.CheckpointAt;
import dev.backtrack.repository.checkpoint.CheckpointLabels;
import dev.backtrack.repository.checkpoint.CheckpointWriter;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.repository.objects.ObjectSet;
import dev.backtrack.repository.schema.TableSchema;
import java.util.Collection;
import java.util.Map;

/**
 * Writes the first checkpoint from the engine's consistent snapshot: rows arrive as read events,
 * and the snapshot's completion publishes the checkpoint. Not thread-safe.
 */
final class CheckpointZero {
    private final CheckpointWriter writer;
    private final long nextSequence;
    private long timeMicros = Long.MIN_VALUE;
    private Map<String, ?> lastOffset;

    /** @param nextSequence the log sequence the stream continues at (1 on a first run; after a gap, the log's next) */
    CheckpointZero(CheckpointWriter writer, Collection<TableSchema> tables, long nextSequence) {
        this.writer = writer;
        this.nextSequence = nextSequence;
        tables.forEach(writer::declareTable);
    }

    static String label(long micros, String kind) {
        return CheckpointLabels.label(micros, kind);
    }

    /**
     * The instant the checkpoint stands for; taken once the slot exists, so every earlier commit is in the snapshot.
     */
    void started(long sourceNowMicros) {
        if (timeMicros == Long.MIN_VALUE) {
            timeMicros = sourceNowMicros;
        }
    }

    boolean hasStarted() {
        return timeMicros != Long.MIN_VALUE;
    }

    /** The source's object definitions the checkpoint stores (null: not kept for this engine). */
    void objects(ObjectSet set, String capture) {
        if (set != null) {
            writer.objects(set, capture);
        }
    }

    /** A table the snapshot holds, also when it has no rows. */
    void declare(TableSchema table) {
        writer.declareTable(table);
    }

    void add(TableSchema table, Object[] row, Map<String, ?> offset) {
        writer.addRow(table, row);
        lastOffset = offset;
    }

    long rows(TableSchema table) {
        return writer.rows(table);
    }

    /**
     * Publishes the checkpoint at the snapshot's consistent point (PostgreSQL: the slot's LSN; MariaDB: the binlog
     * position); returns its manifest.
     */
    Manifest finish(
            long consistentPosition,
            String positionText,
            String fallbackOffset,
            Map<String, Long> sequences,
            Map<String, String> definitions) {
        // serialized once, at the end: only the last snapshot row's offset matters
        String offset = lastOffset == null ? fallbackOffset : CaptureConsumer.json(lastOffset);
        String time = Micros.format(timeMicros);
        return writer.finishFull(CheckpointAt.of(timeMicros, consistentPosition, positionText, nextSequence)
                .withTime(time)
                .withOffset(offset)
                .withSequences(sequences, definitions));
    }

    void abandon() {
        writer.abandon();
    }
}
