package dev.backtrack.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.backtrack.agent.Agent;
import dev.backtrack.config.BacktrackConfig;
import dev.backtrack.config.ConfigLoader;
import dev.backtrack.config.SourceConfig;
import dev.backtrack.connectors.postgres.CaptureSettings;
import dev.backtrack.connectors.postgres.Lsn;
import dev.backtrack.connectors.postgres.PostgresCatalog;
import dev.backtrack.connectors.postgres.PostgresTarget;
import dev.backtrack.recovery.Progress;
import dev.backtrack.recovery.Restore;
import dev.backtrack.recovery.RestoreReport;
import dev.backtrack.recovery.RestoreTarget;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.redolog.LogCursor;
import dev.backtrack.repository.redolog.LogSummary;
import dev.backtrack.repository.redolog.RedoLog;
import dev.backtrack.testkit.PostgresCluster;
import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The foundation figures, each beside its anchor measured in the same run on the same throw-away,
 * durable PostgreSQL (fsync, synchronous_commit and full_page_writes on):
 * <ol>
 *   <li>drain of a pgbench backlog: the agent (fsync'd log) vs the bare Debezium engine with a no-op
 *       consumer and the same connector properties vs pg_recvlogical (test_decoding, and pgoutput);</li>
 *   <li>redo log bytes per row change vs WAL bytes per row change of the same workload;</li>
 *   <li>restore to latest (checkpoint 0 of pgbench -i plus the backlog) vs pg_restore -j 2 of a
 *       pg_dump -Fc of the same state.</li>
 * </ol>
 * A benchmark, not a test: it reports whatever it measures and only fails when something does not work.
 */
public final class FoundationBench {
    private static final String DB = "bench";
    private static final String AGENT_SLOT = "backtrack";
    /** pgbench's deltas are within ±5000: a history row with this delta (plus a run number) marks the end of a workload. */
    private static final int MARKER_DELTA = 1_000_000_000;
    private static final long WAIT_NANOS = TimeUnit.MINUTES.toNanos(15);

    private final Options o;
    private final Map<String, Object> json = new LinkedHashMap<>();
    private PostgresCluster pg;
    private String bin;
    private Path work;
    private Path repo;
    private BacktrackConfig config;
    private List<String> tables;

    private FoundationBench(Options o) {
        this.o = o;
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        FoundationBench b = new FoundationBench(o);
        int code = 0;
        try {
            b.run();
        } catch (Throwable t) {
            System.out.println();
            System.out.println("BENCHMARK DID NOT COMPLETE: " + t);
            t.printStackTrace(System.out);
            b.json.put("error", String.valueOf(t));
            code = 1;
        }
        b.write();
        System.exit(code);
    }

    private void run() throws Exception {
        Map<String, Object> env = new LinkedHashMap<>();
        json.put("environment", env);
        env.putAll(Jvm.describe());
        env.put("cores", Runtime.getRuntime().availableProcessors());
        env.put("options", o.toMap());
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("fsync", "on");
        settings.put("synchronous_commit", "on");
        settings.put("full_page_writes", "on");
        settings.put("shared_buffers", "'512MB'");
        settings.put("max_wal_size", "'4GB'");
        env.put("postgresql_settings", settings);
        step("JVM: " + env.get("jvm_heap") + "; " + env.get("jvm_arguments"));
        work = Files.createTempDirectory("backtrack-bench-");
        env.put("fdatasync_ms_4k", round(fsyncMillis(work), 3));
        step("fdatasync of a 4 KiB append on the bench disk: " + env.get("fdatasync_ms_4k") + " ms");

        try (PostgresCluster cluster = PostgresCluster.start(settings)) {
            pg = cluster;
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "bench-pg-stop"));
            bin = pg.binDirectory().toString();
            env.put("postgresql", pg.queryOne("postgres", "SELECT version()"));
            pg.createDatabase(DB);
            step("pgbench -i -s " + o.scale);
            long t0 = System.nanoTime();
            pgbench("-i", "-s", "" + o.scale, "-q");
            env.put("pgbench_init_seconds", round(secs(t0), 2));
            pg.execute(DB, "ALTER TABLE pgbench_history REPLICA IDENTITY FULL");

            repo = work.resolve("repo");
            Path yaml = work.resolve("backtrack.yaml");
            // capture-ddl off: the agent then uses the same 5-argument CaptureSettings.of the bare engine gets
            Files.writeString(yaml, "source:\n  url: " + pg.jdbcUrl(DB) + "\n  user: postgres\n  slot: " + AGENT_SLOT
                    + "\n  capture-ddl: off\nrepository:\n  path: " + repo + "\n");
            config = new ConfigLoader(Map.of()).read(yaml);
            try (PostgresCatalog catalog = PostgresCatalog.connect(pg.jdbcUrl(DB), "postgres", "")) {
                tables = catalog.tables(config.source().tablesInclude(), config.source().tablesExclude());
            }
            env.put("agent_config", Map.of("max_batch_size", config.agent().maxBatchSize(), "compression_level", config.repository().compressionLevel(),
                    "heartbeat_interval", config.source().heartbeatInterval().toString(), "capture_ddl", config.source().captureDdl()));

            checkpointZero();
            warmUp();
            Backlog backlog = backlog();
            drains(backlog);
            restore(backlog);
        }
    }

    // ---------------------------------------------------------------------------------------------- phases

    private void checkpointZero() throws Exception {
        step("checkpoint 0: first agent run snapshots " + String.format(Locale.ROOT, "%,d", o.scale * 100_000L) + " pgbench_accounts rows");
        long t0 = System.nanoTime();
        RunningAgent agent = RunningAgent.start(config);
        waitFor("checkpoint 0", agent, () -> Files.exists(repo.resolve(Repository.ROOT_FILE)) && !Repository.open(repo).checkpoints().isEmpty());
        double s = secs(t0);
        agent.stop();
        long rows = Repository.open(repo).checkpoints().get(0).tables().stream().mapToLong(t -> t.rows()).sum();
        json.put("checkpoint0", Map.of("seconds", round(s, 2), "rows", rows, "rows_per_s", Math.round(rows / s)));
        step(String.format(Locale.ROOT, "  checkpoint 0: %,d rows in %.1f s", rows, s));
    }

    /** A small backlog drained by the agent and by a bare engine, so the measured drains run on compiled code. */
    private void warmUp() throws Exception {
        if (o.warmupTxPerClient <= 0) {
            return;
        }
        step("warm-up: pgbench -t " + o.warmupTxPerClient + " per client, drained by the agent and by a bare engine (not measured)");
        createSlot("bare_warm", "pgoutput");
        pgbench("-c", "" + o.clients, "-j", "" + o.jobs, "-n", "-t", "" + o.warmupTxPerClient);
        long[] marker = marker(1);
        RunningAgent agent = RunningAgent.start(config);
        waitFor("the agent's warm-up drain", agent, () -> Repository.open(repo).logSummary().lastPosition() > marker[1]);
        agent.stop();
        new BareEngine("bare_warm", marker[0]).drain();
        dropSlot("bare_warm");
    }

    private Backlog backlog() throws Exception {
        createSlot("bare", "pgoutput");
        createSlot("recv_test_decoding", "test_decoding");
        createSlot("recv_pgoutput", "pgoutput");
        long txs = (long) o.clients * o.txPerClient;
        step("backlog: pgbench -c " + o.clients + " -j " + o.jobs + " -n -t " + o.txPerClient + " (" + String.format(Locale.ROOT, "%,d", txs)
                + " TPC-B transactions x 4 row changes) with nothing consuming");
        Backlog b = new Backlog();
        b.walBefore = pg.queryOne(DB, "SELECT pg_current_wal_insert_lsn()::text");
        b.statsBefore = walStats();
        b.logBefore = Repository.open(repo).logSummary();
        long t0 = System.nanoTime();
        String out = pgbench("-c", "" + o.clients, "-j", "" + o.jobs, "-n", "-t", "" + o.txPerClient).output();
        double seconds = secs(t0);
        Matcher m = Pattern.compile("number of transactions actually processed: (\\d+)").matcher(out);
        b.transactions = m.find() ? Long.parseLong(m.group(1)) : txs;
        Matcher tps = Pattern.compile("tps = ([0-9.]+)").matcher(out);
        long[] marker = marker(2);
        b.markerDelta = marker[0];
        b.markerLsn = marker[1];
        b.walAfter = pg.queryOne(DB, "SELECT pg_current_wal_insert_lsn()::text");
        b.statsAfter = walStats();
        b.transactions += 1;
        b.rowChanges = 4 * (b.transactions - 1) + 1;
        b.walBytes = Long.parseLong(pg.queryOne(DB, "SELECT pg_wal_lsn_diff('" + b.walAfter + "', '" + b.walBefore + "')::bigint::text"));
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("transactions", b.transactions);
        w.put("row_changes", b.rowChanges);
        w.put("pgbench_seconds", round(seconds, 2));
        w.put("pgbench_tps", tps.find() ? Double.parseDouble(tps.group(1)) : null);
        w.put("wal_bytes", b.walBytes);
        w.put("wal_records", b.statsAfter.get("wal_records") - b.statsBefore.get("wal_records"));
        w.put("wal_full_page_images", b.statsAfter.get("wal_fpi") - b.statsBefore.get("wal_fpi"));
        w.put("checkpoints_during", b.statsAfter.get("checkpoints") - b.statsBefore.get("checkpoints"));
        json.put("backlog", w);
        step(String.format(Locale.ROOT, "  %,d transactions, %,d row changes, %,d WAL bytes in %.1f s (%s tps)", b.transactions, b.rowChanges,
                b.walBytes, seconds, w.get("pgbench_tps")));
        return b;
    }

    private void drains(Backlog b) throws Exception {
        Map<String, Object> drain = new LinkedHashMap<>();
        json.put("drain", drain);

        step("drain 1/4: Backtrack agent, durable log");
        Probe probe = Probe.start(o.profile ? work.resolve("agent.jfr") : null);
        long t0 = System.nanoTime();
        RunningAgent agent = RunningAgent.start(config);
        long[] first = {0};
        waitFor("the agent's drain", agent, () -> {
            LogSummary s = Repository.open(repo).logSummary();
            if (first[0] == 0 && s.lastSequence() > b.logBefore.lastSequence()) {
                first[0] = System.nanoTime();
            }
            return s.lastPosition() > b.markerLsn;
        });
        long done = System.nanoTime();
        double walsender = walsenderCpuSeconds(AGENT_SLOT);
        Map<String, Object> a = probe.stop("agent");
        agent.stop();
        LogCount logged = countLog(b.logBefore.lastSequence() + 1);
        a.put("seconds", round((done - t0) / 1e9, 2));
        a.put("row_changes", b.rowChanges);
        a.put("row_changes_logged", logged.rowChanges);
        a.put("transactions_logged", logged.transactions);
        a.put("other_logged_transactions", logged.other);
        a.put("rows_per_s", Math.round(b.rowChanges / ((done - t0) / 1e9)));
        a.put("rows_per_s_after_first", first[0] == 0 ? null : Math.round(b.rowChanges / ((done - first[0]) / 1e9)));
        a.put("startup_seconds", first[0] == 0 ? null : round((first[0] - t0) / 1e9, 2));
        a.put("walsender_cpu_seconds", walsender);
        a.put("agent_status", agent.lastLine());
        drain.put("agent", a);
        report("agent", a);

        step("drain 2/4: bare Debezium engine, no-op consumer, same connector properties");
        probe = Probe.start(o.profile ? work.resolve("bare.jfr") : null);
        BareEngine bare = new BareEngine("bare", b.markerDelta);
        BareEngine.Result r = bare.drain();
        Map<String, Object> e = probe.stop("bare engine");
        e.put("seconds", round(r.seconds(), 2));
        e.put("row_changes", b.rowChanges);
        e.put("row_changes_seen", r.rowChanges());
        e.put("rows_per_s", Math.round(b.rowChanges / r.seconds()));
        e.put("rows_per_s_after_first", Math.round(b.rowChanges / r.secondsAfterFirst()));
        e.put("startup_seconds", round(r.seconds() - r.secondsAfterFirst(), 2));
        e.put("walsender_cpu_seconds", r.walsenderCpuSeconds());
        e.put("properties_changed_from_capture_settings", bare.changed);
        drain.put("bare_engine", e);
        report("bare engine", e);

        step("drain 3/4: pg_recvlogical, test_decoding, to /dev/null");
        drain.put("pg_recvlogical_test_decoding", recvlogical("recv_test_decoding", b, List.of()));
        step("drain 4/4: pg_recvlogical, pgoutput (proto_version=1, the agent's publication), to /dev/null");
        drain.put("pg_recvlogical_pgoutput", recvlogical("recv_pgoutput", b, List.of("-o", "proto_version=1", "-o",
                "publication_names=" + config.source().publication())));

        Map<String, Object> size = new LinkedHashMap<>();
        LogSummary after = Repository.open(repo).logSummary();
        long logBytes = after.bytes() - b.logBefore.bytes();
        size.put("log_bytes", logBytes);
        size.put("log_row_changes", logged.rowChanges);
        size.put("log_bytes_per_row_change", round((double) logBytes / logged.rowChanges, 2));
        size.put("wal_bytes", b.walBytes);
        size.put("wal_bytes_per_row_change", round((double) b.walBytes / b.rowChanges, 2));
        size.put("compression_level", config.repository().compressionLevel());
        json.put("size", size);
    }

    private Map<String, Object> recvlogical(String slot, Backlog b, List<String> pluginOptions) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<String> cmd = new ArrayList<>(List.of(bin + "/pg_recvlogical", "-h", "127.0.0.1", "-p", "" + pg.port(), "-U", "postgres", "-d", DB,
                "--slot", slot, "--start", "--endpos", b.walAfter, "--no-loop", "-f", "/dev/null"));
        cmd.addAll(pluginOptions);
        double[] cpu = Cpu.machine();
        long t0 = System.nanoTime();
        try {
            pg.runAsPostgres(cmd, 1800);
        } catch (RuntimeException e) {
            m.put("error", e.getMessage());
            step("  did not work: " + e.getMessage());
            return m;
        }
        double s = secs(t0);
        String confirmed = pg.queryOne(DB, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
        m.put("seconds", round(s, 2));
        m.put("row_changes", b.rowChanges);
        m.put("rows_per_s", Math.round(b.rowChanges / s));
        m.put("machine_cpu_busy_percent", Cpu.busyPercent(cpu, Cpu.machine()));
        m.put("slot_confirmed_flush_lsn", confirmed);
        m.put("end_lsn", b.walAfter);
        report("pg_recvlogical", m);
        return m;
    }

    private void restore(Backlog b) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        json.put("restore", r);
        step("restore latest (checkpoint 0 + the log) into a new database");
        pg.execute("postgres", "CHECKPOINT");
        pg.createDatabase("restored_backtrack");
        long t0 = System.nanoTime();
        RestoreReport report;
        try (PostgresTarget target = PostgresTarget.connect(pg.jdbcUrl("restored_backtrack"), "postgres", "")) {
            report = new Restore(Repository.open(repo), Progress.NONE).run(RestoreTarget.parse("latest", null), target);
        }
        double s = secs(t0);
        Map<String, Object> bt = new LinkedHashMap<>();
        bt.put("seconds", round(s, 2));
        bt.put("rows", report.rows());
        bt.put("rows_per_s", Math.round(report.rows() / s));
        bt.put("checkpoint", report.checkpoint());
        bt.put("transactions_replayed", report.transactionsApplied());
        bt.put("changes_replayed", report.changesApplied());
        bt.put("includes_analyze", true);
        r.put("backtrack", bt);
        report("Backtrack restore", bt);

        step("anchor: pg_dump -Fc of the source (not timed in the comparison), then pg_restore -j 2 into a new database");
        Path dump = pg.dataDirectory().getParent().resolve("bench.dump");
        t0 = System.nanoTime();
        pg.runAsPostgres(List.of(bin + "/pg_dump", "-h", "127.0.0.1", "-p", "" + pg.port(), "-U", "postgres", "-Fc", "-f", dump.toString(), DB), 1800);
        double dumpSeconds = secs(t0);
        pg.execute("postgres", "CHECKPOINT");
        pg.createDatabase("restored_pg");
        t0 = System.nanoTime();
        pg.runAsPostgres(List.of(bin + "/pg_restore", "-h", "127.0.0.1", "-p", "" + pg.port(), "-U", "postgres", "-j", "2", "-d", "restored_pg",
                dump.toString()), 1800);
        double restoreSeconds = secs(t0);
        t0 = System.nanoTime();
        pg.execute("restored_pg", "ANALYZE");
        double analyzeSeconds = secs(t0);
        long rows = 0;
        for (String t : tables) {
            rows += Long.parseLong(pg.queryOne("restored_pg", "SELECT count(*)::text FROM " + t));
        }
        Map<String, Object> pr = new LinkedHashMap<>();
        pr.put("seconds", round(restoreSeconds, 2));
        pr.put("rows", rows);
        pr.put("rows_per_s", Math.round(rows / restoreSeconds));
        pr.put("analyze_seconds", round(analyzeSeconds, 2));
        pr.put("pg_dump_seconds", round(dumpSeconds, 2));
        pr.put("dump_bytes", Files.size(dump));
        r.put("pg_restore_j2", pr);
        report("pg_restore -j 2", pr);

        Map<String, Object> same = new LinkedHashMap<>();
        for (String t : tables) {
            String sum = "SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) FROM " + t + " x";
            same.put(t, pg.queryOne(DB, sum).equals(pg.queryOne("restored_backtrack", sum)));
        }
        r.put("backtrack_restore_equals_source", same);
        step("  Backtrack restore equals the source, per table: " + same);
    }

    // ---------------------------------------------------------------------------------------------- the bare engine

    /** The Debezium engine with the agent's connector properties and a consumer that only acknowledges. */
    private final class BareEngine {
        record Result(double seconds, double secondsAfterFirst, long rowChanges, double walsenderCpuSeconds) {
        }

        final String slot;
        final long markerDelta;
        final Map<String, String> changed = new LinkedHashMap<>();

        BareEngine(String slot, long markerDelta) {
            this.slot = slot;
            this.markerDelta = markerDelta;
        }

        Result drain() throws Exception {
            SourceConfig s = config.source();
            SourceConfig mine = new SourceConfig(s.url(), s.user(), s.password(), s.tablesInclude(), s.tablesExclude(), slot, s.publication(),
                    s.captureDdl(), s.heartbeatInterval());
            Properties agentProps = CaptureSettings.of(s, tables, repo, "dev.backtrack.agent.LogOffsetStore", config.agent().maxBatchSize());
            Properties p = CaptureSettings.of(mine, tables, repo, "org.apache.kafka.connect.storage.MemoryOffsetBackingStore",
                    config.agent().maxBatchSize());
            p.setProperty("snapshot.mode", "no_data");
            for (String k : p.stringPropertyNames()) {
                if (!p.getProperty(k).equals(agentProps.getProperty(k))) {
                    changed.put(k, agentProps.getProperty(k) + " -> " + p.getProperty(k));
                }
            }
            AtomicLong rows = new AtomicLong();
            AtomicLong first = new AtomicLong();
            AtomicLong done = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch finished = new CountDownLatch(1);
            long t0 = System.nanoTime();
            DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine = DebeziumEngine.create(Connect.class).using(p)
                    .notifying((records, committer) -> {
                        for (ChangeEvent<SourceRecord, SourceRecord> r : records) {
                            if (r.value().value() instanceof Struct v && v.schema().field("op") != null) {
                                if (rows.incrementAndGet() == 1) {
                                    first.set(System.nanoTime());
                                }
                                if ("c".equals(v.getString("op")) && isMarker(v.getStruct("after"))) {
                                    done.set(System.nanoTime());
                                }
                            }
                            committer.markProcessed(r);
                        }
                        committer.markBatchFinished();
                    })
                    .using((success, message, error) -> {
                        if (!success) {
                            failure.set(error != null ? error : new IllegalStateException(message));
                        }
                        finished.countDown();
                    })
                    .build();
            Thread t = new Thread(engine, "bench-bare-engine");
            t.start();
            long deadline = System.nanoTime() + WAIT_NANOS;
            while (done.get() == 0) {
                if (finished.getCount() == 0 || System.nanoTime() > deadline) {
                    engine.close();
                    throw new IllegalStateException("the bare engine on slot " + slot + " stopped or timed out after " + rows.get() + " row changes",
                            failure.get());
                }
                Thread.sleep(5);
            }
            double walsender = walsenderCpuSeconds(slot);
            engine.close();
            t.join(TimeUnit.MINUTES.toMillis(1));
            return new Result((done.get() - t0) / 1e9, (done.get() - first.get()) / 1e9, rows.get(), walsender);
        }

        private boolean isMarker(Struct after) {
            if (after == null || after.schema().field("delta") == null) {
                return false;
            }
            Object d = after.get("delta");
            return d instanceof Number n && n.longValue() == markerDelta;
        }
    }

    // ---------------------------------------------------------------------------------------------- the agent

    /** An agent on its own thread; its output is kept for the report. */
    private static final class RunningAgent {
        final Agent agent;
        final Thread thread;
        final ByteArrayOutputStream said = new ByteArrayOutputStream();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile boolean ended;

        private RunningAgent(BacktrackConfig config) {
            agent = new Agent(config, new PrintStream(said, true));
            thread = new Thread(() -> {
                try {
                    agent.run();
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    ended = true;
                }
            }, "bench-agent");
        }

        static RunningAgent start(BacktrackConfig config) {
            RunningAgent a = new RunningAgent(config);
            a.thread.start();
            return a;
        }

        void stop() throws InterruptedException {
            agent.stop();
            thread.join(TimeUnit.MINUTES.toMillis(2));
            if (failure.get() != null) {
                throw new IllegalStateException("the agent failed: " + failure.get() + "\nit said:\n" + said, failure.get());
            }
        }

        String lastLine() {
            String[] lines = said.toString().split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                if (lines[i].startsWith("logged ")) {
                    return lines[i];
                }
            }
            return lines[lines.length - 1];
        }
    }

    private interface Condition {
        boolean met() throws Exception;
    }

    private static void waitFor(String what, RunningAgent agent, Condition c) throws Exception {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!c.met()) {
            if (agent.ended) {
                throw new IllegalStateException("the agent ended during " + what + ": " + agent.failure.get() + "\nit said:\n" + agent.said,
                        agent.failure.get());
            }
            if (System.nanoTime() > deadline) {
                agent.agent.stop();
                throw new IllegalStateException(what + " did not finish within 15 minutes; the agent said:\n" + agent.said);
            }
            Thread.sleep(20);
        }
    }

    private record LogCount(long transactions, long rowChanges, long other) {
    }

    /** Transactions and row changes (insert, update, delete) in the log from {@code fromSequence} on. */
    private LogCount countLog(long fromSequence) {
        long txs = 0, rows = 0, other = 0;
        try (LogCursor c = RedoLog.read(Repository.open(repo).logDir(), fromSequence)) {
            while (c.hasNext()) {
                Transaction tx = c.next();
                txs++;
                boolean data = false;
                for (RowChange ch : tx.changes()) {
                    if (ch.op() == Op.INSERT || ch.op() == Op.UPDATE || ch.op() == Op.DELETE) {
                        rows++;
                        data = true;
                    }
                }
                if (!data) {
                    other++;
                }
            }
        }
        return new LogCount(txs, rows, other);
    }

    // ---------------------------------------------------------------------------------------------- PostgreSQL helpers

    private PostgresCluster.ProcessResult pgbench(String... args) {
        List<String> cmd = new ArrayList<>(List.of(bin + "/pgbench", "-h", "127.0.0.1", "-p", "" + pg.port(), "-U", "postgres"));
        cmd.addAll(List.of(args));
        cmd.add(DB);
        return pg.runAsPostgres(cmd, 3600);
    }

    private void createSlot(String name, String plugin) {
        pg.execute(DB, "SELECT pg_create_logical_replication_slot('" + name + "', '" + plugin + "')");
    }

    private void dropSlot(String name) throws InterruptedException {
        for (int i = 0; ; i++) {
            try {
                pg.execute(DB, "SELECT pg_drop_replication_slot('" + name + "')");
                return;
            } catch (RuntimeException stillActive) {
                if (i > 100) {
                    throw stillActive;
                }
                Thread.sleep(100);
            }
        }
    }

    /** Commits one history row with a marker delta; returns {delta, an LSN below its commit}. */
    private long[] marker(int n) throws Exception {
        long delta = MARKER_DELTA + n;
        try (Connection c = pg.connect(DB); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, 1, " + delta + ", now())");
            ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text");
            rs.next();
            long lsn = Lsn.parse(rs.getString(1));
            c.commit();
            return new long[]{delta, lsn};
        }
    }

    private Map<String, Long> walStats() {
        Map<String, Long> m = new HashMap<>();
        m.put("wal_records", Long.parseLong(pg.queryOne(DB, "SELECT wal_records::text FROM pg_stat_wal")));
        m.put("wal_fpi", Long.parseLong(pg.queryOne(DB, "SELECT wal_fpi::text FROM pg_stat_wal")));
        m.put("checkpoints", Long.parseLong(pg.queryOne(DB, "SELECT (checkpoints_timed + checkpoints_req)::text FROM pg_stat_bgwriter")));
        return m;
    }

    /** CPU seconds of the walsender serving a slot so far (it starts with the consumer); null when unknown. */
    private Double walsenderCpuSeconds(String slot) {
        try {
            String pid = pg.queryOne(DB, "SELECT active_pid::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
            if (pid == null) {
                return null;
            }
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return round((Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0, 2);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static double fsyncMillis(Path dir) throws IOException {
        Path f = dir.resolve("fsync-probe");
        byte[] page = new byte[4096];
        int n = 100;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                ch.write(java.nio.ByteBuffer.wrap(page));
                ch.force(false);
            }
            return (System.nanoTime() - t0) / 1e6 / n;
        } finally {
            Files.deleteIfExists(f);
        }
    }

    private static final class Backlog {
        String walBefore, walAfter;
        Map<String, Long> statsBefore, statsAfter;
        LogSummary logBefore;
        long transactions, rowChanges, walBytes, markerDelta, markerLsn;
    }

    // ---------------------------------------------------------------------------------------------- JVM and machine probes

    /** CPU of the machine, of this JVM and of its threads over a phase; with {@code jfr}, a flight recording too. */
    private static final class Probe {
        final double[] machine = Cpu.machine();
        final long jvmCpu = Jvm.processCpuNanos();
        final Map<Long, Long> threads = Jvm.threadCpu();
        final Map<String, Long> gc = Jvm.gc();
        final Path jfrFile;
        final jdk.jfr.Recording recording;

        private Probe(Path jfrFile) throws Exception {
            this.jfrFile = jfrFile;
            if (jfrFile != null) {
                recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
                recording.start();
            } else {
                recording = null;
            }
        }

        static Probe start(Path jfrFile) throws Exception {
            return new Probe(jfrFile);
        }

        Map<String, Object> stop(String label) throws IOException {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("machine_cpu_busy_percent", Cpu.busyPercent(machine, Cpu.machine()));
            m.put("jvm_cpu_seconds", round((Jvm.processCpuNanos() - jvmCpu) / 1e9, 2));
            m.put("jvm_threads_cpu_seconds", Jvm.topThreads(threads, 6));
            Map<String, Long> g = Jvm.gc();
            m.put("gc_count", g.get("count") - gc.get("count"));
            m.put("gc_millis", g.get("millis") - gc.get("millis"));
            if (recording != null) {
                recording.stop();
                recording.dump(jfrFile);
                recording.close();
                m.put("jfr", Jfr.summarize(jfrFile, label));
            }
            return m;
        }
    }

    private static final class Cpu {
        /** {busy, total} jiffies of all CPUs from /proc/stat; zeros when unreadable. */
        static double[] machine() {
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                double total = 0, idle = Double.parseDouble(f[4]) + Double.parseDouble(f[5]);
                for (int i = 1; i < Math.min(f.length, 9); i++) {
                    total += Double.parseDouble(f[i]);
                }
                return new double[]{total - idle, total};
            } catch (IOException | RuntimeException e) {
                return new double[]{0, 0};
            }
        }

        static Double busyPercent(double[] before, double[] after) {
            double total = after[1] - before[1];
            return total <= 0 ? null : round(100 * (after[0] - before[0]) / total, 1);
        }
    }

    static final class Jvm {
        static Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            var rt = ManagementFactory.getRuntimeMXBean();
            var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
            m.put("jvm_arguments", String.join(" ", rt.getInputArguments()));
            m.put("jvm_heap", "initial " + heap.getInit() / (1 << 20) + " MiB, max " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB, GC "
                    + ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).collect(Collectors.joining(" + ")));
            return m;
        }

        static long processCpuNanos() {
            return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
        }

        static Map<Long, Long> threadCpu() {
            ThreadMXBean t = ManagementFactory.getThreadMXBean();
            Map<Long, Long> m = new HashMap<>();
            for (long id : t.getAllThreadIds()) {
                long cpu = t.getThreadCpuTime(id);
                if (cpu >= 0) {
                    m.put(id, cpu);
                }
            }
            return m;
        }

        /** The threads that used the most CPU since {@code before} (threads that ended meanwhile are not seen). */
        static Map<String, Double> topThreads(Map<Long, Long> before, int n) {
            ThreadMXBean t = ManagementFactory.getThreadMXBean();
            Map<String, Double> used = new HashMap<>();
            for (Map.Entry<Long, Long> e : threadCpu().entrySet()) {
                ThreadInfo info = t.getThreadInfo(e.getKey());
                if (info == null) {
                    continue;
                }
                double s = (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / 1e9;
                used.merge(info.getThreadName().replaceAll("\\d+", "N"), s, Double::sum);
            }
            Map<String, Double> top = new LinkedHashMap<>();
            used.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(n)
                    .forEach(e -> top.put(e.getKey(), round(e.getValue(), 2)));
            return top;
        }

        static Map<String, Long> gc() {
            long count = 0, millis = 0;
            for (GarbageCollectorMXBean g : ManagementFactory.getGarbageCollectorMXBeans()) {
                count += Math.max(0, g.getCollectionCount());
                millis += Math.max(0, g.getCollectionTime());
            }
            return Map.of("count", count, "millis", millis);
        }
    }

    /** Where the execution samples of a recording fall: top frames, and the first Backtrack frame of each stack. */
    static final class Jfr {
        static Map<String, Object> summarize(Path file, String label) throws IOException {
            Map<String, Integer> self = new HashMap<>();
            Map<String, Integer> backtrack = new HashMap<>();
            Map<String, Integer> threads = new HashMap<>();
            int samples = 0;
            for (var e : jdk.jfr.consumer.RecordingFile.readAllEvents(file)) {
                if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                    continue;
                }
                samples++;
                var thread = e.getThread("sampledThread");
                threads.merge(thread == null ? "?" : String.valueOf(thread.getJavaName()).replaceAll("\\d+", "N"), 1, Integer::sum);
                var frames = e.getStackTrace().getFrames();
                if (!frames.isEmpty()) {
                    self.merge(frame(frames.get(0)), 1, Integer::sum);
                }
                String own = "(no Backtrack frame)";
                for (var f : frames) {
                    String name = f.getMethod().getType().getName();
                    if (name.startsWith("dev.backtrack.")) {
                        own = frame(f);
                        break;
                    }
                }
                backtrack.merge(own, 1, Integer::sum);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", file.toString());
            m.put("execution_samples", samples);
            m.put("threads", top(threads, 6));
            m.put("top_frames", top(self, 15));
            m.put("innermost_backtrack_frames", top(backtrack, 12));
            return m;
        }

        private static String frame(jdk.jfr.consumer.RecordedFrame f) {
            String type = f.getMethod().getType().getName();
            return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
        }

        private static Map<String, Integer> top(Map<String, Integer> counts, int n) {
            Map<String, Integer> m = new LinkedHashMap<>();
            counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(n)
                    .forEach(e -> m.put(e.getKey(), e.getValue()));
            return m;
        }
    }

    // ---------------------------------------------------------------------------------------------- output

    private static void report(String who, Map<String, Object> m) {
        StringBuilder s = new StringBuilder("  " + who + ": ");
        for (String k : List.of("seconds", "rows_per_s", "rows_per_s_after_first", "machine_cpu_busy_percent", "jvm_cpu_seconds",
                "walsender_cpu_seconds", "gc_count", "gc_millis", "jvm_threads_cpu_seconds")) {
            if (m.get(k) != null) {
                s.append(k).append('=').append(m.get(k)).append("  ");
            }
        }
        step(s.toString().stripTrailing());
    }

    @SuppressWarnings("unchecked")
    private void write() throws IOException {
        String table = table();
        System.out.println();
        System.out.println(table);
        Object drain = json.get("drain");
        if (drain instanceof Map<?, ?> d) {
            for (String who : List.of("agent", "bare_engine")) {
                if (d.get(who) instanceof Map<?, ?> m && m.get("jfr") instanceof Map<?, ?> jfr) {
                    System.out.println("JFR, " + who + " drain (" + jfr.get("execution_samples") + " samples; " + jfr.get("file") + "):");
                    System.out.println("  samples per thread: " + jfr.get("threads"));
                    System.out.println("  top frames:");
                    ((Map<String, Integer>) jfr.get("top_frames")).forEach((k, v) -> System.out.printf(Locale.ROOT, "    %6d  %s%n", v, k));
                    System.out.println("  innermost Backtrack frame of each sample:");
                    ((Map<String, Integer>) jfr.get("innermost_backtrack_frames")).forEach((k, v) -> System.out.printf(Locale.ROOT, "    %6d  %s%n", v, k));
                }
            }
        }
        json.put("table", table.lines().toList());
        Files.createDirectories(o.results);
        String stamp = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString().replace(':', '-');
        Path file = o.results.resolve("foundation-" + stamp + ".json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
        System.out.println("written " + file);
        if (work != null && !o.profile) {
            try (Stream<Path> w = Files.walk(work)) {
                w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        } else if (work != null) {
            System.out.println("kept " + work + " (JFR recordings; the repository)");
        }
    }

    @SuppressWarnings("unchecked")
    private String table() {
        Map<String, Object> env = (Map<String, Object>) json.getOrDefault("environment", Map.of());
        Map<String, Object> backlog = (Map<String, Object>) json.getOrDefault("backlog", Map.of());
        Map<String, Object> drain = (Map<String, Object>) json.getOrDefault("drain", Map.of());
        Map<String, Object> size = (Map<String, Object>) json.getOrDefault("size", Map.of());
        Map<String, Object> restore = (Map<String, Object>) json.getOrDefault("restore", Map.of());
        Map<String, Object> ck = (Map<String, Object>) json.getOrDefault("checkpoint0", Map.of());
        Map<String, Object> agent = (Map<String, Object>) drain.getOrDefault("agent", Map.of());
        Map<String, Object> bare = (Map<String, Object>) drain.getOrDefault("bare_engine", Map.of());
        Map<String, Object> td = (Map<String, Object>) drain.getOrDefault("pg_recvlogical_test_decoding", Map.of());
        Map<String, Object> po = (Map<String, Object>) drain.getOrDefault("pg_recvlogical_pgoutput", Map.of());
        Map<String, Object> bt = (Map<String, Object>) restore.getOrDefault("backtrack", Map.of());
        Map<String, Object> pr = (Map<String, Object>) restore.getOrDefault("pg_restore_j2", Map.of());

        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"figure", "Backtrack", "anchor (same run)", "Backtrack / anchor"});
        String changes = fmt(backlog.get("row_changes"));
        rows.add(new String[]{"drain backlog of " + changes + " row changes", "agent, fsync'd log: " + rate(agent), "bare Debezium engine, no-op: " + rate(bare),
                ratio(agent.get("rows_per_s"), bare.get("rows_per_s"), "x rate")});
        rows.add(new String[]{"", "", "pg_recvlogical test_decoding: " + rate(td), ratio(agent.get("rows_per_s"), td.get("rows_per_s"), "x rate")});
        rows.add(new String[]{"", "", "pg_recvlogical pgoutput: " + rate(po), ratio(agent.get("rows_per_s"), po.get("rows_per_s"), "x rate")});
        rows.add(new String[]{"  same, from the first change on", "agent: " + fmt(agent.get("rows_per_s_after_first")) + "/s",
                "bare engine: " + fmt(bare.get("rows_per_s_after_first")) + "/s",
                ratio(agent.get("rows_per_s_after_first"), bare.get("rows_per_s_after_first"), "x rate")});
        rows.add(new String[]{"bytes per row change", "redo log (zstd " + size.get("compression_level") + "): " + size.get("log_bytes_per_row_change"),
                "WAL: " + size.get("wal_bytes_per_row_change"), ratio(size.get("log_bytes_per_row_change"), size.get("wal_bytes_per_row_change"), "x")});
        rows.add(new String[]{"restore " + fmt(bt.get("rows")) + " rows (ckpt 0 + " + fmt(bt.get("changes_replayed")) + " changes)",
                "restore latest: " + bt.get("seconds") + " s, " + fmt(bt.get("rows_per_s")) + " rows/s",
                "pg_restore -j 2: " + pr.get("seconds") + " s, " + fmt(pr.get("rows_per_s")) + " rows/s", ratio(bt.get("seconds"), pr.get("seconds"), "x time")});
        int[] w = new int[4];
        for (String[] r : rows) {
            for (int i = 0; i < 4; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder s = new StringBuilder();
        for (int j = 0; j < rows.size(); j++) {
            String[] r = rows.get(j);
            s.append(String.format(Locale.ROOT, "| %-" + w[0] + "s | %-" + w[1] + "s | %-" + w[2] + "s | %-" + w[3] + "s |%n", (Object[]) r));
            if (j == 0) {
                s.append("|").append("-".repeat(w[0] + 2)).append("|").append("-".repeat(w[1] + 2)).append("|").append("-".repeat(w[2] + 2))
                        .append("|").append("-".repeat(w[3] + 2)).append("|\n");
            }
        }
        s.append("\n");
        s.append("machine: ").append(env.get("cores")).append(" cores; fdatasync 4 KiB: ").append(env.get("fdatasync_ms_4k")).append(" ms; ")
                .append(env.get("java")).append("\n");
        s.append("JVM: ").append(env.get("jvm_heap")).append("; arguments: ").append(env.get("jvm_arguments")).append("\n");
        s.append("PostgreSQL: ").append(env.get("postgresql_settings")).append("\n");
        s.append("workload: pgbench -s ").append(o.scale).append(", backlog ").append(fmt(backlog.get("transactions"))).append(" transactions at ")
                .append(backlog.get("pgbench_tps")).append(" tps; ").append(fmt(backlog.get("wal_full_page_images"))).append(" full-page images, ")
                .append(backlog.get("checkpoints_during")).append(" checkpoints during it; checkpoint 0: ").append(fmt(ck.get("rows"))).append(" rows in ")
                .append(ck.get("seconds")).append(" s\n");
        s.append("agent drain: ").append(agent.get("agent_status")).append("; JVM CPU ").append(agent.get("jvm_cpu_seconds")).append(" s, walsender CPU ")
                .append(agent.get("walsender_cpu_seconds")).append(" s, machine busy ").append(agent.get("machine_cpu_busy_percent")).append("%, GC ")
                .append(agent.get("gc_count")).append("x/").append(agent.get("gc_millis")).append(" ms; threads ").append(agent.get("jvm_threads_cpu_seconds")).append("\n");
        s.append("bare drain: JVM CPU ").append(bare.get("jvm_cpu_seconds")).append(" s, walsender CPU ").append(bare.get("walsender_cpu_seconds"))
                .append(" s, machine busy ").append(bare.get("machine_cpu_busy_percent")).append("%, GC ").append(bare.get("gc_count")).append("x/")
                .append(bare.get("gc_millis")).append(" ms; threads ").append(bare.get("jvm_threads_cpu_seconds")).append("\n");
        s.append("restore: Backtrack's time includes ANALYZE; pg_restore's does not (ANALYZE after it: ").append(pr.get("analyze_seconds"))
                .append(" s); pg_dump took ").append(pr.get("pg_dump_seconds")).append(" s; restored tables equal the source: ")
                .append(restore.get("backtrack_restore_equals_source")).append("\n");
        return s.toString();
    }

    private static String rate(Map<String, Object> m) {
        if (m.get("error") != null) {
            return "did not run";
        }
        return fmt(m.get("rows_per_s")) + " rows/s (" + m.get("seconds") + " s)";
    }

    private static String ratio(Object a, Object b, String unit) {
        if (!(a instanceof Number x) || !(b instanceof Number y) || y.doubleValue() == 0) {
            return "";
        }
        return String.format(Locale.ROOT, "%.2f%s", x.doubleValue() / y.doubleValue(), unit);
    }

    private static String fmt(Object n) {
        return n instanceof Number x ? String.format(Locale.ROOT, "%,d", x.longValue()) : String.valueOf(n);
    }

    private static void step(String s) {
        System.out.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + "  " + s);
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double round(double d, int places) {
        double f = Math.pow(10, places);
        return Math.round(d * f) / f;
    }

    // ---------------------------------------------------------------------------------------------- options

    record Options(int scale, int clients, int jobs, int txPerClient, int warmupTxPerClient, Path results, boolean profile) {
        static Options parse(String[] args) {
            Map<String, String> m = new HashMap<>(Map.of("--scale", "10", "--clients", "4", "--jobs", "2", "--tx", "15000", "--warmup-tx", "1250",
                    "--results", "bench/results", "--profile", "false"));
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--profile")) {
                    m.put(a, "true");
                } else if (m.containsKey(a) && i + 1 < args.length) {
                    m.put(a, args[++i]);
                } else {
                    System.err.println("usage: FoundationBench [--scale 10] [--clients 4] [--jobs 2] [--tx 15000 (per client)] [--warmup-tx 1250 (per client)]"
                            + " [--results bench/results] [--profile]");
                    System.exit(2);
                }
            }
            return new Options(Integer.parseInt(m.get("--scale")), Integer.parseInt(m.get("--clients")), Integer.parseInt(m.get("--jobs")),
                    Integer.parseInt(m.get("--tx")), Integer.parseInt(m.get("--warmup-tx")), Path.of(m.get("--results")),
                    Boolean.parseBoolean(m.get("--profile")));
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("scale", scale);
            m.put("clients", clients);
            m.put("jobs", jobs);
            m.put("tx_per_client", txPerClient);
            m.put("warmup_tx_per_client", warmupTxPerClient);
            m.put("profile", profile);
            return m;
        }
    }
}
