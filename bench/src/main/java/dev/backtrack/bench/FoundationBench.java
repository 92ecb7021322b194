package dev.backtrack.bench;

import static dev.backtrack.bench.Figures.round;
import static dev.backtrack.bench.Figures.secs;
import static dev.backtrack.bench.Harness.step;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.redolog.LogSummary;
import dev.backtrack.testkit.PostgresCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    /**
     * pgbench's deltas are within ±5000: a history row with this delta (plus a run number) marks the end of a workload.
     */
    private static final int MARKER_DELTA = 1_000_000_000;

    static final long WAIT_NANOS = TimeUnit.MINUTES.toNanos(15);

    private final FoundationOptions o;
    private final Map<String, Object> json = new LinkedHashMap<>();
    private PostgresCluster pg;
    private BacklogDrains timedDrains;
    private Path work;

    private FoundationBench(FoundationOptions o) {
        this.o = o;
    }

    public static void main(String[] args) throws Exception {
        FoundationOptions o = FoundationOptions.parse(args);
        FoundationBench b = new FoundationBench(o);
        Harness.runPart(b.json, b::run, b::write);
    }

    private void run() throws Exception {
        Map<String, Object> env = Harness.environment(json, o.toMap());
        Map<String, String> settings = Harness.durablePostgres();
        env.put("postgresql_settings", settings);
        step("JVM: " + env.get("jvm_heap") + "; arguments: " + env.get("jvm_arguments"));
        if (o.profile()) {
            DrainProbe.startRecording();
        }
        work = Files.createTempDirectory("backtrack-bench-");
        env.put("fdatasync_ms_4k", round(Machine.fsyncMillis(work), 3));
        step("fdatasync of a 4 KiB append on the bench disk: " + env.get("fdatasync_ms_4k") + " ms");

        env.put("load_average_at_start", Machine.loadAverage());
        if (Double.parseDouble(Machine.loadAverage().split(" ")[0]) > 0.5) {
            step("note: the machine is not idle (load average " + Machine.loadAverage()
                    + "): other work competes for the CPU and skews the figures");
        }
        try (PostgresCluster cluster = Harness.startCluster(settings)) {
            started(cluster, env);
            PgbenchSource main = pgbenchInit(env);

            warmUp();
            Map<String, Object> ck = checkpointZero(main);
            json.put("checkpoint0", ck);
            step(String.format(
                    Locale.ROOT, "  checkpoint 0: %,d rows in %s s", (Long) ck.get("rows"), ck.get("seconds")));
            // the same capture into an encrypted repository, on its own slot, drained from the same backlog
            PgbenchSource sealed =
                    new PgbenchSource(pg, work, main.db, "backtrack_sealed", "bench-encrypted", "bench passphrase");
            sealed.tables = main.tables;
            Map<String, Object> sealedCk = checkpointZero(sealed);
            json.put("checkpoint0_encrypted", sealedCk);
            PgbenchBacklog backlog = backlog(main);
            drains(main, backlog, sealed);
            FoundationRestores restores = new FoundationRestores(pg, json);
            restores.restore(main);
            restores.repositoryFigures(main, sealed);
        }
    }

    /** The cluster just started: its postmaster for the CPU figures, stopped on exit, and its version. */
    private void started(PostgresCluster cluster, Map<String, Object> env) throws IOException {
        pg = cluster;
        Cpu.postmaster = Long.parseLong(Files.readAllLines(pg.dataDirectory().resolve("postmaster.pid"))
                .get(0)
                .trim());
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "bench-pg-stop"));
        timedDrains = new BacklogDrains(pg);
        env.put("postgresql", pg.queryOne("postgres", "SELECT version()"));
    }

    /** The measured database: pgbench -i (timed), prepared for capture; the agent's settings into env. */
    private PgbenchSource pgbenchInit(Map<String, Object> env) throws Exception {
        PgbenchSource main = new PgbenchSource(pg, work, "bench", "backtrack");
        pg.createDatabase(main.db);
        step("pgbench -i -s " + o.scale());
        long t0 = System.nanoTime();
        pgbench(main.db, "-i", "-s", "" + o.scale(), "-q");
        env.put("pgbench_init_seconds", round(secs(t0), 2));
        main.prepare();
        env.put(
                "agent_config",
                Map.of(
                        "max_batch_size",
                        main.config.agent().maxBatchSize(),
                        "compression_level",
                        main.config.repository().compressionLevel(),
                        "heartbeat_interval",
                        main.config.source().heartbeatInterval().toString(),
                        "capture_ddl",
                        main.config.source().captureDdl()));
        return main;
    }

    // ---------------------------------------------------------------------------------------------- phases

    private Map<String, Object> checkpointZero(PgbenchSource s) throws Exception {
        step("checkpoint 0 of " + s.db + ": the agent's first run snapshots every table");
        long t0 = System.nanoTime();
        RunningAgent agent = RunningAgent.start(s.config);
        agent.waitFor(
                "checkpoint 0",
                () -> Files.exists(s.repo.resolve(Repository.ROOT_FILE))
                        && !s.open().checkpoints().isEmpty(),
                WAIT_NANOS);
        double seconds = secs(t0);
        agent.stop();
        long rows = s.open().checkpoints().get(0).tables().stream()
                .mapToLong(t -> t.rows())
                .sum();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", round(seconds, 2));
        m.put("rows", rows);
        m.put("rows_per_s", Math.round(rows / seconds));
        return m;
    }

    /**
     * The same pipeline on a separate database (so neither the measured slots nor the measured log see
     * it), run until the JIT has compiled the streaming paths of both the agent and the bare engine: on
     * 2 cores the compiler threads otherwise take a large share of the CPU during the measured drains.
     */
    private void warmUp() throws Exception {
        if (o.warmupRounds() <= 0 || o.warmupTxPerClient() <= 0) {
            return;
        }
        PgbenchSource warm = new PgbenchSource(pg, work, "warm", "warm");
        pg.createDatabase(warm.db);
        pg.execute(warm.db, "ALTER DATABASE warm SET synchronous_commit = off");
        pgbench(warm.db, "-i", "-s", "1", "-q");
        warm.prepare();
        checkpointZero(warm);
        warm.createSlot("warm_bare", "pgoutput");
        List<Map<String, Object>> rounds = new ArrayList<>();
        for (int round = 1; round <= o.warmupRounds(); round++) {
            step("warm-up " + round + "/" + o.warmupRounds()
                    + " (not measured; database warm, synchronous_commit off): pgbench -t " + o.warmupTxPerClient()
                    + " per client, drained by an agent and by a bare engine");
            long before = LogSummary.of(warm.logDir()).lastSequence();
            pgbench(warm.db, "-c", "" + o.clients(), "-j", "" + o.jobs(), "-n", "-t", "" + o.warmupTxPerClient());
            long[] marker = marker(warm.db, round);
            long changes = 4L * o.clients() * o.warmupTxPerClient() + 1;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("agent", timedDrains.agentDrain(warm, before, marker[1], changes, null));
            r.put("bare_engine", timedDrains.bareDrain(warm, "warm_bare", marker[0], changes, null));
            rounds.add(r);
        }
        json.put("warm_up", rounds);
        warm.dropSlot("warm_bare");
        warm.dropSlot(warm.config.source().slot());
    }

    private PgbenchBacklog backlog(PgbenchSource s) throws Exception {
        s.createSlot("bare", "pgoutput");
        s.createSlot("recv_test_decoding", "test_decoding");
        s.createSlot("recv_pgoutput", "pgoutput");
        long txs = (long) o.clients() * o.txPerClient();
        step("backlog: pgbench -c " + o.clients() + " -j " + o.jobs() + " -n -t " + o.txPerClient() + " ("
                + String.format(Locale.ROOT, "%,d", txs)
                + " TPC-B transactions x 4 row changes) with nothing consuming");
        PgbenchBacklog b = new PgbenchBacklog();
        b.walBefore = pg.queryOne(s.db, "SELECT pg_current_wal_insert_lsn()::text");
        b.statsBefore = walStats();
        b.logBefore = s.open().logSummary();
        long t0 = System.nanoTime();
        String out = pgbench(s.db, "-c", "" + o.clients(), "-j", "" + o.jobs(), "-n", "-t", "" + o.txPerClient())
                .output();
        double seconds = secs(t0);
        Matcher m = Pattern.compile("number of transactions actually processed: (\\d+)")
                .matcher(out);
        b.transactions = m.find() ? Long.parseLong(m.group(1)) : txs;
        Matcher tps = Pattern.compile("tps = ([0-9.]+)").matcher(out);
        long[] marker = marker(s.db, 0);
        b.markerDelta = marker[0];
        b.markerLsn = marker[1];
        b.walAfter = pg.queryOne(s.db, "SELECT pg_current_wal_insert_lsn()::text");
        b.statsAfter = walStats();
        b.transactions += 1;
        b.rowChanges = 4 * (b.transactions - 1) + 1;
        b.walBytes = Long.parseLong(
                pg.queryOne(s.db, "SELECT pg_wal_lsn_diff('" + b.walAfter + "', '" + b.walBefore + "')::bigint::text"));
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("transactions", b.transactions);
        w.put("row_changes", b.rowChanges);
        w.put("pgbench_seconds", round(seconds, 2));
        w.put("pgbench_tps", tps.find() ? Math.round(Double.parseDouble(tps.group(1))) : null);
        w.put("wal_bytes", b.walBytes);
        w.put("wal_records", b.statsAfter.get("wal_records") - b.statsBefore.get("wal_records"));
        w.put("wal_full_page_images", b.statsAfter.get("wal_fpi") - b.statsBefore.get("wal_fpi"));
        w.put("checkpoints_during", b.statsAfter.get("checkpoints") - b.statsBefore.get("checkpoints"));
        json.put("backlog", w);
        step(String.format(
                Locale.ROOT,
                "  %,d transactions, %,d row changes, %,d WAL bytes in %.1f s (%s tps)",
                b.transactions,
                b.rowChanges,
                b.walBytes,
                seconds,
                w.get("pgbench_tps")));
        return b;
    }

    private void drains(PgbenchSource s, PgbenchBacklog b, PgbenchSource sealed) throws Exception {
        Map<String, Object> drain = new LinkedHashMap<>();
        json.put("drain", drain);

        step("drain 1/4: Backtrack agent, durable log");
        Map<String, Object> a = timedDrains.agentDrain(
                s,
                b.logBefore.lastSequence(),
                b.markerLsn,
                b.rowChanges,
                o.profile() ? work.resolve("agent.jfr") : null);
        LogCount logged = LogCount.of(s.open(), b.logBefore.lastSequence() + 1);
        a.put("row_changes_logged", logged.rowChanges());
        a.put("transactions_logged", logged.transactions());
        a.put("other_logged_transactions", logged.other());
        drain.put("agent", a);

        step("drain 1b: Backtrack agent, durable log, encrypted repository (AES-256-GCM)");
        Map<String, Object> enc = timedDrains.agentDrain(sealed, 0, b.markerLsn, b.rowChanges, null);
        enc.put("log_bytes", sealed.open().logSummary().bytes());
        drain.put("agent_encrypted", enc);

        step("drain 2/4: bare Debezium engine, no-op consumer, same connector properties");
        drain.put(
                "bare_engine",
                timedDrains.bareDrain(
                        s, "bare", b.markerDelta, b.rowChanges, o.profile() ? work.resolve("bare.jfr") : null));

        step("drain 3/4: pg_recvlogical, test_decoding, to /dev/null");
        drain.put("pg_recvlogical_test_decoding", timedDrains.recvlogical(s, "recv_test_decoding", b, List.of()));
        step("drain 4/4: pg_recvlogical, pgoutput (proto_version=1, the agent's publication), to /dev/null");
        drain.put(
                "pg_recvlogical_pgoutput",
                timedDrains.recvlogical(
                        s,
                        "recv_pgoutput",
                        b,
                        List.of(
                                "-o",
                                "proto_version=1",
                                "-o",
                                "publication_names=" + s.config.source().publication())));

        Map<String, Object> size = new LinkedHashMap<>();
        LogSummary after = s.open().logSummary();
        long logBytes = after.bytes() - b.logBefore.bytes();
        size.put("log_bytes", logBytes);
        size.put("log_row_changes", logged.rowChanges());
        size.put("log_bytes_per_row_change", round((double) logBytes / logged.rowChanges(), 2));
        size.put("wal_bytes", b.walBytes);
        size.put("wal_bytes_per_row_change", round((double) b.walBytes / b.rowChanges, 2));
        size.put("compression_level", s.config.repository().compressionLevel());
        json.put("size", size);
    }

    // ---------------------------------------------------------------------------------------------- PostgreSQL helpers

    private PostgresCluster.ProcessResult pgbench(String db, String... args) {
        return Harness.pgbench(pg, db, List.of(args));
    }

    /** Commits one history row with a marker delta; returns {delta, an LSN below its commit}. */
    private long[] marker(String db, int n) throws Exception {
        long delta = MARKER_DELTA + n;
        return new long[] {delta, Harness.marker(pg, db, delta)};
    }

    private Map<String, Long> walStats() {
        Map<String, Long> m = new HashMap<>();
        m.put("wal_records", Long.parseLong(pg.queryOne("postgres", "SELECT wal_records::text FROM pg_stat_wal")));
        m.put("wal_fpi", Long.parseLong(pg.queryOne("postgres", "SELECT wal_fpi::text FROM pg_stat_wal")));
        m.put(
                "checkpoints",
                Long.parseLong(pg.queryOne(
                        "postgres", "SELECT (checkpoints_timed + checkpoints_req)::text FROM pg_stat_bgwriter")));
        return m;
    }

    // ---------------------------------------------------------------------------------------------- output

    static void report(String who, Map<String, Object> m) {
        Harness.report(
                who,
                m,
                List.of(
                        "seconds",
                        "rows_per_s",
                        "rows_per_s_after_first",
                        "machine_cpu_busy_percent",
                        "jvm_cpu_seconds",
                        "walsender_cpu_seconds",
                        "cluster_cpu_seconds",
                        "other_processes_cpu_seconds",
                        "cpu_us_per_row_change",
                        "jit_threads_cpu_seconds",
                        "gc_threads_cpu_seconds",
                        "jvm_threads_cpu_seconds"));
    }

    private void write() throws IOException {
        Harness.writeResults(
                json,
                json.containsKey("drain") ? FoundationTable.of(json, o) : "(no figures)",
                o.results(),
                "foundation");
        if (json.get("drain") instanceof Map<?, ?> d) {
            for (String who : List.of("agent", "bare_engine")) {
                if (d.get(who) instanceof Map<?, ?> m && m.get("jfr") instanceof Map<?, ?> jfr) {
                    Jfr.print(who, jfr);
                }
            }
        }
        if (!o.profile()) {
            Harness.deleteTree(work);
        } else if (work != null) {
            System.out.println("kept " + work + " (JFR recordings; the repository)");
        }
    }
}
