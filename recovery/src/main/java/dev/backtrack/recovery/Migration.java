package dev.backtrack.recovery;

import dev.backtrack.connectors.target.ChangeApplier;
import dev.backtrack.connectors.target.ObjectRestore;
import dev.backtrack.connectors.target.TargetDatabase;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.objects.ObjectSet;
import dev.backtrack.repository.redolog.LogCursor;
import dev.backtrack.repository.redolog.LogSummary;
import dev.backtrack.repository.schema.TableSchema;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Migration: a restore of the latest state into a new database, then every transaction the agent
 * logs after it, applied in commit order. Source transactions are applied in target transactions
 * (several at once while a backlog lasts) that also save the migration's progress (table
 * {@code backtrack_migration}), so a killed migration resumes without applying anything twice.
 * Not thread-safe.
 */
public final class Migration {
    static final String SEQUENCE = "applied_sequence";
    static final String COMMIT = "applied_commit_micros";
    static final String REPOSITORY = "repository_id";
    static final String PHASE = "phase";
    static final String FOLLOWING = "following";
    static final String CUT_OVER = "cut over";
    /** At most this many source transactions, or this long, per target transaction while a backlog is applied. */
    static final int GROUP_TRANSACTIONS = 500;

    static final long GROUP_NANOS = 200_000_000L;
    /**
     * Kinds of objects made only at cutover: a trigger or rule on the target would act again on the changes the
     * migration applies.
     */
    public static final Set<String> AT_CUTOVER = Set.of("trigger", "rule");

    private final Repository repo;
    private final TargetDatabase db;
    private final ChangeApplier changes;
    private final Progress progress;
    private final Progress warnings;
    private final boolean sameEngine;

    /** Where a migration stands: applied up to a log sequence, and how far the log is ahead. */
    public record Status(
            long appliedSequence,
            String appliedCommit,
            long logSequence,
            long lagTransactions,
            double lagSeconds,
            String phase) {
        public String line() {
            return "applied through log sequence " + appliedSequence
                    + (appliedCommit == null ? "" : " (commit " + appliedCommit + ")") + "; lag " + lagTransactions
                    + " transactions, " + String.format(Locale.ROOT, "%.1f", lagSeconds) + " s";
        }
    }

    /**
     * @param progress what the restore and the migration are doing
     * @param warnings what the target refused while following (the migration goes on; cutover checks again)
     */
    public Migration(Repository repo, TargetDatabase db, Progress progress, Progress warnings) {
        this.repo = repo;
        this.db = db;
        this.changes = db.changes();
        this.progress = progress;
        this.warnings = warnings;
        this.sameEngine = repo.identity().sourceEngine().binlog() == db.engine().binlog();
    }

    /** The saved progress, or null when the target holds no migration of this repository. */
    public Map<String, String> state() {
        Map<String, String> s = changes.state();
        if (s.isEmpty()) {
            return null;
        }
        if (!repo.identity().repositoryId().equals(s.get(REPOSITORY))) {
            throw new RestoreException("the target holds a migration of another repository (" + s.get(REPOSITORY)
                    + "): migrate into a new, empty database");
        }
        return s;
    }

    /** Restores the state at {@code to} (latest, or an instant) and records it as the migration's start. */
    public RestoreReport start(RestoreTarget to, int jobs, ObjectRestore.Options objects) {
        // the progress commits with the restored rows, so a kill leaves either an empty target or a migration that
        // resumes
        return new Restore(repo, progress)
                .jobs(jobs)
                .objectOptions(objects.deferring(AT_CUTOVER))
                .finishing((target, lastSequence, lastCommitMicros) -> {
                    changes.prepareState();
                    Map<String, String> s = new LinkedHashMap<>();
                    s.put(REPOSITORY, repo.identity().repositoryId());
                    s.put(SEQUENCE, Long.toString(lastSequence));
                    s.put(COMMIT, lastCommitMicros == Long.MIN_VALUE ? "" : Long.toString(lastCommitMicros));
                    s.put(PHASE, FOLLOWING);
                    changes.saveState(s);
                })
                .run(to, db);
    }

