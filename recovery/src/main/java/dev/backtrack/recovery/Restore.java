package dev.backtrack.recovery;

import dev.backtrack.connectors.target.ObjectRestore;
import dev.backtrack.connectors.target.SkippedObjects;
import dev.backtrack.connectors.target.TargetDatabase;
import dev.backtrack.repository.ReadLease;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.checkpoint.Chain;
import dev.backtrack.repository.checkpoint.ChunkReader;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.checkpoint.SequenceValues;
import dev.backtrack.repository.fold.Cascades;
import dev.backtrack.repository.fold.FoldException;
import dev.backtrack.repository.fold.FoldMemory;
import dev.backtrack.repository.fold.LogFold;
import dev.backtrack.repository.fold.LogSource;
import dev.backtrack.repository.fold.TableFold;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.repository.objects.ObjectDefinition;
import dev.backtrack.repository.objects.ObjectSet;
import dev.backtrack.repository.position.Positions;
import dev.backtrack.repository.schema.TableSchema;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * Restore to a target ({@link RestorePlanner} picks the chain and where replay stops): the chain's
 * state with the log after it folded per key, the foreign key rules a binlog leaves out applied, then
 * loaded with the objects as of the target into an empty database of either engine, in one
 * transaction (or over {@code --jobs} connections, dropping what it made when one fails).
 */
public final class Restore {
    private final Repository repo;
    private final Progress progress;
    private String set;
    private int jobs = 1;
    private Finishing finishing = Finishing.NONE;
    private ObjectRestore.Options objectOptions = ObjectRestore.Options.ALL;
    private boolean strict;
    private Progress announce = Progress.NONE;
    private Set<String> announced = Set.of();

    public Restore(Repository repo, Progress progress) {
        this.repo = repo;
        this.progress = progress;
    }

    /**
     * Starts from this checkpoint (and the chain it is read on top of) instead of the cheapest one,
     * as pgBackRest's {@code --set}; null for the cheapest.
     */
    public Restore from(String checkpointId) {
        this.set = checkpointId;
        return this;
    }

    /**
     * Work done on the target in the restore's last transaction, so it commits with the restored state or not at all.
     */
    public interface Finishing {
        Finishing NONE = (db, lastSequence, lastCommitMicros) -> {};

        /**
         * @param lastSequence     the last log sequence the restored state holds
         * @param lastCommitMicros the commit time of the last transaction replayed, or Long.MIN_VALUE when none was
         */
        void beforeCommit(TargetDatabase db, long lastSequence, long lastCommitMicros);
    }

    /** Runs {@code finishing} in the restore's last transaction, before it commits. */
    public Restore finishing(Finishing finishing) {
        this.finishing = finishing;
        return this;
    }

    /** Leaves owners or privileges of the restored objects out (pg_restore's --no-owner, --no-privileges). */
    public Restore objectOptions(ObjectRestore.Options options) {
        this.objectOptions = options;
        return this;
    }

    /** Refuses, before anything is written, a restore into another engine that would leave objects out. */
    public Restore strict(boolean on) {
        this.strict = on;
        return this;
    }

    /**
     * Where what the target will leave out is said, before anything is written (always shown: it is a loss the user
     * must see).
     */
    public Restore announcing(Progress leavingOut) {
        this.announce = leavingOut;
        return this;
    }

    /** Loads tables over this many connections (1: everything in one transaction). */
    public Restore jobs(int n) {
        this.jobs = n;
        return this;
    }

    /** Checks everything that can be checked before the target database is touched. */
    public RestorePlan plan(RestoreTarget target) {
        return new RestorePlanner(repo).plan(target, set);
    }

    public RestoreReport run(RestoreTarget target, TargetDatabase db) {
        return run(target, db, Selection.ALL);
    }

    public RestoreReport run(RestoreTarget target, TargetDatabase db, Selection selection) {
        // an expire must not remove the checkpoint this restore reads
        try (ReadLease lease = ReadLease.reader(repo.path())) {
            return load(target, db, selection);
        }
    }

