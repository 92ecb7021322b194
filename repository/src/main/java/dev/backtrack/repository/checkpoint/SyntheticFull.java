package dev.backtrack.repository.checkpoint;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.fold.Cascades;
import dev.backtrack.repository.fold.FoldMemory;
import dev.backtrack.repository.fold.LogFold;
import dev.backtrack.repository.fold.LogSource;
import dev.backtrack.repository.fold.TableFold;
import dev.backtrack.repository.objects.ObjectSet;
import java.util.Collections;
import java.util.List;
import java.util.function.LongFunction;

/**
 * A full checkpoint built from the newest checkpoint's chain and the log, without reading the
 * source: the full's rows merged with the deltas' and the log's net changes per key. Tables nothing
 * changed keep the full's data files. Thread-safe (stateless); one build at a time per repository.
 */
public final class SyntheticFull {
    private SyntheticFull() {}

    /**
     * Builds and publishes the checkpoint through {@code throughSequence}; returns null when the
     * newest checkpoint is a full and the log holds nothing after it.
     *
     * @param positionText how the source writes a position (PostgreSQL: an LSN)
     */
    public static Manifest build(Repository repo, long throughSequence, int level, LongFunction<String> positionText) {
        List<Manifest> all = repo.checkpoints();
        Chain chain = Chain.of(all, all.get(all.size() - 1));
        Manifest tip = chain.tip();
        if (!tip.delta() && throughSequence < tip.nextSequence()) {
            return null;
        }
        FoldMemory memory = FoldMemory.ofHeap(repo.sealer());
        LogFold.Result fold = LogFold.foldOnto(
                LogSource.of(repo),
                tip.nextSequence(),
                chain.seed(repo, memory),
                memory,
                tx -> tx.sequence() > throughSequence,
                n -> {});
        try (fold) {
            if (!tip.delta() && fold.transactions() == 0) {
                return null;
            }
            Cascades.resolve(fold.actions(), fold.tables(), f -> chain.fullRows(repo, f), (table, change) -> {});
            return write(repo, chain, fold, level, positionText);
        }
    }

    private static Manifest write(
            Repository repo, Chain chain, LogFold.Result fold, int level, LongFunction<String> positionText) {
        Manifest tip = chain.tip();
        boolean logged = fold.transactions() > 0;
        // a restore to T may start here only if replay from the chain would have applied all of it: T >= every commit
        // time so far
        long time = logged ? Math.max(tip.timeMicros(), fold.maxCommitMicros()) : tip.timeMicros();
        long position = logged ? fold.lastPosition() : tip.position();
        String id = CheckpointLabels.freeLabel(repo.checkpointsDir(), time, "F");
        CheckpointWriter writer = new CheckpointWriter(repo.checkpointsDir(), repo.sealer(), id, level);
        try {
            writer.objects(
                    ObjectSet.asOf(
                            tip.objects() == null
                                    ? null
                                    : ChunkReader.objects(repo.dataDir(), repo.sealer(), tip.objects()),
                            fold.objectChanges()),
                    tip.objectCapture());
            for (TableFold f : fold.tables().values()) {
                Manifest.TableEntry entry = chain.fullEntry(f);
                if (f.untouched()
                        && entry != null
                        && entry.schemaId() == f.schema().id()) {
                    writer.reuseTable(f.schema(), entry);
                    continue;
                }
                writer.declareTable(f.schema());
                f.merge(
                        entry == null
                                ? Collections.emptyIterator()
                                : ChunkReader.rows(repo.dataDir(), repo.sealer(), entry),
                        row -> writer.addRow(f.schema(), row));
            }
            return writer.finishFull(CheckpointAt.of(
                            time,
                            position,
                            positionText.apply(position),
                            logged ? fold.lastSequence() + 1 : tip.nextSequence())
                    .withSequences(
                            SequenceValues.asOf(tip.sequences(), fold.lastMessages()),
                            SequenceValues.definitionsAsOf(tip.sequenceDefinitions(), fold.lastMessages())));
        } catch (RuntimeException e) {
            writer.abandon();
            throw e;
        }
    }
}