    /**
     * Applies the log after the saved sequence; with {@code keepFollowing} waits for more until
     * {@code stop} says so, else returns once the log's end is applied. Stops for good before the
     * first transaction that committed after {@code untilMicros} (null: never).
     */
    public Status follow(
            boolean keepFollowing, Long untilMicros, long pollMillis, BooleanSupplier stop, Consumer<Status> report)
            throws InterruptedException {
        Group group = resume();
        while (true) {
            boolean reachedUntil = applyLogged(group, untilMicros, stop, report);
            if (reachedUntil || !keepFollowing || stop.getAsBoolean()) {
                Status done = status(group.applied, group.appliedCommit);
                report.accept(done);
                return done;
            }
            if (System.currentTimeMillis() - group.lastReport > 5000) {
                report.accept(status(group.applied, group.appliedCommit));
                group.lastReport = System.currentTimeMillis();
            }
            Thread.sleep(pollMillis);
        }
    }

    /**
     * The saved progress, refused when there is none or the migration was cut over, with the session set for the
     * source's engine.
     */
    private Group resume() {
        Map<String, String> s = state();
        if (s == null) {
            throw new RestoreException(
                    "the target holds no migration: run 'backtrack migrate' without 'cutover' first");
        }
        if (CUT_OVER.equals(s.get(PHASE))) {
            throw new RestoreException(
                    "the migration into this target was cut over already: the target is live, nothing more is applied");
        }
        // a PostgreSQL log holds the rows a cascade changed, so the target's own foreign key actions must not act on
        // them
        // again; a binlog does not, so they must
        String why = repo.identity().sourceEngine().binlog() ? changes.withForeignKeyRules() : changes.asReplica();
        if (why != null) {
            warnings.report(why);
        }
        return new Group(
                Long.parseLong(s.get(SEQUENCE)),
                s.get(COMMIT).isEmpty() ? Long.MIN_VALUE : Long.parseLong(s.get(COMMIT)));
    }

    /**
     * Applies what the log holds after the group's progress, in groups of transactions; returns whether
     * it stopped at a transaction that committed after {@code untilMicros}.
     */
    private boolean applyLogged(Group group, Long untilMicros, BooleanSupplier stop, Consumer<Status> report) {
        try (LogCursor cursor = repo.readLog(group.applied + 1)) {
            boolean inParts = false;
            boolean reachedUntil = false;
            try {
                while (cursor.hasNext()) {
                    Transaction tx = cursor.next();
                    if (untilMicros != null && tx.commitMicros() > untilMicros) {
                        reachedUntil = true;
                        break;
                    }
                    if (tx.continued() && !inParts) {
                        // a transaction logged in parts gets a target transaction of its own, so a missing last part
                        // rolls back only it
                        group.commit();
                    }
                    inParts = tx.continued();
                    boolean definition = applyTransaction(group, tx);
                    if (tx.continued()) {
                        continue;
                    }
                    group.add(tx);
                    // a backlog is applied in groups; a caught-up migration commits each transaction
                    if (definition || group.full() || stop.getAsBoolean() || !cursor.hasNext()) {
                        group.commit();
                        if (System.currentTimeMillis() - group.lastReport > 2000) {
                            report.accept(status(group.applied, group.appliedCommit));
                            group.lastReport = System.currentTimeMillis();
                        }
                        if (stop.getAsBoolean()) {
                            break;
                        }
                    }
                }
                if (!inParts) {
                    group.commit();
                }
                // what is left open is the first parts of a transaction whose rest is not logged yet
                group.abandon();
                return reachedUntil;
            } catch (RuntimeException e) {
                group.abandon();
                throw e;
            }
        }
    }