    private RestoreReport load(RestoreTarget target, TargetDatabase db, Selection selection) {
        long started = System.nanoTime();
        RestorePlan plan = plan(target);
        if (plan.chain() == null) {
            throw new RestoreException("no checkpoint of " + repo.path() + " can start a restore to " + target
                    + ": run 'backtrack verify'");
        }
        db.checkEmpty();
        Folded folded = foldTo(plan, target);
        Chain chain = folded.chain();
        LogFold.Result fold = folded.fold();
        Manifest checkpoint = chain.tip();
        try {
            selection.check(
                    fold.tables().values().stream().map(TableFold::schema).toList());
            ObjectSet definitions = ObjectSet.asOf(
                    checkpoint.objects() == null
                            ? null
                            : ChunkReader.objects(repo.dataDir(), repo.sealer(), checkpoint.objects()),
                    fold.objectChanges());
            Selection chosenTables =
                    definitions == null ? selection : selection.withPartitions(definitions.partitionParents());
            List<TableFold> chosen = fold.tables().values().stream()
                    .filter(f -> chosenTables.includes(f.schema()))
                    .toList();
            List<TableSchema> tables = chosen.stream().map(TableFold::schema).toList();
            ObjectRestore objects = objects(db, definitions, fold, selection, tables);
            objects.check();
            announced = leavingOut(db, objects, tables);
            List<String> notes = new ArrayList<>();
            Map<String, Long> rows = new LinkedHashMap<>();
            Map<String, String> sequences = sequencesAsOf(checkpoint, fold, definitions, chosen);
            long total = jobs <= 1
                    ? loadInOneTransaction(db, objects, chain, chosen, tables, sequences, checkpoint, fold, notes, rows)
                    // each table is indexed and analyzed by its loader, while the others still load
                    : loadInParallel(db, objects, chain, chosen, tables, sequences, checkpoint, fold, notes, rows);
            return new RestoreReport(
                    target.toString(),
                    checkpoint.id(),
                    chain.links().stream().map(Manifest::id).toList(),
                    checkpoint.time(),
                    fold.transactions(),
                    fold.changes(),
                    fold.lastCommitMicros() == Long.MIN_VALUE ? null : Micros.format(fold.lastCommitMicros()),
                    fold.lastPosition() < 0
                            ? null
                            : Positions.format(repo.identity().sourceEngine(), fold.lastPosition()),
                    rows,
                    total,
                    objects.counts(),
                    notes,
                    (System.nanoTime() - started) / 1_000_000,
                    lastSequence(checkpoint, fold));
        } finally {
            // what the fold spilled to disk
            fold.close();
        }
    }

    /** The chain a restore reads and its log folded to the target. */
    private record Folded(Chain chain, LogFold.Result fold) {}

    /**
     * The plan's chain folded to the target; a key change after a delta's states falls back to the full and the log.
     */
    private Folded foldTo(RestorePlan plan, RestoreTarget target) {
        Chain chain = plan.chain();
        try {
            return new Folded(chain, fold(chain, plan, target));
        } catch (FoldException e) {
            Chain full = RecoveryWindow.of(repo).fullOnly(plan.eligible());
            if (chain.links().size() == 1 || full == null) {
                throw e;
            }
            // a key changed after a delta's states (they cannot be keyed anew): the full and the log alone get there
            // too
            progress.report("  " + e.getMessage() + "; replaying from the full "
                    + full.full().id() + " instead");
            return new Folded(full, fold(full, plan, target));
        }
    }

    /**
     * The sequences to make: the definitions the ticker recorded; with object definitions (which hold
     * them exactly as of the target) only those that exist then; none of a table left out of a subset.
     */
    private static Map<String, String> sequencesAsOf(
            Manifest checkpoint, LogFold.Result fold, ObjectSet definitions, List<TableFold> chosen) {
        Map<String, String> sequences = new LinkedHashMap<>(
                SequenceValues.definitionsAsOf(checkpoint.sequenceDefinitions(), fold.lastMessages()));
        if (definitions != null) {
            Set<String> existing = definitions.all().stream()
                    .filter(o -> o.kind().equals("sequence"))
                    .map(ObjectDefinition::name)
                    .collect(Collectors.toSet());
            sequences.keySet().retainAll(existing);
        }
        fold.tables().values().stream()
                .filter(f -> !chosen.contains(f))
                .forEach(f -> f.schema().columns().forEach(c -> sequences.remove(c.sequence())));
        return sequences;
    }

    /**
     * Everything in one target transaction: a failed or interrupted restore leaves the target as empty as it was.
     * Returns the rows loaded.
     */
    private long loadInOneTransaction(
            TargetDatabase db,
            ObjectRestore objects,
            Chain chain,
            List<TableFold> chosen,
            List<TableSchema> tables,
            Map<String, String> sequences,
            Manifest checkpoint,
            LogFold.Result fold,
            List<String> notes,
            Map<String, Long> rows) {
        long total = 0;
        db.begin();
        try {
            createTables(db, objects, tables, sequences);
            for (TableFold f : chosen) {
                long n = loadTable(db, chain, f);
                rows.put(f.schema().qualifiedName(), n);
                total += n;
            }
            finishTables(db, objects, tables, checkpoint, fold, notes, false);
            db.commit();
        } catch (RuntimeException e) {
            db.rollback();
            if (db.engine().binlog()) {
                // MariaDB and MySQL commit DDL at once: what the rollback cannot undo is dropped
                undoQuietly(db, objects, e);
                dropQuietly(db, tables, sequences, e);
            }
            throw e;
        }
        db.analyze(tables);
        return total;
    }

