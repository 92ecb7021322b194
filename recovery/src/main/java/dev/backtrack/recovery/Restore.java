package dev.backtrack.recovery;

import dev.backtrack.connectors.postgres.Lsn;
import dev.backtrack.connectors.postgres.PostgresTarget;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.checkpoint.Checkpoints;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.gap.Gaps;
import dev.backtrack.repository.checkpoint.SequenceValues;
import dev.backtrack.repository.fold.LogFold;
import dev.backtrack.repository.fold.TableFold;
import dev.backtrack.repository.mark.Marks;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.repository.redolog.LogCursor;
import dev.backtrack.repository.redolog.RedoLog;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.schema.TableSchema;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Restore to an instant: the newest checkpoint at or before it, plus the log folded per key up to
 * the first transaction that committed after it (PostgreSQL's recovery_target_time rule, inclusive),
 * loaded into an empty PostgreSQL database in one transaction.
 */
public final class Restore {
    private final Repository repo;
    private final Progress progress;

    public Restore(Repository repo, Progress progress) {
        this.repo = repo;
        this.progress = progress;
    }

    /** The checkpoint to start from and the first transaction not to apply. */
    public record Plan(Manifest checkpoint, Predicate<Transaction> stop, String target) {
    }

    /** Checks everything that can be checked before the target database is touched. */
    public Plan plan(RestoreTarget target) {
        RecoveryWindow window = RecoveryWindow.of(repo);
        if (target instanceof RestoreTarget.Time t) {
            long at = t.instant().latest() ? window.latestMicros() : t.instant().micros();
            if (!window.contains(at)) {
                throw new RestoreException("--to " + t + " is outside the recoverable window " + Micros.format(window.earliestMicros()) + " .. "
                        + Micros.format(window.latestMicros()) + ": pick a target inside it (see 'backtrack backups')");
            }
            for (Gaps.Gap g : Gaps.list(repo.path())) {
                if (g.covers(at)) {
                    throw new RestoreException("--to " + t + " falls in a gap of the log (" + g.reason() + "; nothing was captured after "
                            + Micros.format(g.afterMicros()) + (g.open() ? " until a fresh checkpoint, which is still being taken" : " until " + Micros.format(g.endMicros()))
                            + "): pick an instant outside it (see 'backtrack backups')");
                }
            }
            return new Plan(window.checkpointFor(at), t.instant().latest() ? tx -> false : new PastInstant(at), t.toString());
        }
        if (target instanceof RestoreTarget.AtLsn l) {
            Manifest cp = window.checkpoints().stream().filter(m -> m.position() <= l.lsn()).reduce((a, b) -> b).orElse(null);
            long last = Math.max(window.log().lastPosition(), window.checkpoints().get(window.checkpoints().size() - 1).position());
            for (Gaps.Gap g : Gaps.list(repo.path())) {
                Manifest resumed = g.checkpoint() == null ? null : window.checkpoints().stream().filter(m -> m.id().equals(g.checkpoint())).findFirst().orElse(null);
                if (l.lsn() > g.afterPosition() && (resumed == null || l.lsn() < resumed.position())) {
                    throw new RestoreException("--to " + l + " falls in a gap of the log (" + g.reason() + "): pick an LSN outside it (see 'backtrack backups')");
                }
            }
            if (cp == null || l.lsn() > last) {
                throw new RestoreException("--to " + l + " is outside the recoverable positions " + Lsn.format(window.checkpoints().get(0).position())
                        + " .. " + Lsn.format(last) + ": pick an LSN inside them, or --to latest");
            }
            return new Plan(cp, tx -> tx.position() > l.lsn(), l.toString());
        }
        if (target instanceof RestoreTarget.AtXid x) {
            long seq = findXid(window, x.xid());
            return new Plan(window.checkpointThrough(x.inclusive() ? seq : seq - 1),
                    x.inclusive() ? tx -> tx.sequence() > seq : tx -> tx.sequence() >= seq, x.toString());
        }
        RestoreTarget.AtMark m = (RestoreTarget.AtMark) target;
        Marks.Mark mark = Marks.find(repo.path(), m.name());
        if (mark == null) {
            throw new RestoreException("no mark named '" + m.name() + "' in " + repo.path() + ": see the marks in 'backtrack backups'");
        }
        return new Plan(window.checkpointThrough(mark.sequence()), tx -> tx.sequence() > mark.sequence(), m.toString());
    }

    /** The log sequence of the first transaction with this id after the oldest checkpoint. */
    private long findXid(RecoveryWindow window, String xid) {
        try (LogCursor cursor = RedoLog.read(repo.logDir(), window.checkpoints().get(0).nextSequence())) {
            while (cursor.hasNext()) {
                Transaction tx = cursor.next();
                if (tx.txId().equals(xid)) {
                    return tx.sequence();
                }
            }
        }
        throw new RestoreException("transaction xid:" + xid + " is not in the log of " + repo.path()
                + " (it changed no captured table, or it is outside the recoverable window): check the number");
    }

    public RestoreReport run(RestoreTarget target, PostgresTarget db) {
        return run(target, db, Selection.ALL);
    }

    public RestoreReport run(RestoreTarget target, PostgresTarget db, Selection selection) {
        long started = System.nanoTime();
        Plan plan = plan(target);
        Manifest checkpoint = plan.checkpoint();
        db.checkEmpty();
        Map<String, TableSchema> initial = new LinkedHashMap<>();
        for (Manifest.TableEntry t : checkpoint.tables()) {
            initial.put(t.table(), repo.schemas().get(t.schemaId()));
        }
        progress.report("replaying the log from checkpoint " + checkpoint.id() + " to " + target);
        LogFold.Result fold = LogFold.fold(repo.logDir(), repo.schemas(), checkpoint.nextSequence(), initial, plan.stop(),
                n -> progress.report("  folded " + n + " transactions"));
        if (fold.memory().runs() > 0) {
            progress.report("  the fold outgrew " + (fold.memory().budget() >> 20) + " MiB of heap and spilled " + fold.memory().runs() + " sorted runs to "
                    + System.getProperty("java.io.tmpdir"));
        }
        try {
            selection.check(fold.tables().values().stream().map(TableFold::schema).toList());
            List<TableFold> chosen = fold.tables().values().stream().filter(f -> selection.includes(f.schema())).toList();
            List<TableSchema> tables = chosen.stream().map(TableFold::schema).toList();
            List<String> notes = new java.util.ArrayList<>();
            Map<String, Long> rows = new LinkedHashMap<>();
            long total = 0;
            db.begin();
            try {
                Map<String, String> sequences = new LinkedHashMap<>(SequenceValues.definitionsAsOf(checkpoint.sequenceDefinitions(), fold.lastMessages()));
                // sequences that belong to tables left out of a subset stay out too
                fold.tables().values().stream().filter(f -> !chosen.contains(f))
                        .forEach(f -> f.schema().columns().forEach(c -> sequences.remove(c.sequence())));
                db.createTables(tables, sequences);
                Path dir = repo.checkpointsDir().resolve(checkpoint.id());
                for (TableFold f : chosen) {
                    Manifest.TableEntry entry = checkpoint.tables().stream().filter(t -> t.schemaId() == f.base().id()).findFirst().orElse(null);
                    PostgresTarget.RowLoader loader = db.load(f.schema());
                    long n;
                    try {
                        f.merge(entry == null ? java.util.Collections.emptyIterator() : Checkpoints.rows(dir, entry), loader::add);
                        n = loader.finish();
                    } catch (RuntimeException e) {
                        loader.cancel();
                        throw e;
                    }
                    rows.put(f.schema().qualifiedName(), n);
                    total += n;
                    progress.report("  loaded " + f.schema().qualifiedName() + ": " + n + " rows");
                }
                progress.report("building primary keys, indexes and constraints; setting sequences");
                db.addKeys(tables);
                notes.addAll(db.addIndexesAndConstraints(tables));
                notes.forEach(progress::report);
                db.setSequences(tables, SequenceValues.asOf(checkpoint.sequences(), fold.lastMessages()));
                db.commit();
            } catch (RuntimeException e) {
                db.rollback();
                throw e;
            }
            db.analyze(tables);
            return new RestoreReport(target.toString(), checkpoint.id(), checkpoint.time(), fold.transactions(), fold.changes(),
                    fold.lastCommitMicros() == Long.MIN_VALUE ? null : Micros.format(fold.lastCommitMicros()),
                    fold.lastPosition() < 0 ? null : Lsn.format(fold.lastPosition()), rows, total, notes, (System.nanoTime() - started) / 1_000_000);
        } finally {
            // what the fold spilled to disk
            fold.close();
        }
    }

    /**
     * True from the first transaction that committed after the instant on: replay stops there even
     * if a later one committed earlier, as PostgreSQL's own recovery does.
     */
    static final class PastInstant implements Predicate<Transaction> {
        private final long micros;

        PastInstant(long micros) {
            this.micros = micros;
        }

        @Override
        public boolean test(Transaction tx) {
            return tx.commitMicros() > micros;
        }
    }
}
