package dev.backtrack.agent;

import dev.backtrack.capture.postgres.CaptureSettings;
import dev.backtrack.config.BacktrackConfig;
import dev.backtrack.config.CheckpointSchedule;
import dev.backtrack.config.RetentionConfig;
import dev.backtrack.config.SourceConfig;
import dev.backtrack.connectors.SourceCatalog;
import dev.backtrack.connectors.SourceException;
import dev.backtrack.repository.LockedException;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.checkpoint.CheckpointKinds;
import dev.backtrack.repository.checkpoint.CheckpointLabels;
import dev.backtrack.repository.checkpoint.CheckpointWriter;
import dev.backtrack.repository.checkpoint.Checkpoints;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.gap.Gaps;
import dev.backtrack.repository.history.SourceHistory;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.repository.objects.ObjectSet;
import dev.backtrack.repository.position.Positions;
import dev.backtrack.repository.redolog.LogSummary;
import dev.backtrack.repository.redolog.RedoLog;
import dev.backtrack.repository.retention.Retention;
import dev.backtrack.repository.schema.TableSchema;
import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The long-running capture process: first run writes checkpoint 0 from the engine's consistent
 * snapshot, then every committed transaction is appended to the redo log. {@link #run} blocks until
 * {@link #stop} (any thread) or a failure.
 */
public final class Agent {
    private final BacktrackConfig config;
    private final PrintStream out;
    private final CaptureStatus status = new CaptureStatus();
    private volatile CountDownLatch finished = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine;
    private volatile boolean stopping;

    public Agent(BacktrackConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    public void run() {
        SourceConfig source = config.source();
        try (SourceEngine engine = SourceEngines.connect(config, out)) {
            SourceCatalog catalog = engine.catalog();
            catalog.checkCapturePrerequisites();
            List<String> tables = catalog.tables(source.tablesInclude(), source.tablesExclude());
            if (tables.isEmpty()) {
                throw new SourceException("no table to capture in database '" + source.database()
                        + "': create the tables first or fix source.tables-include");
            }
            catalog.checkReadable(tables);
            catalog.checkSupportedTypes(tables);
            engine.check();
            Repository repo = Repository.openOrCreate(
                    config.repository().path(),
                    catalog.engine(),
                    catalog.systemIdentifier(),
                    source.database(),
                    config.repository().passphraseChars());
            try (FileChannel lock = repo.lockForWriting();
                    RedoLog log = RedoLog.openForAppend(
                            repo.logDir(),
                            repo.sealer(),
                            config.repository().segmentBytes(),
                            config.repository().compressionLevel())) {
                // only the agent holding the repository touches the source: a second one stops at the lock above
                engine.prepare();
                captureAcrossUnreadableDdl(engine, tables, repo, log);
            }
        } catch (IOException e) {
            throw new RepositoryException("cannot close the redo log: " + e.getMessage(), e);
        }
    }

    /**
     * Captures; when Debezium's MariaDB/MySQL DDL parser cannot read a statement (MariaDB's
     * {@code REF_SYSTEM_ID}, for one), its tables can no longer be decoded past it: a gap is recorded
     * and capture starts again from a fresh checkpoint, whose snapshot reads the definitions as the
     * server writes them. Three in a row stop the agent.
     */
    private void captureAcrossUnreadableDdl(SourceEngine engine, List<String> tables, Repository repo, RedoLog log) {
        for (int gaps = 0; ; gaps++) {
            try {
                capture(engine, tables, repo, log);
                return;
            } catch (AgentException e) {
                String statement = engine.unreadableDdl(e);
                if (statement == null || stopping || gaps == 2) {
                    throw e;
                }
                recordGap(
                        repo,
                        log,
                        publishedCheckpoints(repo),
                        "Debezium's DDL parser could not read the statement '" + statement + "'");
                finished = new CountDownLatch(1);
                failure.set(null);
                tables = engine.catalog()
                        .tables(config.source().tablesInclude(), config.source().tablesExclude());
            }
        }
    }

    /**
     * Records that changes after the last logged transaction were not captured, so the next capture starts from a fresh
     * checkpoint.
     */
    private Gaps.Gap recordGap(Repository repo, RedoLog log, List<Manifest> checkpoints, String reason) {
        LogSummary summary = repo.logSummary();
        long afterMicros = Math.max(
                checkpoints.get(checkpoints.size() - 1).timeMicros(),
                summary.isEmpty() ? Long.MIN_VALUE : summary.maxCommitMicros());
        Gaps.Gap gap = new Gaps.Gap(
                log.nextSequence() - 1,
                afterMicros,
                log.lastPosition(),
                Instant.now().toString(),
                reason,
                null,
                null,
                null);
        Gaps.record(repo, gap);
        out.println("warning: " + reason + ", so changes after " + Micros.format(afterMicros)
                + " were not captured: recorded a gap; taking a fresh checkpoint to start a new recoverable window");
        return gap;
    }

    /**
     * One capture run: the first checkpoint when there is none (or after a gap), the offsets the engine
     * resumes from, the background work (status line, link watch, checkpoints, sequence values), then
     * the engine until it stops.
     */
    private void capture(SourceEngine engine, List<String> tables, Repository repo, RedoLog log) {
        List<Manifest> checkpoints = publishedCheckpoints(repo);
        TableVersions versions = new TableVersions(repo.schemas(), engine.catalog());
        FirstCheckpoint first = firstCheckpoint(engine, tables, repo, log, checkpoints, versions);
        String repoKey = repo.path().toString();
        registerOffsets(repoKey, log, checkpoints, first);
        RepositorySpace space = new RepositorySpace(out, repo.path());
        CaptureConsumer consumer = new CaptureConsumer(
                repo, log, versions, first == null ? FirstCheckpoint.NONE : first, status, engine, space);
        Background background = startBackground(engine, repo, log, space);
        // the engine instantiates the binlog connector's schema history itself: it borrows the repository's here
        try (SourceHistory.Loan history = new SourceHistory(repo).lend()) {
            runEngine(engine, tables, repo, consumer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            background.stop();
            DurableOffsets.unregister(repoKey);
            if (first != null && first.manifest == null) {
                first.checkpoint.abandon();
            }
        }
        out.println(status.line());
        Throwable t = failure.get();
        if (t != null) {
            throw new AgentException("capture stopped: " + rootMessage(t), t);
        }
    }

    /**
     * The checkpoint this run takes from the engine's snapshot: on the first run, or after a gap (a
     * lost stream is recorded as one first); null when the log goes on from the newest checkpoint.
     */
    private FirstCheckpoint firstCheckpoint(
            SourceEngine engine,
            List<String> tables,
            Repository repo,
            RedoLog log,
            List<Manifest> checkpoints,
            TableVersions versions) {
        SourceConfig source = config.source();
        Gaps.Gap openGap = Gaps.open(repo);
        String lost = checkpoints.isEmpty() || openGap != null
                ? null
                : engine.lostStream(
                        !log.lastSourceOffset().isEmpty()
                                ? log.lastSourceOffset()
                                : checkpoints.get(checkpoints.size() - 1).sourceOffset());
        if (lost != null) {
            // changes since the last logged transaction were never seen: say so in the repository before anything else
            openGap = recordGap(repo, log, checkpoints, lost);
        }
        if (!checkpoints.isEmpty() && openGap == null) {
            engine.resume(tables, versions, log.nextSequence());
            return null;
        }
        if (checkpoints.isEmpty() && log.nextSequence() > 1) {
            throw new RepositoryException("repository " + repo.path()
                    + " has a redo log but no checkpoint: it is damaged, start a new repository");
        }
        List<TableSchema> described = engine.beforeSnapshot(tables, versions, log.nextSequence());
        String id = CheckpointLabels.freeLabel(
                repo.checkpointsDir(), engine.catalog().nowMicros(), "F");
        FirstCheckpoint first = new FirstCheckpoint(
                new CheckpointZero(
                        new CheckpointWriter(
                                repo.checkpointsDir(),
                                repo.sealer(),
                                id,
                                config.repository().compressionLevel()),
                        described,
                        log.nextSequence()),
                engine,
                repo,
                openGap,
                engine.catalog().objects(source.tablesInclude(), source.tablesExclude()));
        out.println((openGap != null ? "after the gap: taking checkpoint " : "first run: taking checkpoint ") + id
                + " of " + tables.size() + " tables from a consistent snapshot");
        return first;
    }

    /**
     * Where the engine resumes: the log's last offset, or the newest checkpoint's, or (while a snapshot is being taken)
     * the snapshot's.
     */
    private static void registerOffsets(
            String repoKey, RedoLog log, List<Manifest> checkpoints, FirstCheckpoint snapshot) {
        String checkpointOffset = checkpoints.isEmpty()
                ? ""
                : checkpoints.get(checkpoints.size() - 1).sourceOffset();
        long snapshotFrom = log.nextSequence();
        DurableOffsets.register(repoKey, () -> {
            if (snapshot != null && log.nextSequence() == snapshotFrom) {
                // nothing logged since the snapshot began: the log's offset (if any) is from before a gap
                return snapshot.manifest != null ? snapshot.manifest.sourceOffset() : "";
            }
            return !log.lastSourceOffset().isEmpty() ? log.lastSourceOffset() : checkpointOffset;
        });
    }

    /** The work beside the engine, each on its own thread; {@link #stop} ends it all. */
    private record Background(
            ScheduledExecutorService ticker,
            ScheduledExecutorService watcher,
            ScheduledExecutorService checkpointer,
            SourceEngine.SideWork side) {
        void stop() {
            ticker.shutdownNow();
            watcher.shutdownNow();
            checkpointer.shutdownNow();
            awaitQuietly(checkpointer);
            awaitQuietly(ticker);
            awaitQuietly(watcher);
            side.close();
        }
    }

    /** The status line every 10 s, the source link's watch, scheduled checkpoints and the engine's side work. */
    private Background startBackground(SourceEngine engine, Repository repo, RedoLog log, RepositorySpace space) {
        SourceConfig source = config.source();
        ScheduledExecutorService ticker =
                Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "backtrack-status"));
        SourceLink link = new SourceLink(out, CaptureSettings.TOPIC_PREFIX);
        // its own thread: the status thread can wait for a query timeout while the source is unreachable
        ScheduledExecutorService watcher =
                Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "backtrack-link"));
        watcher.scheduleWithFixedDelay(link::check, 1, 1, TimeUnit.SECONDS);
        long every = config.agent().schedule().tick().toMillis();
        ScheduledExecutorService checkpointer =
                Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "backtrack-checkpointer"));
        checkpointer.scheduleWithFixedDelay(() -> checkpoint(repo, log), every, every, TimeUnit.MILLISECONDS);
        SourceEngine.SideWork side = engine.sideWork(status);
        // on the ticker's thread, so the status line may use the side work's connection (not while the source is
        // unreachable)
        ticker.scheduleAtFixedRate(
                () -> out.println(status.line()
                        + link.lagPart()
                        + link.statusPart()
                        + space.statusPart()
                        + (link.disconnected()
                                ? ""
                                : side.statusPart(config.agent().walWarningBytes()))),
                10,
                10,
                TimeUnit.SECONDS);
        long tick = source.heartbeatInterval().toMillis();
        ticker.scheduleWithFixedDelay(
                () -> {
                    if (!repo.checkpoints().isEmpty()) {
                        side.tick();
                    }
                },
                tick,
                tick,
                TimeUnit.MILLISECONDS);
        return new Background(ticker, watcher, checkpointer, side);
    }

    /** Runs the Debezium engine with this source's settings until it stops (a failure is kept in {@link #failure}). */
    private void runEngine(SourceEngine source, List<String> tables, Repository repo, CaptureConsumer consumer)
            throws InterruptedException {
        engine = DebeziumEngine.create(Connect.class)
                .using(source.settings(
                        tables,
                        repo.path(),
                        LogOffsetStore.class.getName(),
                        config.agent().maxBatchSize()))
                .notifying(consumer)
                .using((success, message, error) -> {
                    if (!success && !stopping) {
                        failure.set(error != null ? error : new SourceException(message));
                    }
                    finished.countDown();
                })
                .build();
        Thread runner = new Thread(engine, "backtrack-engine");
        runner.start();
        out.println(
                "capturing " + tables.size() + " tables from " + config.source().database() + " into " + repo.path());
        finished.await();
    }

    /**
     * Published checkpoints; the partial directories a crash left are removed, unless a {@code backtrack
     * checkpoint} holds the checkpoint lock: the partial directory may then be the one it is writing.
     */
    private static List<Manifest> publishedCheckpoints(Repository repo) {
        try (FileChannel building = repo.lockForCheckpoint()) {
            return Checkpoints.list(repo.checkpointsDir(), repo.sealer(), true);
        } catch (LockedException busy) {
            return repo.checkpoints();
        } catch (IOException e) {
            throw new RepositoryException(
                    "cannot release " + repo.path().resolve("checkpoint.lock") + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the checkpoint the schedule says is due (full, differential or incremental), when the log has moved on.
     */
    private void checkpoint(Repository repo, RedoLog log) {
        try {
            List<Manifest> all = repo.checkpoints();
            if (all.isEmpty()) {
                return;
            }
            long[] newest = CheckpointKinds.newest(all);
            Manifest last = all.get(all.size() - 1);
            CheckpointSchedule schedule = config.agent().schedule();
            // the log's size matters only to a volume rule; the writer knows where the log ends without reading its
            // tail
            long logBytes = schedule.incrLogBytes() > 0
                    ? LogSummary.bytesFrom(repo.logDir(), last.nextSequence(), log.nextSequence() - 1)
                    : 0;
            String kind = schedule.due(System.currentTimeMillis() * 1000, newest[0], newest[1], newest[2], logBytes);
            if (kind == null) {
                return;
            }
            long through = log.nextSequence() - 1;
            long started = System.nanoTime();
            Manifest m;
            try (FileChannel building = repo.lockForCheckpoint()) {
                m = CheckpointKinds.build(
                        repo,
                        kind,
                        through,
                        config.repository().compressionLevel(),
                        Positions.formatter(repo.identity().sourceEngine()));
            }
            if (m != null) {
                out.println("checkpoint " + m.id() + " written: " + describe(m) + " through log sequence " + through
                        + ", " + m.rows() + " rows, " + m.bytes() / 1024 + " KiB, in "
                        + (System.nanoTime() - started) / 1_000_000 + " ms");
                RetentionConfig keep = config.retention();
                if (!keep.keepsAll()) {
                    Retention.Plan plan =
                            Retention.plan(repo, keep.checkpoints(), keep.window(), System.currentTimeMillis() * 1000);
                    Retention.apply(repo, plan);
                    out.println(Retention.summary(plan, false));
                }
            }
        } catch (RuntimeException | IOException e) {
            // a stop interrupts the checkpoint in progress, which removes what it wrote (CheckpointWriter.abandon)
            out.println(
                    stopping
                            ? "checkpoint rolled back: the agent is stopping (the next start writes it)"
                            : "checkpoint skipped: " + rootMessage(e));
        }
    }

    /** "synthetic full", "differential on top of X", "incremental on top of X". */
    public static String describe(Manifest m) {
        return switch (m.kind()) {
            case Manifest.DIFF -> "differential (net changes since full " + m.parent() + ")";
            case Manifest.INCR -> "incremental (net changes since " + m.parent() + ")";
            default -> "synthetic full";
        };
    }

    private static void awaitQuietly(ScheduledExecutorService executor) {
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops capture: the batch in progress finishes (and is logged) or is not acknowledged. */
    public void stop() {
        stopping = true;
        DebeziumEngine<?> e = engine;
        if (e != null) {
            try {
                e.close();
            } catch (IOException ex) {
                failure.compareAndSet(null, ex);
            }
        }
        finished.countDown();
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            if (c instanceof SourceException || c instanceof RepositoryException) {
                break;
            }
            c = c.getCause();
        }
        String m = String.valueOf(c.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** The snapshot phase of the first run; publishes checkpoint 0 when the engine says the snapshot is complete. */
    private final class FirstCheckpoint implements CaptureConsumer.SnapshotPhase {
        static final CaptureConsumer.SnapshotPhase NONE = new CaptureConsumer.SnapshotPhase() {
            public boolean active() {
                return false;
            }

            public void row(TableSchema table, Object[] row, Map<String, ?> offset) {
                throw new IllegalStateException(
                        "snapshot row for " + table.qualifiedName() + " after checkpoint 0 was written");
            }

            public void notification(String aggregateType, String type, Map<String, ?> offset) {}
        };
        final CheckpointZero checkpoint;
        final SourceEngine engine;
        final Repository repo;
        final SourceCatalog catalog;
        /** The object definitions read as the snapshot began. */
        final ObjectSet objectsAtStart;
        /** The snapshot's binlog position (binlog sources), from the engine offsets the snapshot's events carry. */
        volatile Map<String, ?> snapshotOffset;
        /** The gap this checkpoint ends, or null on a first run. */
        final Gaps.Gap gap;

        volatile Manifest manifest;

        FirstCheckpoint(
                CheckpointZero checkpoint,
                SourceEngine engine,
                Repository repo,
                Gaps.Gap gap,
                ObjectSet objectsAtStart) {
            this.checkpoint = checkpoint;
            this.engine = engine;
            this.repo = repo;
            this.catalog = engine.catalog();
            this.gap = gap;
            this.objectsAtStart = objectsAtStart;
            checkpoint.objects(objectsAtStart, engine.objectsCapture());
        }

        public boolean active() {
            return manifest == null;
        }

        @Override
        public void table(TableSchema table) {
            checkpoint.declare(table);
        }

        public void row(TableSchema table, Object[] row, Map<String, ?> offset) {
            if (!checkpoint.hasStarted()) {
                checkpoint.started(catalog.nowMicros());
            }
            checkpoint.add(table, row, offset);
        }

        public void notification(String aggregateType, String type, Map<String, ?> offset) {
            if (!"Initial Snapshot".equals(aggregateType) || manifest != null) {
                return;
            }
            if (offset != null && offset.get("file") != null) {
                snapshotOffset = offset;
            }
            switch (type) {
                case "STARTED" -> checkpoint.started(catalog.nowMicros());
                case "COMPLETED" -> publish();
                case "ABORTED" ->
                    throw new SourceException(
                            "the initial snapshot was aborted by the connector: see the log above, then "
                                    + "restart the agent");
                default -> {}
            }
        }

        private void publish() {
            if (!checkpoint.hasStarted()) {
                checkpoint.started(catalog.nowMicros());
            }
            SourceEngine.SnapshotEnd end = engine.snapshotEnd(snapshotOffset, objectsAtStart);
            if (end.objects() != null) {
                checkpoint.objects(end.objects(), engine.objectsCapture());
            }
            manifest = checkpoint.finish(
                    end.position(),
                    end.positionText(),
                    CaptureConsumer.json(end.offset()),
                    catalog.sequences(),
                    catalog.sequenceDefinitions());
            if (gap != null) {
                Gaps.close(repo, manifest.timeMicros(), manifest.nextSequence(), manifest.id());
                out.println(
                        "the gap ends at checkpoint " + manifest.id() + " (" + manifest.time() + "): restores before "
                                + Micros.format(gap.afterMicros()) + " or from " + manifest.time() + " on");
            }
            long rows = manifest.tables().stream()
                    .mapToLong(Manifest.TableEntry::rows)
                    .sum();
            out.println("checkpoint " + manifest.id() + " written: " + rows + " rows in "
                    + manifest.tables().size() + " tables as of " + Micros.format(manifest.timeMicros()) + " ("
                    + Positions.label(catalog.engine()) + manifest.positionText() + ")");
        }
    }
}
