package dev.backtrack.bench;

import dev.backtrack.agent.Agent;
import dev.backtrack.config.BacktrackConfig;
import dev.backtrack.config.ConfigLoader;
import dev.backtrack.config.SourceConfig;
import dev.backtrack.connectors.postgres.CaptureSettings;
import dev.backtrack.connectors.postgres.PostgresCatalog;
import dev.backtrack.connectors.postgres.PostgresTarget;
import dev.backtrack.recovery.RestoreTarget;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.checkpoint.Checkpoints;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.checkpoint.SyntheticFull;
import dev.backtrack.repository.codec.ByteWriter;
import dev.backtrack.repository.codec.RowCodec;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.position.Lsn;
import dev.backtrack.repository.redolog.LogCursor;
import dev.backtrack.repository.redolog.LogSummary;
import dev.backtrack.repository.redolog.RedoLog;
import dev.backtrack.testkit.PostgresCluster;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
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
    /** pgbench's deltas are within ±5000: a history row with this delta (plus a run number) marks the end of a workload. */
    private static final int MARKER_DELTA = 1_000_000_000;
    private static final long WAIT_NANOS = TimeUnit.MINUTES.toNanos(15);

    private final Options o;
    private final Map<String, Object> json = new LinkedHashMap<>();
    private PostgresCluster pg;
    private String bin;
    private Path work;

    private FoundationBench(Options o) {
        this.o = o;
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        FoundationBench b = new FoundationBench(o);
        Harness.runPart(b.json, b::run, b::write);
    }

    private void run() throws Exception {
        Map<String, Object> env = Harness.environment(json, o.toMap());
        Map<String, String> settings = Harness.durablePostgres();
        env.put("postgresql_settings", settings);
        step("JVM: " + env.get("jvm_heap") + "; arguments: " + env.get("jvm_arguments"));
        if (o.profile) {
            Probe.startRecording();
        }
        work = Files.createTempDirectory("backtrack-bench-");
        env.put("fdatasync_ms_4k", round(fsyncMillis(work), 3));
        step("fdatasync of a 4 KiB append on the bench disk: " + env.get("fdatasync_ms_4k") + " ms");

        env.put("load_average_at_start", loadAverage());
        if (Double.parseDouble(loadAverage().split(" ")[0]) > 0.5) {
            step("note: the machine is not idle (load average " + loadAverage() + "): other work competes for the CPU and skews the figures");
        }
        try (PostgresCluster cluster = startCluster(settings)) {
            pg = cluster;
            Cpu.postmaster = Long.parseLong(Files.readAllLines(pg.dataDirectory().resolve("postmaster.pid")).get(0).trim());
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "bench-pg-stop"));
            bin = pg.binDirectory().toString();
            env.put("postgresql", pg.queryOne("postgres", "SELECT version()"));
            Source main = new Source("bench", "backtrack");
            pg.createDatabase(main.db);
            step("pgbench -i -s " + o.scale);
            long t0 = System.nanoTime();
            pgbench(main.db, "-i", "-s", "" + o.scale, "-q");
            env.put("pgbench_init_seconds", round(secs(t0), 2));
            main.prepare();
            env.put("agent_config", Map.of("max_batch_size", main.config.agent().maxBatchSize(), "compression_level",
                    main.config.repository().compressionLevel(), "heartbeat_interval", main.config.source().heartbeatInterval().toString(),
                    "capture_ddl", main.config.source().captureDdl()));

            warmUp();
            Map<String, Object> ck = checkpointZero(main);
            json.put("checkpoint0", ck);
            step(String.format(Locale.ROOT, "  checkpoint 0: %,d rows in %s s", (Long) ck.get("rows"), ck.get("seconds")));
            // the same capture into an encrypted repository, on its own slot, drained from the same backlog
            Source sealed = new Source(main.db, "backtrack_sealed", "bench-encrypted", "bench passphrase");
            sealed.tables = main.tables;
            Map<String, Object> sealedCk = checkpointZero(sealed);
            json.put("checkpoint0_encrypted", sealedCk);
            Backlog backlog = backlog(main);
            drains(main, backlog, sealed);
            restore(main);
            repositoryFigures(main, sealed);
        }
    }

    /** Retries: another process on the machine can take the free port the cluster picked before it binds. */
    static PostgresCluster startCluster(Map<String, String> settings) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return PostgresCluster.start(settings);
            } catch (IllegalStateException e) {
                if (attempt == 3) {
                    throw e;
                }
                step("PostgreSQL did not start (" + e.getMessage().lines().findFirst().orElse("") + "), trying again");
                Thread.sleep(1000);
            }
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "0 0 0";
        }
    }

    // ---------------------------------------------------------------------------------------------- phases

    /** A captured database: its agent configuration, repository and tables. */
    private final class Source {
        final String db;
        final Path repo;
        final BacktrackConfig config;
        List<String> tables;

        Source(String db, String slot) throws IOException {
            this(db, slot, db, null);
        }

        /** @param passphrase null for a plain repository */
        Source(String db, String slot, String name, String passphrase) throws IOException {
            this.db = db;
            this.repo = work.resolve(name + "-repo");
            Path yaml = work.resolve(name + ".yaml");
            // capture-ddl off: the agent then uses the same 5-argument CaptureSettings.of the bare engine gets
            Files.writeString(yaml, "source:\n  url: " + pg.jdbcUrl(db) + "\n  user: postgres\n  slot: " + slot + "\n  publication: " + slot
                    + "\n  capture-ddl: off\nrepository:\n  path: " + repo + "\n" + (passphrase == null ? "" : "  passphrase: " + passphrase + "\n"));
            this.config = new ConfigLoader(Map.of()).read(yaml);
        }

        /** After pgbench -i: history has no key, so it is captured with its full row. */
        void prepare() {
            pg.execute(db, "ALTER TABLE pgbench_history REPLICA IDENTITY FULL");
            try (PostgresCatalog catalog = PostgresCatalog.connect(pg.jdbcUrl(db), "postgres", "")) {
                tables = catalog.tables(config.source().tablesInclude(), config.source().tablesExclude());
            }
        }

        Path logDir() {
            return Repository.open(repo).logDir();
        }
    }

    private Map<String, Object> checkpointZero(Source s) throws Exception {
        step("checkpoint 0 of " + s.db + ": the agent's first run snapshots every table");
        long t0 = System.nanoTime();
        RunningAgent agent = RunningAgent.start(s.config);
        waitFor("checkpoint 0", agent, () -> Files.exists(s.repo.resolve(Repository.ROOT_FILE)) && !Repository.open(s.repo).checkpoints().isEmpty());
        double seconds = secs(t0);
        agent.stop();
        long rows = Repository.open(s.repo).checkpoints().get(0).tables().stream().mapToLong(t -> t.rows()).sum();
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
        if (o.warmupRounds <= 0 || o.warmupTxPerClient <= 0) {
            return;
        }
        Source warm = new Source("warm", "warm");
        pg.createDatabase(warm.db);
        pg.execute(warm.db, "ALTER DATABASE warm SET synchronous_commit = off");
        pgbench(warm.db, "-i", "-s", "1", "-q");
        warm.prepare();
        checkpointZero(warm);
        createSlot(warm.db, "warm_bare", "pgoutput");
        List<Map<String, Object>> rounds = new ArrayList<>();
        for (int round = 1; round <= o.warmupRounds; round++) {
            step("warm-up " + round + "/" + o.warmupRounds + " (not measured; database warm, synchronous_commit off): pgbench -t " + o.warmupTxPerClient
                    + " per client, drained by an agent and by a bare engine");
            long before = LogSummary.of(warm.logDir()).lastSequence();
            pgbench(warm.db, "-c", "" + o.clients, "-j", "" + o.jobs, "-n", "-t", "" + o.warmupTxPerClient);
            long[] marker = marker(warm.db, round);
            long changes = 4L * o.clients * o.warmupTxPerClient + 1;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("agent", agentDrain(warm, before, marker[1], changes, null));
            r.put("bare_engine", bareDrain(warm, "warm_bare", marker[0], changes, null));
            rounds.add(r);
        }
        json.put("warm_up", rounds);
        dropSlot(warm.db, "warm_bare");
        dropSlot(warm.db, warm.config.source().slot());
    }

    private Backlog backlog(Source s) throws Exception {
        createSlot(s.db, "bare", "pgoutput");
        createSlot(s.db, "recv_test_decoding", "test_decoding");
        createSlot(s.db, "recv_pgoutput", "pgoutput");
        long txs = (long) o.clients * o.txPerClient;
        step("backlog: pgbench -c " + o.clients + " -j " + o.jobs + " -n -t " + o.txPerClient + " (" + String.format(Locale.ROOT, "%,d", txs)
                + " TPC-B transactions x 4 row changes) with nothing consuming");
        Backlog b = new Backlog();
        b.walBefore = pg.queryOne(s.db, "SELECT pg_current_wal_insert_lsn()::text");
        b.statsBefore = walStats();
        b.logBefore = Repository.open(s.repo).logSummary();
        long t0 = System.nanoTime();
        String out = pgbench(s.db, "-c", "" + o.clients, "-j", "" + o.jobs, "-n", "-t", "" + o.txPerClient).output();
        double seconds = secs(t0);
        Matcher m = Pattern.compile("number of transactions actually processed: (\\d+)").matcher(out);
        b.transactions = m.find() ? Long.parseLong(m.group(1)) : txs;
        Matcher tps = Pattern.compile("tps = ([0-9.]+)").matcher(out);
        long[] marker = marker(s.db, 0);
        b.markerDelta = marker[0];
        b.markerLsn = marker[1];
        b.walAfter = pg.queryOne(s.db, "SELECT pg_current_wal_insert_lsn()::text");
        b.statsAfter = walStats();
        b.transactions += 1;
        b.rowChanges = 4 * (b.transactions - 1) + 1;
        b.walBytes = Long.parseLong(pg.queryOne(s.db, "SELECT pg_wal_lsn_diff('" + b.walAfter + "', '" + b.walBefore + "')::bigint::text"));
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
        step(String.format(Locale.ROOT, "  %,d transactions, %,d row changes, %,d WAL bytes in %.1f s (%s tps)", b.transactions, b.rowChanges,
                b.walBytes, seconds, w.get("pgbench_tps")));
        return b;
    }

    private void drains(Source s, Backlog b, Source sealed) throws Exception {
        Map<String, Object> drain = new LinkedHashMap<>();
        json.put("drain", drain);

        step("drain 1/4: Backtrack agent, durable log");
        Map<String, Object> a = agentDrain(s, b.logBefore.lastSequence(), b.markerLsn, b.rowChanges, o.profile ? work.resolve("agent.jfr") : null);
        LogCount logged = countLog(s.logDir(), b.logBefore.lastSequence() + 1);
        a.put("row_changes_logged", logged.rowChanges);
        a.put("transactions_logged", logged.transactions);
        a.put("other_logged_transactions", logged.other);
        drain.put("agent", a);

        step("drain 1b: Backtrack agent, durable log, encrypted repository (AES-256-GCM)");
        Map<String, Object> enc = agentDrain(sealed, 0, b.markerLsn, b.rowChanges, null);
        enc.put("log_bytes", Repository.open(sealed.repo).logSummary().bytes());
        drain.put("agent_encrypted", enc);

        step("drain 2/4: bare Debezium engine, no-op consumer, same connector properties");
        drain.put("bare_engine", bareDrain(s, "bare", b.markerDelta, b.rowChanges, o.profile ? work.resolve("bare.jfr") : null));

        step("drain 3/4: pg_recvlogical, test_decoding, to /dev/null");
        drain.put("pg_recvlogical_test_decoding", recvlogical(s, "recv_test_decoding", b, List.of()));
        step("drain 4/4: pg_recvlogical, pgoutput (proto_version=1, the agent's publication), to /dev/null");
        drain.put("pg_recvlogical_pgoutput", recvlogical(s, "recv_pgoutput", b, List.of("-o", "proto_version=1", "-o",
                "publication_names=" + s.config.source().publication())));

        Map<String, Object> size = new LinkedHashMap<>();
        LogSummary after = Repository.open(s.repo).logSummary();
        long logBytes = after.bytes() - b.logBefore.bytes();
        size.put("log_bytes", logBytes);
        size.put("log_row_changes", logged.rowChanges);
        size.put("log_bytes_per_row_change", round((double) logBytes / logged.rowChanges, 2));
        size.put("wal_bytes", b.walBytes);
        size.put("wal_bytes_per_row_change", round((double) b.walBytes / b.rowChanges, 2));
        size.put("compression_level", s.config.repository().compressionLevel());
        json.put("size", size);
    }

    /** Starts an agent on a backlog and times it until the log holds the transaction committed after {@code markerLsn}. */
    private Map<String, Object> agentDrain(Source s, long sequenceBefore, long markerLsn, long rowChanges, Path jfr) throws Exception {
        Path logDir = s.logDir();
        Probe probe = Probe.start(jfr);
        long t0 = System.nanoTime();
        RunningAgent agent = RunningAgent.start(s.config);
        long[] first = {0};
        waitFor("the agent's drain", agent, () -> {
            LogSummary l = LogSummary.of(logDir);
            if (first[0] == 0 && l.lastSequence() > sequenceBefore) {
                first[0] = System.nanoTime();
            }
            return l.lastPosition() > markerLsn;
        });
        long done = System.nanoTime();
        Double walsender = walsenderCpuSeconds(s.db, s.config.source().slot());
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("seconds", round((done - t0) / 1e9, 2));
        a.put("row_changes", rowChanges);
        a.put("rows_per_s", Math.round(rowChanges / ((done - t0) / 1e9)));
        a.put("rows_per_s_after_first", first[0] == 0 ? null : Math.round(rowChanges / ((done - first[0]) / 1e9)));
        a.put("startup_seconds", first[0] == 0 ? null : round((first[0] - t0) / 1e9, 2));
        a.put("walsender_cpu_seconds", walsender);
        a.putAll(probe.stop("agent"));
        a.put("cpu_us_per_row_change", cpuPerRow(a, rowChanges));
        agent.stop();
        a.put("agent_status", agent.lastLine());
        report("agent", a);
        return a;
    }

    private Map<String, Object> recvlogical(Source s, String slot, Backlog b, List<String> pluginOptions) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<String> cmd = new ArrayList<>(List.of(bin + "/pg_recvlogical", "-h", "127.0.0.1", "-p", "" + pg.port(), "-U", "postgres", "-d", s.db,
                "--slot", slot, "--start", "--endpos", b.walAfter, "--no-loop", "-f", "/dev/null"));
        cmd.addAll(pluginOptions);
        double[] cpu = Cpu.machine();
        double[] processes = Cpu.processes();
        long t0 = System.nanoTime();
        try {
            pg.runAsPostgres(cmd, 1800);
        } catch (RuntimeException e) {
            m.put("error", e.getMessage());
            step("  did not work: " + e.getMessage());
            return m;
        }
        double seconds = secs(t0);
        m.put("seconds", round(seconds, 2));
        m.put("row_changes", b.rowChanges);
        m.put("rows_per_s", Math.round(b.rowChanges / seconds));
        m.put("machine_cpu_busy_percent", Cpu.busyPercent(cpu, Cpu.machine()));
        double[] p = Cpu.processes();
        m.put("bench_and_cluster_cpu_seconds", round(p[0] - processes[0] + p[1] - processes[1], 2));
        m.put("other_processes_cpu_seconds", round(p[2] - processes[2], 2));
        m.put("cpu_us_per_row_change", round((p[0] - processes[0] + p[1] - processes[1]) * 1e6 / b.rowChanges, 1));
        m.put("slot_confirmed_flush_lsn", pg.queryOne(s.db, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'"));
        m.put("end_lsn", b.walAfter);
        report("pg_recvlogical", m);
        return m;
    }

    /** The repository figures: synthetic full build rate, checkpoint size per million rows, encryption's cost on restore. */
    private void repositoryFigures(Source s, Source sealed) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        json.put("repository", r);
        step("synthetic full: checkpoint 0 + the drained log folded into a new full checkpoint");
        Repository repo = Repository.open(s.repo);
        List<Manifest> cps = repo.checkpoints();
        long t0 = System.nanoTime();
        Manifest full = SyntheticFull.build(repo,
                repo.logSummary().lastSequence(), s.config.repository().compressionLevel(), Lsn::format);
        double seconds = secs(t0);
        long rows = full.tables().stream().mapToLong(t -> t.rows()).sum();
        long stored = full.tables().stream().mapToLong(t -> t.bytes()).sum();
        // the same rows without compression: what the row encoding alone takes
        long raw = 0;
        Path dir = repo.dataDir();
        for (var t : full.tables()) {
            long[] bytes = {0};
            Checkpoints.readRows(dir, t, (k, row) -> {
                ByteWriter w = new ByteWriter(64);
                RowCodec.writeRow(w, row);
                bytes[0] += 8 + k.length + w.size();
            });
            raw += bytes[0];
        }
        Map<String, Object> sf = new LinkedHashMap<>();
        sf.put("seconds", round(seconds, 2));
        sf.put("rows", rows);
        sf.put("rows_per_s", Math.round(rows / seconds));
        sf.put("changes_folded", repo.logSummary().lastSequence() - cps.get(cps.size() - 1).nextSequence() + 1);
        r.put("synthetic_full", sf);
        report("synthetic full", sf);
        Map<String, Object> size = new LinkedHashMap<>();
        size.put("bytes_per_million_rows_zstd", Math.round(stored * 1e6 / rows));
        size.put("bytes_per_million_rows_uncompressed", Math.round(raw * 1e6 / rows));
        size.put("compression_level", s.config.repository().compressionLevel());
        r.put("checkpoint_size", size);
        step(String.format(Locale.ROOT, "  checkpoint data per million rows: %.1f MB with zstd %d, %.1f MB uncompressed", stored / (rows / 1e6) / 1e6,
                s.config.repository().compressionLevel(), raw / (rows / 1e6) / 1e6));

        step("restore latest from the encrypted repository into a new database");
        Map<String, Object> er = timedRestore(sealed, "restored_encrypted");
        r.put("restore_encrypted", er);
        report("restore, encrypted repository", er);
    }

    /** Restores the latest state of {@code s} into a new database {@code db} after a server checkpoint; times it. */
    private Map<String, Object> timedRestore(Source s, String db) {
        pg.execute("postgres", "CHECKPOINT");
        pg.createDatabase(db);
        // two loading connections, as pg_restore -j 2 gets below
        Map<String, Object> m = Harness.timedRestore(s.repo, RestoreTarget.parse("latest", null), () -> PostgresTarget.connect(pg.jdbcUrl(db), "postgres", ""), 2)
                .figures();
        m.put("includes_analyze", true);
        return m;
    }

    private void restore(Source s) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        json.put("restore", r);
        step("restore latest (checkpoint 0 + the log) into a new database");
        Map<String, Object> bt = timedRestore(s, "restored_backtrack");
        r.put("backtrack", bt);
        report("Backtrack restore", bt);

        step("anchor: pg_dump -Fc of the source (not part of the comparison), then pg_restore -j 2 into a new database");
        Path dump = pg.dataDirectory().getParent().resolve("bench.dump");
        long t0 = System.nanoTime();
        pg.runAsPostgres(List.of(bin + "/pg_dump", "-h", "127.0.0.1", "-p", "" + pg.port(), "-U", "postgres", "-Fc", "-f", dump.toString(), s.db), 1800);
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
        for (String t : s.tables) {
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
        for (String t : s.tables) {
            String sum = "SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) FROM " + t + " x";
            same.put(t, pg.queryOne(s.db, sum).equals(pg.queryOne("restored_backtrack", sum)));
        }
        r.put("backtrack_restore_equals_source", same);
        step("  Backtrack restore equals the source, per table: " + same);
    }

    // ---------------------------------------------------------------------------------------------- the bare engine

    /**
     * The Debezium engine with the agent's connector properties (only slot, name, offset store and
     * snapshot.mode=no_data differ) and a consumer that only acknowledges and counts, timed until it
     * sees the marker row.
     */
    private Map<String, Object> bareDrain(Source s, String slot, long markerDelta, long rowChanges, Path jfr) throws Exception {
        SourceConfig c = s.config.source();
        Properties agentProps = CaptureSettings.of(c, s.tables, s.repo, "dev.backtrack.agent.LogOffsetStore", s.config.agent().maxBatchSize());
        Properties p = BareEngine.properties(c, s.tables, s.repo, s.config.agent().maxBatchSize(), slot);
        Probe probe = Probe.start(jfr);
        Map<String, Object> e = new LinkedHashMap<>();
        try (BareEngine engine = BareEngine.start(p, v -> "c".equals(v.getString("op")) && Harness.isMarker(v.getStruct("after"), markerDelta))) {
            engine.awaitEnd(WAIT_NANOS);
            Double walsender = walsenderCpuSeconds(s.db, slot);
            double seconds = engine.seconds();
            double afterFirst = engine.secondsAfterFirst();
            e.put("seconds", round(seconds, 2));
            e.put("row_changes", rowChanges);
            e.put("row_changes_seen", engine.rowChanges());
            e.put("rows_per_s", Math.round(rowChanges / seconds));
            e.put("rows_per_s_after_first", Math.round(rowChanges / afterFirst));
            e.put("startup_seconds", round(seconds - afterFirst, 2));
            e.put("walsender_cpu_seconds", walsender);
            e.putAll(probe.stop("bare engine"));
            e.put("cpu_us_per_row_change", cpuPerRow(e, rowChanges));
        }
        e.put("properties_changed_from_capture_settings", BareEngine.differences(agentProps, p));
        report("bare engine", e);
        return e;
    }

    /** CPU time per row change of the consumer's JVM (without its JIT compiler threads) and of the whole PostgreSQL cluster. */
    private static double cpuPerRow(Map<String, Object> m, long rowChanges) {
        double jvm = (Double) m.get("jvm_cpu_seconds") - (Double) m.get("jit_threads_cpu_seconds");
        return round((jvm + (Double) m.get("cluster_cpu_seconds")) * 1e6 / rowChanges, 1);
    }

    // ---------------------------------------------------------------------------------------------- the agent

    /** An agent on its own thread; its output is kept for the report. */
    static final class RunningAgent {
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

    interface Condition {
        boolean met() throws Exception;
    }

    private static void waitFor(String what, RunningAgent agent, Condition c) throws Exception {
        waitFor(what, agent, c, WAIT_NANOS);
    }

    /** Waits until {@code c} holds; fails (stopping the agent) when the agent ended or {@code waitNanos} passed. */
    static void waitFor(String what, RunningAgent agent, Condition c, long waitNanos) throws Exception {
        long deadline = System.nanoTime() + waitNanos;
        while (!c.met()) {
            if (agent.ended) {
                throw new IllegalStateException("the agent ended during " + what + ": " + agent.failure.get() + "\nit said:\n" + agent.said,
                        agent.failure.get());
            }
            if (System.nanoTime() > deadline) {
                agent.agent.stop();
                throw new IllegalStateException(what + " did not finish within " + waitNanos / 60_000_000_000L + " minutes; the agent said:\n" + agent.said);
            }
            Thread.sleep(20);
        }
    }

    record LogCount(long transactions, long rowChanges, long other) {
    }

    /** Transactions and row changes (insert, update, delete) in the log from {@code fromSequence} on. */
    static LogCount countLog(Path logDir, long fromSequence) {
        long txs = 0, rows = 0, other = 0;
        try (LogCursor c = RedoLog.read(logDir, fromSequence)) {
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

    private PostgresCluster.ProcessResult pgbench(String db, String... args) {
        return Harness.pgbench(pg, db, List.of(args));
    }

    private void createSlot(String db, String name, String plugin) {
        pg.execute(db, "SELECT pg_create_logical_replication_slot('" + name + "', '" + plugin + "')");
    }

    private void dropSlot(String db, String name) throws InterruptedException {
        for (int i = 0; ; i++) {
            try {
                pg.execute(db, "SELECT pg_drop_replication_slot('" + name + "')");
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
    private long[] marker(String db, int n) throws Exception {
        long delta = MARKER_DELTA + n;
        return new long[]{delta, Harness.marker(pg, db, delta)};
    }

    private Map<String, Long> walStats() {
        Map<String, Long> m = new HashMap<>();
        m.put("wal_records", Long.parseLong(pg.queryOne("postgres", "SELECT wal_records::text FROM pg_stat_wal")));
        m.put("wal_fpi", Long.parseLong(pg.queryOne("postgres", "SELECT wal_fpi::text FROM pg_stat_wal")));
        m.put("checkpoints", Long.parseLong(pg.queryOne("postgres", "SELECT (checkpoints_timed + checkpoints_req)::text FROM pg_stat_bgwriter")));
        return m;
    }

    private Double walsenderCpuSeconds(String db, String slot) {
        return Harness.walsenderCpuSeconds(pg, db, slot);
    }

    static double fsyncMillis(Path dir) throws IOException {
        Path f = dir.resolve("fsync-probe");
        byte[] page = new byte[4096];
        int n = 100;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                ch.write(ByteBuffer.wrap(page));
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
        final double[] processes = Cpu.processes();
        final long jvmCpu = Jvm.processCpuNanos();
        final Map<Long, Long> threads = Jvm.threadCpu();
        final Map<String, Long> gc = Jvm.gc();
        final long jit = Jvm.jitMillis();
        final Map<String, Double> nativeThreads = Jvm.nativeThreadCpu();
        final Path jfrFile;
        final Instant started = Instant.now();
        /**
         * One recording for the whole run, started before any engine code is compiled: starting a
         * recording mid-run retransforms the JDK's I/O classes, which throws compiled code away and had
         * the JIT busy for most of the drain it meant to profile.
         */
        static volatile jdk.jfr.Recording recording;

        private Probe(Path jfrFile) {
            this.jfrFile = recording == null ? null : jfrFile;
        }

        static void startRecording() throws Exception {
            recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
            recording.start();
        }

        static Probe start(Path jfrFile) {
            return new Probe(jfrFile);
        }

        Map<String, Object> stop(String label) throws IOException {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("machine_cpu_busy_percent", Cpu.busyPercent(machine, Cpu.machine()));
            double[] p = Cpu.processes();
            m.put("cluster_cpu_seconds", round(p[1] - processes[1], 2));
            m.put("other_processes_cpu_seconds", round(p[2] - processes[2], 2));
            m.put("jvm_cpu_seconds", round((Jvm.processCpuNanos() - jvmCpu) / 1e9, 2));
            m.put("jvm_threads_cpu_seconds", Jvm.topThreads(threads, 6));
            Map<String, Long> g = Jvm.gc();
            m.put("gc_count", g.get("count") - gc.get("count"));
            m.put("gc_millis", g.get("millis") - gc.get("millis"));
            Map<String, Double> now = Jvm.nativeThreadCpu();
            m.put("gc_threads_cpu_seconds", round(now.get("gc") - nativeThreads.get("gc"), 2));
            m.put("jit_threads_cpu_seconds", round(now.get("jit") - nativeThreads.get("jit"), 2));
            m.put("jit_compile_seconds", round((Jvm.jitMillis() - jit) / 1e3, 2));
            if (jfrFile != null) {
                Instant ended = Instant.now();
                recording.dump(jfrFile);
                m.put("jfr", Jfr.summarize(jfrFile, started, ended));
            }
            return m;
        }
    }

    static final class Cpu {
        /** The cluster's postmaster; its children are the cluster's processes. */
        static volatile long postmaster = -1;

        /**
         * CPU seconds so far of every process, with the children it has reaped: {this JVM and its
         * children, the bench cluster, everything else}. A process whose parent is gone is counted under
         * init, so "everything else" covers it too; only a process that ends unreaped is missed.
         */
        static double[] processes() {
            long self = ProcessHandle.current().pid();
            Map<Long, long[]> all = new HashMap<>();
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path p : procs.toList()) {
                    String name = p.getFileName().toString();
                    if (!name.chars().allMatch(Character::isDigit)) {
                        continue;
                    }
                    try {
                        String stat = Files.readString(p.resolve("stat"));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        // with the children it has reaped, so a process that ends between two readings is not lost
                        all.put(Long.parseLong(name), new long[]{Long.parseLong(f[1]),
                                Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14])});
                    } catch (IOException | RuntimeException gone) {
                        // ended meanwhile
                    }
                }
            } catch (IOException e) {
                return new double[]{0, 0, 0};
            }
            double[] r = new double[3];
            for (Map.Entry<Long, long[]> e : all.entrySet()) {
                long pid = e.getKey(), parent = e.getValue()[0];
                long grand = all.containsKey(parent) ? all.get(parent)[0] : -1;
                long great = all.containsKey(grand) ? all.get(grand)[0] : -1;
                int who = pid == self || parent == self || grand == self || great == self ? 0 : pid == postmaster || parent == postmaster ? 1 : 2;
                r[who] += e.getValue()[1] / 100.0;
            }
            return r;
        }

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

        static long jitMillis() {
            var c = ManagementFactory.getCompilationMXBean();
            return c != null && c.isCompilationTimeMonitoringSupported() ? c.getTotalCompilationTime() : 0;
        }

        /** CPU seconds so far of the JVM's own threads, from /proc: JIT compiler threads and GC threads. */
        static Map<String, Double> nativeThreadCpu() {
            double jit = 0, gc = 0;
            try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path t : tasks.toList()) {
                    try {
                        String stat = Files.readString(t.resolve("stat"));
                        String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
                        if (comm.startsWith("C1 ") || comm.startsWith("C2 ")) {
                            jit += cpu;
                        } else if (comm.startsWith("GC ") || comm.startsWith("G1 ")) {
                            gc += cpu;
                        }
                    } catch (IOException | RuntimeException gone) {
                        // the thread ended meanwhile
                    }
                }
            } catch (IOException e) {
                // not Linux
            }
            return Map.of("jit", jit, "gc", gc);
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
        static Map<String, Object> summarize(Path file, Instant from, Instant to) throws IOException {
            Map<String, Integer> self = new HashMap<>();
            Map<String, Integer> backtrack = new HashMap<>();
            Map<String, Integer> threads = new HashMap<>();
            int samples = 0;
            for (var e : jdk.jfr.consumer.RecordingFile.readAllEvents(file)) {
                if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null || e.getStartTime().isBefore(from)
                        || e.getStartTime().isAfter(to)) {
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

    static void report(String who, Map<String, Object> m) {
        Harness.report(who, m, List.of("seconds", "rows_per_s", "rows_per_s_after_first", "machine_cpu_busy_percent", "jvm_cpu_seconds",
                "walsender_cpu_seconds", "cluster_cpu_seconds", "other_processes_cpu_seconds", "cpu_us_per_row_change", "jit_threads_cpu_seconds", "gc_threads_cpu_seconds", "jvm_threads_cpu_seconds"));
    }

    @SuppressWarnings("unchecked")
    private void write() throws IOException {
        Harness.writeResults(json, json.containsKey("drain") ? table() : "(no figures)", o.results, "foundation");
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
        if (!o.profile) {
            Harness.deleteTree(work);
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
        rows.add(new String[]{"  CPU us per row change (JVM w/o JIT + PG)", "agent: " + agent.get("cpu_us_per_row_change"),
                "bare engine: " + bare.get("cpu_us_per_row_change") + "; pg_recvlogical td/po: " + td.get("cpu_us_per_row_change") + " / "
                        + po.get("cpu_us_per_row_change"), ratio(agent.get("cpu_us_per_row_change"), bare.get("cpu_us_per_row_change"), "x CPU")});
        rows.add(new String[]{"bytes per row change", "redo log (zstd " + size.get("compression_level") + "): " + size.get("log_bytes_per_row_change"),
                "WAL: " + size.get("wal_bytes_per_row_change"), ratio(size.get("log_bytes_per_row_change"), size.get("wal_bytes_per_row_change"), "x")});
        rows.add(new String[]{"restore " + fmt(bt.get("rows")) + " rows (ckpt 0 + " + fmt(bt.get("changes_replayed")) + " changes)",
                "restore latest: " + bt.get("seconds") + " s, " + fmt(bt.get("rows_per_s")) + " rows/s",
                "pg_restore -j 2: " + pr.get("seconds") + " s, " + fmt(pr.get("rows_per_s")) + " rows/s", ratio(bt.get("seconds"), pr.get("seconds"), "x time")});
        Map<String, Object> enc = (Map<String, Object>) drain.getOrDefault("agent_encrypted", Map.of());
        Map<String, Object> repo = (Map<String, Object>) json.getOrDefault("repository", Map.of());
        Map<String, Object> sf = (Map<String, Object>) repo.getOrDefault("synthetic_full", Map.of());
        Map<String, Object> cs = (Map<String, Object>) repo.getOrDefault("checkpoint_size", Map.of());
        Map<String, Object> er = (Map<String, Object>) repo.getOrDefault("restore_encrypted", Map.of());
        if (!enc.isEmpty()) {
            rows.add(new String[]{"capture into an encrypted repository", "agent, AES-256-GCM: " + rate(enc), "agent, plain: " + rate(agent),
                    ratio(enc.get("rows_per_s"), agent.get("rows_per_s"), "x rate")});
        }
        if (!er.isEmpty()) {
            rows.add(new String[]{"restore from an encrypted repository", "encrypted: " + er.get("seconds") + " s, " + fmt(er.get("rows_per_s")) + " rows/s",
                    "plain: " + bt.get("seconds") + " s", ratio(er.get("seconds"), bt.get("seconds"), "x time")});
        }
        if (!sf.isEmpty()) {
            rows.add(new String[]{"synthetic full (ckpt 0 + " + fmt(sf.get("changes_folded")) + " txs)", fmt(sf.get("rows_per_s")) + " rows/s (" + sf.get("seconds") + " s)",
                    "checkpoint 0 from the source: " + fmt(ck.get("rows_per_s")) + " rows/s", ratio(sf.get("rows_per_s"), ck.get("rows_per_s"), "x rate")});
            rows.add(new String[]{"checkpoint bytes per million rows", "zstd " + cs.get("compression_level") + ": " + fmt(cs.get("bytes_per_million_rows_zstd")),
                    "uncompressed: " + fmt(cs.get("bytes_per_million_rows_uncompressed")),
                    ratio(cs.get("bytes_per_million_rows_zstd"), cs.get("bytes_per_million_rows_uncompressed"), "x")});
        }
        StringBuilder s = new StringBuilder(FoundationBench.table(rows)).append("\n");
        s.append("machine: ").append(env.get("cores")).append(" cores, load average ").append(env.get("load_average_at_start")).append(" at start, ")
                .append(env.get("load_average_at_end")).append(" at end; fdatasync 4 KiB: ").append(env.get("fdatasync_ms_4k")).append(" ms; ")
                .append(env.get("java")).append("\n");
        s.append("JVM: ").append(env.get("jvm_heap")).append("; arguments: ").append(env.get("jvm_arguments")).append("\n");
        s.append("PostgreSQL: ").append(env.get("postgresql_settings")).append("\n");
        s.append("workload: pgbench -s ").append(o.scale).append(", backlog ").append(fmt(backlog.get("transactions"))).append(" transactions at ")
                .append(backlog.get("pgbench_tps")).append(" tps; ").append(fmt(backlog.get("wal_full_page_images"))).append(" full-page images, ")
                .append(backlog.get("checkpoints_during")).append(" checkpoints during it; checkpoint 0: ").append(fmt(ck.get("rows"))).append(" rows in ")
                .append(ck.get("seconds")).append(" s\n");
        s.append("agent drain: ").append(agent.get("agent_status")).append("\n");
        s.append("CPU during the agent drain: ").append(cpu(agent)).append("\n");
        s.append("CPU during the bare drain:  ").append(cpu(bare)).append("\n");
        if (json.get("warm_up") instanceof List<?> rounds) {
            s.append("warm-up (database warm, not measured): ").append(rounds.size()).append(" round(s) of ").append(fmt(4L * o.clients * o.warmupTxPerClient))
                    .append(" row changes; JIT compiler CPU in each round's agent / bare drain:");
            for (Object r : rounds) {
                Map<String, Object> m = (Map<String, Object>) r;
                s.append(" ").append(((Map<String, Object>) m.get("agent")).get("jit_threads_cpu_seconds")).append(" s / ")
                        .append(((Map<String, Object>) m.get("bare_engine")).get("jit_threads_cpu_seconds")).append(" s;");
            }
            s.append("\n");
        }
        s.append("restore: Backtrack's time includes ANALYZE; pg_restore's does not (ANALYZE after it: ").append(pr.get("analyze_seconds"))
                .append(" s); pg_dump took ").append(pr.get("pg_dump_seconds")).append(" s; restored tables equal the source: ")
                .append(restore.get("backtrack_restore_equals_source")).append("\n");
        return s.toString();
    }

    private static String cpu(Map<String, Object> m) {
        return "machine busy " + m.get("machine_cpu_busy_percent") + "%, JVM " + m.get("jvm_cpu_seconds") + " s (JIT compiler threads "
                + m.get("jit_threads_cpu_seconds") + " s, GC threads " + m.get("gc_threads_cpu_seconds") + " s, Java threads "
                + m.get("jvm_threads_cpu_seconds") + "), walsender " + m.get("walsender_cpu_seconds") + " s, whole bench cluster "
                + m.get("cluster_cpu_seconds") + " s, other processes on the machine " + m.get("other_processes_cpu_seconds") + " s";
    }

    private static String rate(Map<String, Object> m) {
        if (m.get("error") != null) {
            return "did not run";
        }
        return fmt(m.get("rows_per_s")) + " rows/s (" + m.get("seconds") + " s)";
    }

    /** Rows of four cells as a markdown table, the first row its header. */
    static String table(List<String[]> rows) {
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
        return s.toString();
    }

    static String ratio(Object a, Object b, String unit) {
        if (!(a instanceof Number x) || !(b instanceof Number y) || y.doubleValue() == 0) {
            return "";
        }
        return String.format(Locale.ROOT, "%.2f%s", x.doubleValue() / y.doubleValue(), unit);
    }

    static String fmt(Object n) {
        return n instanceof Number x ? String.format(Locale.ROOT, "%,d", x.longValue()) : String.valueOf(n);
    }

    static void step(String s) {
        System.out.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + "  " + s);
    }

    static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static double round(double d, int places) {
        double f = Math.pow(10, places);
        return Math.round(d * f) / f;
    }

    // ---------------------------------------------------------------------------------------------- options

    record Options(int scale, int clients, int jobs, int txPerClient, int warmupTxPerClient, int warmupRounds, Path results, boolean profile) {
        static Options parse(String[] args) {
            Map<String, String> m = new HashMap<>(Map.of("--scale", "10", "--clients", "4", "--jobs", "2", "--tx", "15000", "--warmup-tx", "15000",
                    "--warmup-rounds", "1", "--results", "bench/results", "--profile", "false"));
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--profile")) {
                    m.put(a, "true");
                } else if (m.containsKey(a) && i + 1 < args.length) {
                    m.put(a, args[++i]);
                } else {
                    System.err.println("usage: FoundationBench [--scale 10] [--clients 4] [--jobs 2] [--tx 15000 (per client)] [--warmup-tx 15000 (per client)]"
                            + " [--warmup-rounds 1]"
                            + " [--results bench/results] [--profile]");
                    System.exit(2);
                }
            }
            return new Options(Integer.parseInt(m.get("--scale")), Integer.parseInt(m.get("--clients")), Integer.parseInt(m.get("--jobs")),
                    Integer.parseInt(m.get("--tx")), Integer.parseInt(m.get("--warmup-tx")), Integer.parseInt(m.get("--warmup-rounds")), Path.of(m.get("--results")),
                    Boolean.parseBoolean(m.get("--profile")));
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("scale", scale);
            m.put("clients", clients);
            m.put("jobs", jobs);
            m.put("tx_per_client", txPerClient);
            m.put("warmup_tx_per_client", warmupTxPerClient);
            m.put("warmup_rounds", warmupRounds);
            m.put("profile", profile);
            return m;
        }
    }
}