    /** One source transaction (or part) into the open target transaction; returns whether it changed a definition. */
    private boolean applyTransaction(Group group, Transaction tx) {
        group.begin();
        boolean definition = false;
        // a statement that changed several tables or objects (a partitioned table and its partitions) is run once
        Set<String> replayed = new HashSet<>();
        makeJoinedTables(tx);
        for (RowChange c : tx.changes()) {
            if (c.op() == Op.SCHEMA || c.op() == Op.DROP) {
                // MariaDB commits a DDL at once: what precedes it is committed with its progress first
                definition = true;
                group.commit();
                group.begin();
            }
            if (c.op() == Op.MESSAGE && ObjectSet.PREFIX.equals(c.after()[0])) {
                applyObjects((String) c.after()[1], replayed);
                definition = true;
            } else {
                apply(tx, c, replayed);
            }
        }
        return definition;
    }

    /**
     * The open target transaction: the source transactions applied in it that are not yet committed
     * with their progress, and the progress committed so far.
     */
    private final class Group {
        long applied;
        long appliedCommit;
        /** When progress was last reported (ms). */
        long lastReport;

        private boolean open;
        private int size;
        private long sequence;
        private long commitMicros;
        private long started;

        Group(long applied, long appliedCommit) {
            this.applied = applied;
            this.appliedCommit = appliedCommit;
        }

        void begin() {
            if (!open) {
                db.begin();
                open = true;
                started = System.nanoTime();
            }
        }

        void add(Transaction tx) {
            size++;
            sequence = tx.sequence();
            commitMicros = tx.commitMicros();
        }

        boolean full() {
            return size >= GROUP_TRANSACTIONS || System.nanoTime() - started > GROUP_NANOS;
        }

        /**
         * Saves the progress through the group's last transaction in the open target transaction and commits; nothing
         * when it holds none.
         */
        void commit() {
            if (size == 0) {
                return;
            }
            changes.saveState(Map.of(SEQUENCE, Long.toString(sequence), COMMIT, Long.toString(commitMicros)));
            db.commit();
            open = false;
            size = 0;
            applied = sequence;
            appliedCommit = commitMicros;
        }

        /** Rolls back whatever is still open. */
        void abandon() {
            if (open) {
                db.rollback();
                open = false;
                size = 0;
            }
        }
    }

    private void apply(Transaction tx, RowChange c, Set<String> replayed) {
        if (c.op() == Op.MESSAGE) {
            // sequence values and marks: cutover sets sequences from the source itself
            return;
        }
        TableSchema table = repo.schemas().get(c.schemaId());
        switch (c.op()) {
            case INSERT, UPDATE, DELETE, TRUNCATE -> changes.apply(table, c);
            case SCHEMA -> {
                String statement = c.after() == null || c.after().length < 2 ? "" : String.valueOf(c.after()[1]);
                if (!sameEngine || statement.isBlank()) {
                    throw new RestoreException(
                            "table " + table.qualifiedName() + " changed definition at log sequence " + tx.sequence()
                                    + " ("
                                    + (statement.isBlank()
                                            ? "no statement was captured"
                                            : statement.split("\n")[0]) + "), which a "
                                    + (sameEngine ? "" : "cross-engine ")
                                    + "migration cannot replay: apply it to the target by hand, then migrate "
                                    + "again from a new restore");
                }
                // a statement on triggers or rules alone waits for cutover, which makes them as they are then
                if (!onCutoverKindsAlone(statement) && replayed.add(statement)) {
                    changes.execute(statement);
                }
            }
            case DROP -> {
                // the DROP statement itself when the source logged it (DROP TABLE parent drops its partitions too),
                // else the table alone
                String statement = c.after() == null || c.after().length < 2 ? "" : String.valueOf(c.after()[1]);
                if (!sameEngine
                        || statement.isBlank()
                        || replayed.contains(statement)
                        || db.replay(statement) != null) {
                    db.dropTable(table);
                } else {
                    replayed.add(statement);
                }
            }
            default -> throw new IllegalStateException("a " + c.op() + " change cannot be applied");
        }
    }

    private static final Pattern CUTOVER_KINDS_STATEMENT = Pattern.compile(
            "(?is)\\s*(ALTER\\s+TABLE\\s+(IF\\s+EXISTS\\s+)?(ONLY\\s+)?[^,;]+?\\s+(ENABLE|DISABLE)\\s+((ALWAYS|"
                    + "REPLICA)\\s+)?(TRIGGER|RULE)\\s[^,;]*"
                    + "|(CREATE|ALTER|DROP)\\s+(OR\\s+REPLACE\\s+)?(CONSTRAINT\\s+)?(TRIGGER|RULE)\\s.*);?\\s*");

