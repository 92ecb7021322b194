package dev.backtrack.recovery;

import dev.backtrack.connectors.postgres.Lsn;
import dev.backtrack.connectors.postgres.PostgresTarget;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.checkpoint.Checkpoints;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.fold.LogFold;
import dev.backtrack.repository.fold.TableFold;
import dev.backtrack.repository.model.Micros;
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

    /** Checks everything that can be checked before the target is touched; returns the checkpoint to start from. */
    public Manifest plan(TargetInstant target) {
        RecoveryWindow window = RecoveryWindow.of(repo);
        long at = target.latest() ? window.latestMicros() : target.micros();
        if (!window.contains(at)) {
            throw new RestoreException("--to " + target + " is outside the recoverable window " + Micros.format(window.earliestMicros())
                    + " .. " + Micros.format(window.latestMicros()) + ": pick an instant inside it (see 'backtrack backups')");
        }
        return window.checkpointFor(at);
    }

    public RestoreReport run(TargetInstant target, PostgresTarget db) {
        long started = System.nanoTime();
        Manifest checkpoint = plan(target);
        db.checkEmpty();
        Map<String, TableSchema> initial = new LinkedHashMap<>();
        for (Manifest.TableEntry t : checkpoint.tables()) {
            initial.put(t.table(), repo.schemas().get(t.schemaId()));
        }
        Predicate<Transaction> after = target.latest() ? tx -> false : new PastInstant(target.micros());
        progress.report("replaying the log from checkpoint " + checkpoint.id() + " to " + target);
        LogFold.Result fold = LogFold.fold(repo.logDir(), repo.schemas(), checkpoint.nextSequence(), initial, after,
                n -> progress.report("  folded " + n + " transactions"));
        List<TableSchema> tables = fold.tables().values().stream().map(TableFold::schema).toList();
        Map<String, Long> rows = new LinkedHashMap<>();
        long total = 0;
        db.begin();
        try {
            db.createTables(tables);
            Path dir = repo.checkpointsDir().resolve(checkpoint.id());
            for (TableFold f : fold.tables().values()) {
                Manifest.TableEntry entry = checkpoint.tables().stream().filter(t -> t.table().equals(f.schema().qualifiedName())).findFirst().orElse(null);
                PostgresTarget.RowLoader loader = db.load(f.schema());
                f.merge(entry == null ? java.util.Collections.emptyIterator() : Checkpoints.rows(dir, entry), loader::add);
                long n = loader.finish();
                rows.put(f.schema().qualifiedName(), n);
                total += n;
                progress.report("  loaded " + f.schema().qualifiedName() + ": " + n + " rows");
            }
            progress.report("building primary keys and setting sequences");
            db.addKeys(tables);
            db.setSequences(tables, checkpoint.sequences());
            db.commit();
        } catch (RuntimeException e) {
            db.rollback();
            throw e;
        }
        db.analyze(tables);
        return new RestoreReport(target.toString(), checkpoint.id(), checkpoint.time(), fold.transactions(), fold.changes(),
                fold.lastCommitMicros() == Long.MIN_VALUE ? null : Micros.format(fold.lastCommitMicros()),
                fold.lastPosition() < 0 ? null : Lsn.format(fold.lastPosition()), rows, total, (System.nanoTime() - started) / 1_000_000);
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