    /**
     * Streams one table's rows at the target (the full's rows merged with the fold) into a COPY; returns the row count.
     */
    private long loadTable(TargetDatabase db, Chain chain, TableFold f) {
        TargetDatabase.RowLoader loader = db.load(f.schema());
        long n;
        try {
            f.merge(chain.fullRows(repo, f), loader::add);
            n = loader.finish();
        } catch (RuntimeException e) {
            loader.cancel();
            throw e;
        }
        progress.report("  loaded " + f.schema().qualifiedName() + ": " + n + " rows");
        return n;
    }

    /**
     * The source's other objects as of the target (views, functions, triggers, ...): made by the target
     * when it is of the source's engine, else listed as left out. None for a checkpoint written before
     * they were kept, with nothing logged since that says them all.
     */
    private ObjectRestore objects(
            TargetDatabase db, ObjectSet set, LogFold.Result fold, Selection selection, List<TableSchema> tables) {
        if (set == null) {
            return ObjectRestore.NONE;
        }
        // MariaDB and MySQL write the same dialect; PostgreSQL's is another
        if (repo.identity().sourceEngine().binlog() != db.engine().binlog()) {
            return new SkippedObjects(set, db.engine());
        }
        Set<String> restored = tables.stream().map(TableSchema::qualifiedName).collect(Collectors.toSet());
        // a table the source has but the log does not (never captured) leaves the restore partial too
        boolean uncaptured = set.all().stream()
                .anyMatch(o -> o.isTableEntry() && !fold.tables().containsKey(o.table()));
        return db.objects(set, objectOptions, new ObjectRestore.Scope(restored, !selection.all() || uncaptured));
    }

    /**
     * What the target will leave out (the other engine's type map notes, the objects written in the
     * source's dialect), said before anything is written; {@code --strict} refuses any of it.
     */
    private Set<String> leavingOut(TargetDatabase db, ObjectRestore objects, List<TableSchema> tables) {
        Set<String> out = new LinkedHashSet<>(db.plan(tables));
        out.addAll(objects.leftOut());
        if (strict && !out.isEmpty()) {
            throw new RestoreException("--strict: a " + db.engine() + " target would leave out " + out.size()
                    + " things (" + out.iterator().next() + (out.size() > 1 ? "; ..." : "")
                    + "): restore into the source's engine, or leave --strict out to restore without them");
        }
        out.forEach(line -> announce.report("will leave out: " + line));
        return out;
    }

    /** Objects that come before the tables, the tables, then the objects that need the tables (before any row). */
    private static void createTables(
            TargetDatabase db, ObjectRestore objects, List<TableSchema> tables, Map<String, String> sequences) {
        objects.make(ObjectDefinition.PRE);
        db.createTables(tables, sequences);
        objects.make(ObjectDefinition.TABLE);
    }

    /**
     * Keys, indexes and constraints (unless {@code indexed}), foreign keys, the other objects and sequence values,
     * after the rows.
     */
    private void finishTables(
            TargetDatabase db,
            ObjectRestore objects,
            List<TableSchema> tables,
            Manifest checkpoint,
            LogFold.Result fold,
            List<String> notes,
            boolean indexed) {
        progress.report(
                indexed
                        ? "adding foreign keys; setting sequences"
                        : "building primary keys, indexes and constraints; setting sequences");
        // the loaders indexed every table but the partitioned ones, whose keys and indexes take their partitions' as
        // parts
        List<TableSchema> unindexed =
                indexed ? tables.stream().filter(TableSchema::partitioned).toList() : tables;
        db.addKeys(unindexed);
        db.addIndexes(unindexed);
        notes.addAll(db.addForeignKeys(tables));
        progress.report("making triggers, rules, policies and the other objects; owners and privileges");
        objects.make(ObjectDefinition.POST);
        notes.addAll(objects.finish());
        notes.stream().filter(n -> !announced.contains(n)).forEach(progress::report);
        db.setSequences(tables, SequenceValues.asOf(checkpoint.sequences(), fold.lastMessages()));
        finishing.beforeCommit(db, lastSequence(checkpoint, fold), fold.lastCommitMicros());
    }

    /** The last log sequence the restored state holds. */
    private static long lastSequence(Manifest checkpoint, LogFold.Result fold) {
        return Math.max(fold.lastSequence(), checkpoint.nextSequence() - 1);
    }