    /**
     * Whether a table's logged statement only changes its triggers or rules (a table's definition
     * change may carry it when the table's version moved for another reason): those are made at cutover.
     */
    static boolean onCutoverKindsAlone(String statement) {
        return CUTOVER_KINDS_STATEMENT.matcher(statement).matches();
    }

    /**
     * Before a transaction's statements run: the tables it changes that the target does not have and
     * that no statement of it creates, made from their definitions. They joined capture later (given a
     * key, attached as a partition), so the statement that made them was never logged.
     */
    private void makeJoinedTables(Transaction tx) {
        if (!sameEngine) {
            return;
        }
        for (RowChange c : tx.changes()) {
            if (c.op() != Op.SCHEMA || c.after() == null || c.after().length < 2) {
                continue;
            }
            TableSchema table = repo.schemas().get(c.schemaId());
            // a table known before under another name was renamed, not made: the statement renames it
            boolean knownBefore = repo.schemas().all().stream()
                    .anyMatch(v -> v.relationId() == table.relationId() && v.id() < table.id());
            if (!knownBefore
                    && !String.valueOf(c.after()[1])
                            .stripLeading()
                            .toUpperCase(Locale.ROOT)
                            .startsWith("CREATE")
                    && !db.has(table)) {
                db.createTables(List.of(table), Map.of());
                db.addKeys(List.of(table));
                db.addIndexes(List.of(table));
            }
        }
    }

    /**
     * Makes the target's objects (views, functions, ...) as a logged definition change says: its DDL
     * statement replayed (unless the transaction ran it already), then each object it names made as
     * defined where it still differs. What the target refuses is reported, not fatal: cutover checks.
     */
    private void applyObjects(String message, Set<String> replayed) {
        if (!sameEngine) {
            return;
        }
        ObjectSet.Change change = ObjectSet.change(message);
        Predicate<String> cutoverKinds = id -> AT_CUTOVER.stream().anyMatch(k -> id.startsWith(k + " "));
        // a statement on triggers or rules alone waits for cutover, which makes them as they are then
        boolean deferred =
                !change.touched().isEmpty() && change.touched().stream().allMatch(cutoverKinds);
        if (change.query() != null && !deferred && !replayed.contains(change.query())) {
            String refusal = db.replay(change.query());
            if (refusal == null) {
                replayed.add(change.query());
            } else {
                warnings.report("the target refused the source's statement "
                        + change.query().strip().split("\n")[0] + " (" + refusal
                        + "); making its objects from their definitions");
            }
        }
        Set<String> touched = change.touched();
        List<String> refused = db.syncObjects(
                new ObjectSet(change.objects()),
                id -> (change.full() || touched.contains(id)) && !cutoverKinds.test(id));
        refused.forEach(
                r -> warnings.report("the target refused " + r + " (migrate cutover makes it again or reports it)"));
    }

    /**
     * The migration's lag behind the log: transactions not applied yet, and the commit-time distance to the log's last
     * one.
     */
    public Status status(long applied, long appliedCommit) {
        LogSummary log = repo.logSummary();
        long behind = Math.max(0, log.lastSequence() - applied);
        double seconds = behind == 0 || appliedCommit == Long.MIN_VALUE
                ? 0
                : Math.max(0, (log.maxCommitMicros() - appliedCommit) / 1e6);
        return new Status(
                applied,
                appliedCommit == Long.MIN_VALUE ? null : Micros.format(appliedCommit),
                log.lastSequence(),
                behind,
                seconds,
                FOLLOWING);
    }

    /** Marks the migration as cut over: the target is live, a later follow refuses. */
    public void finish() {
        db.begin();
        try {
            changes.saveState(Map.of(PHASE, CUT_OVER));
            db.commit();
        } catch (RuntimeException e) {
            db.rollback();
            throw e;
        }
    }
}
