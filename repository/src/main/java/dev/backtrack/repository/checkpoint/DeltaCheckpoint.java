package dev.backtrack.repository.checkpoint;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.fold.Cascades;
import dev.backtrack.repository.fold.FoldException;
import dev.backtrack.repository.fold.FoldMemory;
import dev.backtrack.repository.fold.LogFold;
import dev.backtrack.repository.fold.LogSource;
import dev.backtrack.repository.fold.TableFold;
import dev.backtrack.repository.objects.ObjectSet;
import dev.backtrack.repository.schema.TableSchema;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/**
 * Differential (net changes since the newest full) and incremental (since the newest checkpoint of
 * any kind) checkpoints: the log after the parent folded per key, written as net states. Neither the
 * source nor any checkpoint's data is read. Thread-safe (stateless); one build at a time per repository.
 */
public final class DeltaCheckpoint {
    private DeltaCheckpoint() {}

    /**
     * Builds and publishes a {@link Manifest#DIFF} or {@link Manifest#INCR} checkpoint through
     * {@code throughSequence}; returns null when the log holds nothing after its parent.
     */
    public static Manifest build(
            Repository repo, String kind, long throughSequence, int level, LongFunction<String> positionText) {
        List<Manifest> all = repo.checkpoints();
        Manifest parent = parent(all, kind);
        Chain chain = Chain.of(all, parent);
        if (throughSequence < parent.nextSequence()) {
            return null;
        }
        Map<String, TableSchema> initial = parentSchemas(repo, parent);
        Set<String> before = initial.values().stream().map(LogFold::relation).collect(Collectors.toSet());
        LogFold.Result fold = foldLogAfter(repo, parent, initial, throughSequence);
        try (fold) {
            if (fold.transactions() == 0) {
                return null;
            }
            if (fold.actions().hitCount() > 0) {
                addCascades(repo, chain, parent, throughSequence, fold);
            }
            long time = Math.max(parent.timeMicros(), fold.maxCommitMicros());
            String suffix = kind.equals(Manifest.DIFF) ? "D" : "I";
            String id = CheckpointLabels.freeLabel(
                    repo.checkpointsDir(), chain.full().id() + "_", time, suffix);
            CheckpointWriter writer = new CheckpointWriter(repo.checkpointsDir(), repo.sealer(), id, level);
            try {
                writer.objects(
                        ObjectSet.asOf(
                                parent.objects() == null
                                        ? null
                                        : ChunkReader.objects(repo.dataDir(), repo.sealer(), parent.objects()),
                                fold.objectChanges()),
                        parent.objectCapture());
                addNetStates(writer, fold, before);
                return writer.finish(kind, parent.id(), checkpointAt(parent, fold, time, positionText));
            } catch (RuntimeException e) {
                writer.abandon();
                throw e;
            }
        }
    }

    /** The table versions the parent checkpoint holds, by table. */
    private static Map<String, TableSchema> parentSchemas(Repository repo, Manifest parent) {
        Map<String, TableSchema> initial = new LinkedHashMap<>();
        for (Manifest.TableEntry t : parent.tables()) {
            initial.put(t.table(), repo.schemas().get(t.schemaId()));
        }
        return initial;
    }

    /** The log from the parent's next sequence through {@code throughSequence}, folded per key. */
    private static LogFold.Result foldLogAfter(
            Repository repo, Manifest parent, Map<String, TableSchema> initial, long throughSequence) {
        return LogFold.fold(
                LogSource.of(repo), parent.nextSequence(), initial, tx -> tx.sequence() > throughSequence, n -> {});
    }

    /**
     * Each table's net states; a table the window left untouched is written with none, one new since
     * the parent (not in {@code before}) or truncated in the window replaces the parent's rows.
     */
    private static void addNetStates(CheckpointWriter writer, LogFold.Result fold, Set<String> before) {
        for (TableFold f : fold.tables().values()) {
            if (f.lost() != null) {
                throw new FoldException(f.lost());
            }
            boolean fresh = !before.contains(LogFold.relation(f.schema()));
            if (f.untouched() && !fresh) {
                writer.addStates(f.schema(), Collections.emptyIterator(), List.of(), false);
            } else {
                writer.addStates(f.schema(), f.netStates(), f.versions(), fresh || f.truncated());
            }
        }
    }

    /** Where the delta ends: the window's last position and sequence, with the sequence values as of then. */
    private static CheckpointAt checkpointAt(
            Manifest parent, LogFold.Result fold, long time, LongFunction<String> positionText) {
        return CheckpointAt.of(
                        time, fold.lastPosition(), positionText.apply(fold.lastPosition()), fold.lastSequence() + 1)
                .withSequences(
                        SequenceValues.asOf(parent.sequences(), fold.lastMessages()),
                        SequenceValues.definitionsAsOf(parent.sequenceDefinitions(), fold.lastMessages()));
    }

    /**
     * Adds the child rows a binlog source's foreign key rules changed in the window: which rows a
     * parent's delete reached depends on the parent's whole state, so the chain's rows are folded
     * with the window too (read, as a synthetic full reads them) and what the rules changed there is
     * applied to the delta's own fold.
     */
    private static void addCascades(
            Repository repo, Chain chain, Manifest parent, long throughSequence, LogFold.Result delta) {
        FoldMemory memory = FoldMemory.ofHeap(repo.sealer());
        try (LogFold.Result state = LogFold.foldOnto(
                LogSource.of(repo),
                parent.nextSequence(),
                chain.seed(repo, memory),
                memory,
                tx -> tx.sequence() > throughSequence,
                n -> {})) {
            Cascades.resolve(state.actions(), state.tables(), f -> chain.fullRows(repo, f), (table, change) -> {
                TableFold f = delta.tables().get(table);
                if (f != null) {
                    f.apply(change);
                }
            });
        }
    }

    /** A differential's parent is the newest full, an incremental's the newest checkpoint. */
    static Manifest parent(List<Manifest> all, String kind) {
        if (all.isEmpty()) {
            throw new RepositoryException("the repository has no checkpoint 0 yet: let the agent take it first");
        }
        if (kind.equals(Manifest.INCR)) {
            return all.get(all.size() - 1);
        }
        if (!kind.equals(Manifest.DIFF)) {
            throw new IllegalArgumentException("checkpoint kind " + kind + " is not a delta: use diff or incr");
        }
        Manifest full = null;
        for (Manifest m : all) {
            if (!m.delta()) {
                full = m;
            }
        }
        return full;
    }
}