    /**
     * pg_restore -j style: the tables are created and committed, then loaded by {@code jobs} connections
     * (largest first), each table given its key, indexes and statistics by the connection that loaded it
     * while the others still load; foreign keys and sequences follow in one transaction. A failure drops
     * everything the restore created, so the target is empty again.
     */
    private long loadInParallel(
            TargetDatabase db,
            ObjectRestore objects,
            Chain chain,
            List<TableFold> chosen,
            List<TableSchema> tables,
            Map<String, String> sequences,
            Manifest checkpoint,
            LogFold.Result fold,
            List<String> notes,
            Map<String, Long> rows) {
        db.begin();
        try {
            createTables(db, objects, tables, sequences);
            db.commit();
        } catch (RuntimeException e) {
            db.rollback();
            throw e;
        }
        ExecutorService pool = loaderPool();
        try {
            Map<String, Future<Long>> loads = new LinkedHashMap<>();
            for (TableFold f : largestFirst(chain, chosen)) {
                loads.put(f.schema().qualifiedName(), pool.submit(() -> loadAndIndex(db, chain, f)));
            }
            long total = 0;
            for (TableFold f : chosen) {
                long n = await(loads.get(f.schema().qualifiedName()));
                rows.put(f.schema().qualifiedName(), n);
                total += n;
            }
            db.begin();
            finishTables(db, objects, tables, checkpoint, fold, notes, true);
            db.commit();
            return total;
        } catch (RuntimeException e) {
            pool.shutdownNow();
            db.rollback();
            undoQuietly(db, objects, e);
            dropQuietly(db, tables, sequences, e);
            throw e;
        } finally {
            pool.shutdownNow();
        }
    }

    private ExecutorService loaderPool() {
        return Executors.newFixedThreadPool(jobs, r -> {
            Thread t = new Thread(r, "backtrack-restore-loader");
            t.setDaemon(true);
            return t;
        });
    }

    /** The tables by their size estimate (the full's bytes and 64 per logged change), largest first. */
    private static List<TableFold> largestFirst(Chain chain, List<TableFold> chosen) {
        List<TableFold> order = new ArrayList<>(chosen);
        order.sort(Comparator.comparingLong((TableFold f) -> {
                    Manifest.TableEntry e = chain.fullEntry(f);
                    return (e == null ? 0 : e.bytes()) + f.changes() * 64;
                })
                .reversed());
        return order;
    }

    /** One table loaded, given its key and indexes (unless partitioned) and analyzed over a connection of its own. */
    private long loadAndIndex(TargetDatabase db, Chain chain, TableFold f) {
        try (TargetDatabase worker = db.another()) {
            worker.begin();
            long n = loadTable(worker, chain, f);
            List<TableSchema> one = f.schema().partitioned() ? List.of() : List.of(f.schema());
            worker.addKeys(one);
            worker.addIndexes(one);
            worker.commit();
            worker.analyze(one);
            worker.commit();
            progress.report("  indexed " + f.schema().qualifiedName());
            return n;
        }
    }

    /** Drops the objects a failed parallel restore made and committed. */
    private static void undoQuietly(TargetDatabase db, ObjectRestore objects, RuntimeException failure) {
        try {
            db.begin();
            objects.undo();
            db.commit();
        } catch (RuntimeException cleanup) {
            db.rollback();
            failure.addSuppressed(cleanup);
        }
    }

    private static void dropQuietly(
            TargetDatabase db, List<TableSchema> tables, Map<String, String> sequences, RuntimeException failure) {
        try {
            db.dropRestored(tables, sequences);
        } catch (RuntimeException cleanup) {
            failure.addSuppressed(cleanup);
        }
    }

    private static long await(Future<Long> load) {
        try {
            return load.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreException("restore interrupted while loading: the tables it created are dropped");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new RestoreException(String.valueOf(e.getCause()));
        }
    }

    /** The chain's state with the log after its tip folded on, up to the plan's stop. */
    private LogFold.Result fold(Chain chain, RestorePlan plan, RestoreTarget target) {
        progress.report("replaying the log from checkpoint " + chain.describe() + " to " + target);
        FoldMemory memory = FoldMemory.ofHeap(repo.sealer());
        try {
            LogFold.Result fold = LogFold.foldOnto(
                    LogSource.of(repo),
                    chain.tip().nextSequence(),
                    chain.seed(repo, memory),
                    memory,
                    plan.stop(),
                    n -> progress.report("  folded " + n + " transactions"));
            long cascaded = Cascades.resolve(
                    fold.actions(), fold.tables(), f -> chain.fullRows(repo, f), (table, change) -> {});
            if (cascaded > 0) {
                progress.report("  applied the foreign key rules the binlog leaves out: " + cascaded
                        + " rows deleted or changed");
            }
            if (memory.runs() > 0) {
                progress.report("  the fold outgrew " + (memory.budget() >> 20) + " MiB of heap and spilled "
                        + memory.runs() + " sorted runs to " + System.getProperty("java.io.tmpdir"));
            }
            return fold;
        } catch (RuntimeException e) {
            memory.close();
            throw e;
        }
    }
}
