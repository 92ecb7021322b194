package dev.backtrack.repository.checkpoint;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.fold.LogFold;
import dev.backtrack.repository.fold.TableFold;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.repository.schema.TableSchema;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * A full checkpoint built from the previous one and the log, without reading the source: the
 * previous checkpoint's rows merged with the log folded per key through a durable sequence.
 * Thread-safe (stateless); one build at a time per repository.
 */
public final class SyntheticFull {
    private SyntheticFull() {
    }

    /**
     * Builds and publishes the checkpoint through {@code throughSequence}; returns null when the log
     * holds nothing after {@code base}.
     *
     * @param positionText how the source writes a position (PostgreSQL: an LSN)
     */
    public static Manifest build(Repository repo, Manifest base, long throughSequence, int level, LongFunction<String> positionText) {
        if (throughSequence < base.nextSequence()) {
            return null;
        }
        Map<String, TableSchema> initial = new LinkedHashMap<>();
        for (Manifest.TableEntry t : base.tables()) {
            initial.put(t.table(), repo.schemas().get(t.schemaId()));
        }
        LogFold.Result fold = LogFold.fold(repo.logDir(), repo.schemas(), base.nextSequence(), initial,
                tx -> tx.sequence() > throughSequence, n -> { });
        try (fold) {
            return write(repo, base, fold, level, positionText);
        }
    }

    private static Manifest write(Repository repo, Manifest base, LogFold.Result fold, int level, LongFunction<String> positionText) {
        if (fold.transactions() == 0) {
            return null;
        }
        // a restore to T may start here only if replay from the base would have applied all of it: T >= every commit time so far
        long time = Math.max(base.timeMicros(), fold.maxCommitMicros());
        String id = Checkpoints.freeLabel(repo.checkpointsDir(), time, "F");
        Path baseDir = repo.checkpointsDir().resolve(base.id());
        CheckpointWriter writer = new CheckpointWriter(repo.checkpointsDir(), id, level);
        try {
            for (TableFold f : fold.tables().values()) {
                writer.declareTable(f.schema());
                Manifest.TableEntry entry = base.tables().stream().filter(t -> t.schemaId() == f.base().id()).findFirst().orElse(null);
                f.merge(entry == null ? Collections.emptyIterator() : Checkpoints.rows(baseDir, entry), row -> writer.addRow(f.schema(), row));
            }
            return writer.finish("full", time, Micros.format(time), fold.lastPosition(), positionText.apply(fold.lastPosition()),
                    fold.lastSequence() + 1, "", SequenceValues.asOf(base.sequences(), fold.lastMessages()),
                    SequenceValues.definitionsAsOf(base.sequenceDefinitions(), fold.lastMessages()));
        } catch (RuntimeException e) {
            writer.abandon();
            throw e;
        }
    }
}
