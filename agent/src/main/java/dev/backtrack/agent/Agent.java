package dev.backtrack.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.config.BacktrackConfig;
import dev.backtrack.config.CheckpointSchedule;
import dev.backtrack.config.RetentionConfig;
import dev.backtrack.config.SourceConfig;
import dev.backtrack.config.TableFilter;
import dev.backtrack.connectors.SourceCatalog;
import dev.backtrack.connectors.SourceCatalogs;
import dev.backtrack.connectors.SourceException;
import dev.backtrack.connectors.mariadb.MariaDbCatalog;
import dev.backtrack.connectors.mariadb.MariaDbObjects;
import dev.backtrack.connectors.mariadb.MariaDbSettings;
import dev.backtrack.connectors.postgres.CaptureSettings;
import dev.backtrack.connectors.postgres.DdlCapture;
import dev.backtrack.connectors.postgres.PostgresCatalog;
import dev.backtrack.connectors.postgres.PostgresObjects;
import dev.backtrack.repository.LockedException;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.checkpoint.CheckpointKinds;
import dev.backtrack.repository.checkpoint.CheckpointWriter;
import dev.backtrack.repository.checkpoint.Checkpoints;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.gap.Gaps;
import dev.backtrack.repository.history.SourceHistory;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.repository.position.BinlogPosition;
import dev.backtrack.repository.position.Lsn;
import dev.backtrack.repository.position.Positions;
import dev.backtrack.repository.redolog.LogSummary;
import dev.backtrack.repository.redolog.RedoLog;
import dev.backtrack.repository.retention.Retention;
import dev.backtrack.repository.schema.TableSchema;
import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import org.apache.kafka.connect.source.SourceRecord;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

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
        try (SourceCatalog catalog = SourceCatalogs.connect(source)) {
            catalog.checkCapturePrerequisites();
            List<String> tables = catalog.tables(source.tablesInclude(), source.tablesExclude());
            if (tables.isEmpty()) {
                throw new SourceException("no table to capture in database '" + source.database() + "': create the tables first or fix source.tables-include");
            }
            catalog.checkReadable(tables);
            catalog.checkSupportedTypes(tables);
            boolean followDdl = catalog instanceof PostgresCatalog pg && ddlCapture(pg, source);
            Repository repo = Repository.openOrCreate(config.repository().path(), catalog.engine(), catalog.systemIdentifier(), source.database(),
                    config.repository().passphraseChars());
            try (FileChannel lock = repo.lockForWriting();
                 RedoLog log = RedoLog.openForAppend(repo.logDir(), config.repository().segmentBytes(), config.repository().compressionLevel())) {
                // only the agent holding the repository touches the source: a second one stops at the lock above
                if (followDdl) {
                    DdlCapture.install((PostgresCatalog) catalog, source.publication(), source.tablesInclude(), source.tablesExclude());
                    // the whole set into the stream (logged when the slot exists), and the set each DDL is compared with
                    DdlCapture.recordAllObjects((PostgresCatalog) catalog);
                }
                captureAcrossUnreadableDdl(catalog, tables, followDdl, repo, log);
            }
        } catch (IOException e) {
            throw new RepositoryException("cannot close the redo log: " + e.getMessage(), e);
        }
    }

    /**
     * Why the source can no longer stream from where the log ends, or null when it can: PostgreSQL's
     * replication slot is gone, or the binlog file the agent's offset names was purged.
     */
    private String lostStream(SourceCatalog catalog, String offsetJson) {
        if (catalog instanceof PostgresCatalog pg) {
            return pg.slotExists(config.source().slot()) ? null : "replication slot '" + config.source().slot() + "' was gone from the source";
        }
        String file;
        try {
            file = new ObjectMapper().readTree(offsetJson.isEmpty() ? "{}" : offsetJson).path("file").asText("");
        } catch (JsonProcessingException e) {
            throw new RepositoryException("the source offset stored in " + config.repository().path() + " is not JSON: run 'backtrack verify'", e);
        }
        MariaDbCatalog m = (MariaDbCatalog) catalog;
        return file.isEmpty() || m.binlogFiles().contains(file) ? null : "binlog file " + file + " was purged from the source before the agent read all of it";
    }

    /** Whether a qualified table name is one the configuration captures (binlog sources: also tables created later). */
    static Predicate<String> capturedTables(SourceConfig source) {
        TableFilter selected = TableFilter.of(source.tablesInclude(), source.tablesExclude());
        String prefix = source.database() + ".";
        return name -> name.startsWith(prefix) && selected.test(name);
    }

    /** Whether the DDL event triggers are to be installed: configured and possible (a superuser). Reads only. */
    private boolean ddlCapture(PostgresCatalog catalog, SourceConfig source) {
        if (source.captureDdl().equals("off")) {
            return false;
        }
        if (!DdlCapture.possible(catalog)) {
            if (source.captureDdl().equals("on")) {
                throw new SourceException("source.capture-ddl is 'on' but role '" + source.user() + "' is not a superuser, which event triggers need: "
                        + "run the agent as a superuser once to install them, or set source.capture-ddl: auto");
            }
            out.println("note: role " + source.user() + " is not a superuser, so table definition changes are not captured by trigger;"
                    + " a changed table is re-read from the catalog when its changes stop matching (see docs/OPERATIONS.md, 'Limits that still exist')");
            return false;
        }
        return true;
    }

    /**
     * Captures; when Debezium's MariaDB/MySQL DDL parser cannot read a statement (MariaDB's
     * {@code REF_SYSTEM_ID}, for one), its tables can no longer be decoded past it: a gap is recorded
     * and capture starts again from a fresh checkpoint, whose snapshot reads the definitions as the
     * server writes them. Three in a row stop the agent.
     */
    private void captureAcrossUnreadableDdl(SourceCatalog catalog, List<String> tables, boolean followDdl, Repository repo, RedoLog log) {
        for (int gaps = 0; ; gaps++) {
            try {
                capture(catalog, tables, followDdl, repo, log);
                return;
            } catch (AgentException e) {
                String statement = catalog instanceof MariaDbCatalog ? unreadableDdl(e) : null;
                if (statement == null || stopping || gaps == 2) {
                    throw e;
                }
                recordGap(repo, log, publishedCheckpoints(repo), "Debezium's DDL parser could not read the statement '" + statement + "'");
                finished = new CountDownLatch(1);
                failure.set(null);
                tables = catalog.tables(config.source().tablesInclude(), config.source().tablesExclude());
            }
        }
    }

    /** The statement Debezium's DDL parser failed on (its start), or null for any other failure. */
    static String unreadableDdl(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getClass().getName().equals("io.debezium.text.ParsingException")) {
                String m = String.valueOf(c.getMessage());
                int at = m.indexOf("statement '");
                String statement = at < 0 ? m : m.substring(at + "statement '".length()).replaceAll("'\\s*$", "");
                statement = statement.replaceAll("\\s+", " ");
                return statement.length() > 160 ? statement.substring(0, 160) + "..." : statement;
            }
        }
        return null;
    }

    /** Records that changes after the last logged transaction were not captured, so the next capture starts from a fresh checkpoint. */
    private Gaps.Gap recordGap(Repository repo, RedoLog log, List<Manifest> checkpoints, String reason) {
        LogSummary summary = repo.logSummary();
        long afterMicros = Math.max(checkpoints.get(checkpoints.size() - 1).timeMicros(), summary.isEmpty() ? Long.MIN_VALUE : summary.maxCommitMicros());
        Gaps.Gap gap = new Gaps.Gap(log.nextSequence() - 1, afterMicros, log.lastPosition(), Instant.now().toString(), reason, null, null, null);
        Gaps.record(repo.path(), gap);
        out.println("warning: " + reason + ", so changes after " + Micros.format(afterMicros)
                + " were not captured: recorded a gap; taking a fresh checkpoint to start a new recoverable window");
        return gap;
    }

    /**
     * One capture run: the first checkpoint when there is none (or after a gap), the offsets the engine
     * resumes from, the background work (status line, link watch, checkpoints, sequence values), then
     * the engine until it stops.
     */
    private void capture(SourceCatalog catalog, List<String> tables, boolean followDdl, Repository repo, RedoLog log) {
        List<Manifest> checkpoints = publishedCheckpoints(repo);
        TableVersions versions = new TableVersions(repo.schemas(), catalog);
        FirstCheckpoint first = firstCheckpoint(catalog, tables, followDdl, repo, log, checkpoints, versions);
        String repoKey = repo.path().toString();
        registerOffsets(repoKey, log, checkpoints, first);
        BinlogEvents binlog = catalog instanceof MariaDbCatalog m ? new BinlogEvents(m, versions, capturedTables(config.source())) : null;
        RepositorySpace space = new RepositorySpace(out, repo.path());
        CaptureConsumer consumer = new CaptureConsumer(repo.path(), log, versions, first == null ? FirstCheckpoint.NONE : first, status, binlog, space);
        Background background = startBackground(catalog, followDdl, repo, log, space);
        try {
            runEngine(catalog, tables, followDdl, repo, consumer);
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
    private FirstCheckpoint firstCheckpoint(SourceCatalog catalog, List<String> tables, boolean followDdl, Repository repo, RedoLog log,
                                            List<Manifest> checkpoints, TableVersions versions) {
        SourceConfig source = config.source();
        PostgresCatalog pg = catalog instanceof PostgresCatalog p ? p : null;
        Gaps.Gap openGap = Gaps.open(repo.path());
        String lost = checkpoints.isEmpty() || openGap != null ? null
                : lostStream(catalog, !log.lastSourceOffset().isEmpty() ? log.lastSourceOffset() : checkpoints.get(checkpoints.size() - 1).sourceOffset());
        if (lost != null) {
            // changes since the last logged transaction were never seen: say so in the repository before anything else
            openGap = recordGap(repo, log, checkpoints, lost);
        }
        if (!checkpoints.isEmpty() && openGap == null) {
            if (pg != null) {
                for (String t : tables) {
                    versions.refresh(t, log.nextSequence());
                }
            }
            return null;
        }
        if (checkpoints.isEmpty() && log.nextSequence() > 1) {
            throw new RepositoryException("repository " + repo.path() + " has a redo log but no checkpoint: it is damaged, start a new repository");
        }
        List<TableSchema> described = new ArrayList<>();
        if (pg != null) {
            // a slot left by a crash during the first snapshot would make the snapshot overlap the stream
            pg.dropSlot(source.slot());
            for (String t : tables) {
                described.add(versions.refresh(t, log.nextSequence()));
            }
        } else {
            // the snapshot records the connector's schema history anew, and announces each table before its rows
            new SourceHistory(repo.path()).clear();
        }
        String id = Checkpoints.freeLabel(repo.checkpointsDir(), catalog.nowMicros(), "F");
        FirstCheckpoint first = new FirstCheckpoint(new CheckpointZero(new CheckpointWriter(repo.checkpointsDir(), id, config.repository().compressionLevel()),
                described, log.nextSequence()), catalog, openGap);
        first.checkpoint.objects(catalog.objects(source.tablesInclude(), source.tablesExclude()),
                pg == null ? MariaDbObjects.BY_BINLOG : followDdl ? PostgresObjects.BY_TRIGGER : PostgresObjects.POLLED);
        out.println((openGap != null ? "after the gap: taking checkpoint " : "first run: taking checkpoint ") + id + " of " + tables.size()
                + " tables from a consistent snapshot");
        return first;
    }

    /** Where the engine resumes: the log's last offset, or the newest checkpoint's, or (while a snapshot is being taken) the snapshot's. */
    private static void registerOffsets(String repoKey, RedoLog log, List<Manifest> checkpoints, FirstCheckpoint snapshot) {
        String checkpointOffset = checkpoints.isEmpty() ? "" : checkpoints.get(checkpoints.size() - 1).sourceOffset();
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
    private record Background(ScheduledExecutorService ticker, ScheduledExecutorService watcher, ScheduledExecutorService checkpointer,
                              SequenceTicker sequences) {
        void stop() {
            ticker.shutdownNow();
            watcher.shutdownNow();
            checkpointer.shutdownNow();
            awaitQuietly(checkpointer);
            awaitQuietly(ticker);
            awaitQuietly(watcher);
            if (sequences != null) {
                sequences.close();
            }
        }
    }

    /** The status line every 10 s, the source link's watch, scheduled checkpoints and (PostgreSQL) sequence values. */
    private Background startBackground(SourceCatalog catalog, boolean followDdl, Repository repo, RedoLog log, RepositorySpace space) {
        SourceConfig source = config.source();
        boolean pg = catalog instanceof PostgresCatalog;
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "backtrack-status"));
        SourceLink link = new SourceLink(out, CaptureSettings.TOPIC_PREFIX);
        // its own thread: the status thread can wait for a query timeout while the source is unreachable
        ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "backtrack-link"));
        watcher.scheduleWithFixedDelay(link::check, 1, 1, TimeUnit.SECONDS);
        long every = config.agent().schedule().tick().toMillis();
        ScheduledExecutorService checkpointer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "backtrack-checkpointer"));
        checkpointer.scheduleWithFixedDelay(() -> checkpoint(repo, log), every, every, TimeUnit.MILLISECONDS);
        SequenceTicker sequences = pg ? new SequenceTicker(source, out, () -> status.lastLoggedAtMillis, !followDdl) : null;
        // on the ticker's thread, so the status line may use the sequence ticker's connection (not while the source is unreachable)
        ticker.scheduleAtFixedRate(() -> out.println(status.line() + link.lagPart() + link.statusPart() + space.statusPart()
                + (sequences == null || link.disconnected() ? "" : sequences.slotLine(config.agent().walWarningBytes()))), 10, 10, TimeUnit.SECONDS);
        if (sequences != null) {
            long tick = source.heartbeatInterval().toMillis();
            ticker.scheduleWithFixedDelay(() -> {
                if (!Checkpoints.list(repo.checkpointsDir(), false).isEmpty()) {
                    sequences.tick();
                }
            }, tick, tick, TimeUnit.MILLISECONDS);
        }
        return new Background(ticker, watcher, checkpointer, sequences);
    }

    /** Runs the Debezium engine with this source's settings until it stops (a failure is kept in {@link #failure}). */
    private void runEngine(SourceCatalog catalog, List<String> tables, boolean followDdl, Repository repo, CaptureConsumer consumer)
            throws InterruptedException {
        SourceConfig source = config.source();
        PostgresCatalog pg = catalog instanceof PostgresCatalog p ? p : null;
        if (pg != null) {
            // the connector's sessions take the JVM's time zone, and PostgreSQL's text of a composite, range or array spells
            // instants in it: UTC, as fresh checkpoints and the DDL trigger spell them, so a row reads alike every way
            TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
        }
        engine = DebeziumEngine.create(Connect.class)
                .using(pg != null ? CaptureSettings.of(source, tables, pg.partitionedTables(source.tablesInclude(), source.tablesExclude()), followDdl,
                                repo.path(), LogOffsetStore.class.getName(), config.agent().maxBatchSize())
                        : MariaDbSettings.of(source, tables, repo.path(), LogOffsetStore.class.getName(), config.agent().maxBatchSize()))
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
        out.println("capturing " + tables.size() + " tables from " + source.database() + " into " + repo.path());
        finished.await();
    }

    /**
     * Published checkpoints; the partial directories a crash left are removed, unless a {@code backtrack
     * checkpoint} holds the checkpoint lock: the partial directory may then be the one it is writing.
     */
    private static List<Manifest> publishedCheckpoints(Repository repo) {
        try (FileChannel building = repo.lockForCheckpoint()) {
            return Checkpoints.list(repo.checkpointsDir(), true);
        } catch (LockedException busy) {
            return Checkpoints.list(repo.checkpointsDir(), false);
        } catch (IOException e) {
            throw new RepositoryException("cannot release " + repo.path().resolve("checkpoint.lock") + ": " + e.getMessage(), e);
        }
    }

    /** Writes the checkpoint the schedule says is due (full, differential or incremental), when the log has moved on. */
    private void checkpoint(Repository repo, RedoLog log) {
        try {
            List<Manifest> all = Checkpoints.list(repo.checkpointsDir(), false);
            if (all.isEmpty()) {
                return;
            }
            long[] newest = CheckpointKinds.newest(all);
            Manifest last = all.get(all.size() - 1);
            CheckpointSchedule schedule = config.agent().schedule();
            // the log's size matters only to a volume rule; the writer knows where the log ends without reading its tail
            long logBytes = schedule.incrLogBytes() > 0 ? LogSummary.bytesFrom(repo.logDir(), last.nextSequence(), log.nextSequence() - 1) : 0;
            String kind = schedule.due(System.currentTimeMillis() * 1000, newest[0], newest[1], newest[2], logBytes);
            if (kind == null) {
                return;
            }
            long through = log.nextSequence() - 1;
            long started = System.nanoTime();
            Manifest m;
            try (FileChannel building = repo.lockForCheckpoint()) {
                m = CheckpointKinds.build(repo, kind, through, config.repository().compressionLevel(), Positions.formatter(repo.identity().engine()));
            }
            if (m != null) {
                out.println("checkpoint " + m.id() + " written: " + describe(m) + " through log sequence " + through + ", "
                        + m.rows() + " rows, " + m.bytes() / 1024 + " KiB, in " + (System.nanoTime() - started) / 1_000_000 + " ms");
                RetentionConfig keep = config.retention();
                if (!keep.keepsAll()) {
                    Retention.Plan plan = Retention.plan(repo, keep.checkpoints(), keep.window(), System.currentTimeMillis() * 1000);
                    Retention.apply(repo, plan);
                    out.println(Retention.summary(plan, false));
                }
            }
        } catch (RuntimeException | IOException e) {
            // a stop interrupts the checkpoint in progress, which removes what it wrote (CheckpointWriter.abandon)
            out.println(stopping ? "checkpoint rolled back: the agent is stopping (the next start writes it)" : "checkpoint skipped: " + rootMessage(e));
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
                throw new IllegalStateException("snapshot row for " + table.qualifiedName() + " after checkpoint 0 was written");
            }

            public void notification(String aggregateType, String type, Map<String, ?> offset) {
            }
        };
        final CheckpointZero checkpoint;
        final SourceCatalog catalog;
        /** The snapshot's binlog position (binlog sources), from the engine offsets the snapshot's events carry. */
        volatile Map<String, ?> snapshotOffset;
        /** The gap this checkpoint ends, or null on a first run. */
        final Gaps.Gap gap;
        volatile Manifest manifest;

        FirstCheckpoint(CheckpointZero checkpoint, SourceCatalog catalog, Gaps.Gap gap) {
            this.checkpoint = checkpoint;
            this.catalog = catalog;
            this.gap = gap;
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
                case "ABORTED" -> throw new SourceException("the initial snapshot was aborted by the connector: see the log above, then restart the agent");
                default -> { }
            }
        }

        private void publish() {
            if (!checkpoint.hasStarted()) {
                checkpoint.started(catalog.nowMicros());
            }
            long position;
            String positionText;
            Map<String, Object> fallback = new LinkedHashMap<>();
            if (catalog instanceof PostgresCatalog pg) {
                position = pg.slotConfirmedLsn(config.source().slot());
                positionText = Lsn.format(position);
                fallback.put("lsn", position);
                fallback.put("snapshot_completed", true);
                fallback.put("ts_usec", catalog.nowMicros());
            } else {
                Map<String, ?> at = snapshotOffset;
                if (at == null) {
                    throw new SourceException("the snapshot ended without a binlog position: restart the agent");
                }
                // the binlog position the snapshot is consistent with: every later transaction's events lie after it
                position = BinlogPosition.of(at);
                positionText = Positions.binlogText(at);
                fallback.putAll(at);
                fallback.remove("snapshot");
            }
            manifest = checkpoint.finish(position, positionText, CaptureConsumer.json(fallback), catalog.sequences(), catalog.sequenceDefinitions());
            if (gap != null) {
                Gaps.close(config.repository().path(), manifest.timeMicros(), manifest.nextSequence(), manifest.id());
                out.println("the gap ends at checkpoint " + manifest.id() + " (" + manifest.time() + "): restores before "
                        + Micros.format(gap.afterMicros()) + " or from " + manifest.time() + " on");
            }
            long rows = manifest.tables().stream().mapToLong(Manifest.TableEntry::rows).sum();
            out.println("checkpoint " + manifest.id() + " written: " + rows + " rows in " + manifest.tables().size()
                    + " tables as of " + Micros.format(manifest.timeMicros()) + " (" + (catalog instanceof PostgresCatalog ? "LSN " : "binlog ") + manifest.positionText() + ")");
        }
    }
}
