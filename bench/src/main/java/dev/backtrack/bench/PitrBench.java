package dev.backtrack.bench;

import static dev.backtrack.bench.Figures.fmt;
import static dev.backtrack.bench.Figures.round;
import static dev.backtrack.bench.Figures.secs;
import static dev.backtrack.bench.Harness.step;

import dev.backtrack.cli.demo.CrmSchema;
import dev.backtrack.connectors.postgres.PostgresTarget;
import dev.backtrack.recovery.RestoreTarget;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.checkpoint.SyntheticFull;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.repository.position.Lsn;
import dev.backtrack.repository.redolog.LogSummary;
import dev.backtrack.testkit.PostgresCluster;
import dev.backtrack.testkit.PostgresPitr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Restore to an instant against PostgreSQL's own answers, on one throw-away durable cluster that
 * archives its WAL: pgbench TPC-B plus the CRM mix ({@link CrmMix}) in one database, captured by
 * {@code backtrack agent} in its own JVM (so its memory can be read), while
 * <ol>
 *   <li>a steady {@code --rate} transactions/s runs: capture lag p50/p99 (commit to in the log) and the
 *       agent's peak RSS; an instant T is taken from the source's clock mid-run;</li>
 *   <li>a backlog of the same mix is drained by the agent vs {@code pg_recvlogical} (pgoutput);</li>
 *   <li>restore to T: Backtrack ({@code restore --to T --jobs N}) vs PostgreSQL's PITR (a copy of
 *       the base backup replaying the archived WAL to {@code recovery_target_time = T}) vs
 *       {@code pg_restore -j N} of a {@code pg_dump} of that recovered server (the dump at T);
 *       Backtrack's result is compared table by table with PostgreSQL's;</li>
 *   <li>log bytes vs WAL bytes per row change of the steady window; synthetic full build rate vs
 *       {@code pg_dump -Fd -j N}; loading a checkpoint alone vs {@code pg_restore}'s row rate.</li>
 * </ol>
 */
public final class PitrBench {
    static final String DB = "crm";
    private static final long WAIT_NANOS = TimeUnit.MINUTES.toNanos(15);

    private final PitrOptions o;
    private final Map<String, Object> json = new LinkedHashMap<>();
    private PostgresCluster pg;
    private PostgresPitr pitr;
    private Path work;
    private Path shared;
    private Path repo;
    private Path config;
    private List<String> tables;

    private PitrBench(PitrOptions o) {
        this.o = o;
    }

    public static void main(String[] args) throws Exception {
        PitrBench b = new PitrBench(PitrOptions.parse(args));
        Harness.runPart(b.json, b::run, b::write);
    }

    private void run() throws Exception {
        Map<String, Object> env = Harness.environment(json, o.toMap());
        work = Files.createTempDirectory("backtrack-pitr-bench-");
        env.put("fdatasync_ms_4k", round(Machine.fsyncMillis(work), 3));
        env.put("load_average_at_start", Machine.loadAverage());
        step("PITR benchmark; load average " + Machine.loadAverage() + "; fdatasync of 4 KiB "
                + env.get("fdatasync_ms_4k") + " ms");
        Map<String, String> settings = Harness.durablePostgres();
        try (PostgresPitr archive = PostgresPitr.create()) {
            pitr = archive;
            settings.putAll(pitr.settings());
            env.put("postgresql_settings", settings);
            try (PostgresCluster cluster = Harness.startCluster(settings)) {
                pg = cluster;
                Cpu.postmaster =
                        Long.parseLong(Files.readAllLines(pg.dataDirectory().resolve("postmaster.pid"))
                                .get(0)
                                .trim());
                Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "bench-pg-stop"));
                env.put("postgresql", pg.queryOne("postgres", "SELECT version()"));
                shared = pg.dataDirectory().getParent();
                prepare();
                String instant = steady();
                backlog();
                restores(instant);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- phases

    private void prepare() throws Exception {
        pg.createDatabase(DB);
        step("pgbench -i -s " + o.scale() + ", and the CRM tables with " + fmt(o.accounts()) + " accounts ("
                + fmt(3L * o.accounts()) + " contacts with TOASTed notes)");
        long t0 = System.nanoTime();
        pgbench("-i", "-s", "" + o.scale(), "-q");
        pg.execute(DB, "ALTER TABLE pgbench_history REPLICA IDENTITY FULL");
        try (Connection c = pg.connect(DB)) {
            CrmMix.seed(c, o.accounts());
        }
        tables = new ArrayList<>(List.of(
                "public.pgbench_accounts",
                "public.pgbench_branches",
                "public.pgbench_tellers",
                "public.pgbench_history"));
        tables.addAll(CrmSchema.TABLES);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("seconds", round(secs(t0), 1));
        data.put(
                "database_bytes", Long.parseLong(pg.queryOne(DB, "SELECT pg_database_size(current_database())::text")));
        data.put(
                "toast_bytes_contacts",
                Long.parseLong(pg.queryOne(
                        DB,
                        "SELECT pg_total_relation_size(reltoastrelid)::text FROM pg_class WHERE "
                                + "relname = 'contacts'")));
        json.put("data", data);
        step("  " + fmt(data.get("database_bytes")) + " bytes, of which contacts' TOAST "
                + fmt(data.get("toast_bytes_contacts")));
        repo = work.resolve("repo");
        config = work.resolve("agent.yaml");
        Files.writeString(
                config,
                "source:\n  url: " + pg.jdbcUrl(DB) + "\n  user: postgres\nrepository:\n  path: " + repo + "\n");
    }

    /**
     * Checkpoint 0, the base backup, then {@code --rate} tx/s for {@code --seconds} with a probe
     * sampling the WAL insert position every 10 ms: a sample is in the log once the log's last commit
     * position reaches it (the next commit after the sample lies beyond it). Returns the instant T.
     */
    private String steady() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        json.put("steady", m);
        step("agent (own JVM): checkpoint 0, then a base backup for PostgreSQL's PITR");
        long t0 = System.nanoTime();
        try (ChildAgent agent = ChildAgent.start(config, work.resolve("agent-steady.out"))) {
            m.put("agent_java_options", agent.javaOptions());
            agent.waitFor(
                    "checkpoint 0",
                    () -> Files.exists(repo.resolve(Repository.ROOT_FILE))
                            && !Repository.open(repo).checkpoints().isEmpty(),
                    WAIT_NANOS);
            Map<String, Object> ck = new LinkedHashMap<>();
            double ckSeconds = secs(t0);
            long ckRows = Repository.open(repo).checkpoints().get(0).tables().stream()
                    .mapToLong(t -> t.rows())
                    .sum();
            ck.put("seconds_from_agent_start", round(ckSeconds, 2));
            ck.put("rows", ckRows);
            ck.put("rows_per_s", Math.round(ckRows / ckSeconds));
            json.put("checkpoint0", ck);
            step("  checkpoint 0: " + fmt(ckRows) + " rows, " + ck.get("seconds_from_agent_start")
                    + " s from the agent's start");
            pg.execute("postgres", "CHECKPOINT");
            t0 = System.nanoTime();
            pitr.baseBackup(pg);
            Map<String, Object> bb = new LinkedHashMap<>();
            bb.put("seconds", round(secs(t0), 2));
            bb.put("bytes", pitr.baseBackupBytes());
            json.put("base_backup", bb);
            step("  pg_basebackup: " + fmt(bb.get("bytes")) + " bytes in " + bb.get("seconds") + " s");

            step(String.format(
                    Locale.ROOT,
                    "steady load: pgbench -R %d -T %d -c %d -j %d, TPC-B %d : crm_touch %d : crm_notes %d, "
                            + "while the agent captures",
                    o.rate(),
                    o.seconds(),
                    o.clients(),
                    o.jobs(),
                    CrmMix.TPCB_WEIGHT,
                    CrmMix.TOUCH_WEIGHT,
                    CrmMix.NOTES_WEIGHT));
            LogSummary logBefore = Repository.open(repo).logSummary();
            long walBefore = insertLsn();
            double cpuBefore = agent.cpuSeconds();
            List<long[]> samples = new ArrayList<>();
            AtomicReference<String> instant = new AtomicReference<>();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            AtomicLong rssMax = new AtomicLong();
            Thread load = new Thread(
                    () -> {
                        try {
                            String out = pgbench(concat(
                                            List.of(
                                                    "-n",
                                                    "-R",
                                                    "" + o.rate(),
                                                    "-T",
                                                    "" + o.seconds(),
                                                    "-c",
                                                    "" + o.clients(),
                                                    "-j",
                                                    "" + o.jobs(),
                                                    "-D",
                                                    "accounts=" + o.accounts()),
                                            CrmMix.scripts(shared)))
                                    .output();
                            m.put("pgbench", Harness.pgbenchFigures(out));
                        } catch (Throwable e) {
                            failed.set(e);
                        }
                    },
                    "bench-steady-load");
            long began = System.nanoTime();
            load.start();
            Path logDir = Repository.open(repo).logDir();
            try (Connection c = pg.connect(DB);
                    Statement st = c.createStatement()) {
                long nextSample = began;
                int seenUpTo = 0;
                int i = 0;
                while (load.isAlive() || seenUpTo < samples.size()) {
                    agent.checkAlive();
                    long now = System.nanoTime();
                    if (load.isAlive() && now >= nextSample) {
                        samples.add(new long[] {insertLsn(st), now, 0});
                        nextSample += 10_000_000L;
                        if (instant.get() == null && now - began > o.seconds() * 600_000_000L) {
                            instant.set(sourceNow(st));
                        }
                        if (++i % 20 == 0) {
                            rssMax.accumulateAndGet(agent.rssBytes(), Math::max);
                        }
                    }
                    long position = LogSummary.of(logDir).lastPosition();
                    long seen = System.nanoTime();
                    // samples are in WAL order: the log holds a prefix of them
                    while (seenUpTo < samples.size() && position >= samples.get(seenUpTo)[0]) {
                        samples.get(seenUpTo++)[2] = seen;
                    }
                    if (!load.isAlive() && seenUpTo < samples.size()) {
                        if (seen - samples.get(seenUpTo)[1] > WAIT_NANOS) {
                            throw new IllegalStateException("the log did not reach "
                                    + Lsn.format(samples.get(seenUpTo)[0]) + " within 15 minutes:\n" + agent.tail());
                        }
                        // nothing commits after the load: one small transaction moves the log past the last samples
                        st.execute(
                                "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, 1, 0, now())");
                    }
                    Thread.sleep(load.isAlive() ? 5 : 50);
                }
            }
            load.join();
            if (failed.get() != null) {
                throw new IllegalStateException("the steady load failed: " + failed.get(), failed.get());
            }
            long walAfter = insertLsn();
            double[] lagMs =
                    samples.stream().mapToDouble(s -> (s[2] - s[1]) / 1e6).toArray();
            m.put("capture_lag_ms", Harness.percentiles(lagMs));
            m.put("lag_samples", lagMs.length);
            m.put("agent_cpu_seconds", round(agent.cpuSeconds() - cpuBefore, 2));
            m.put("agent_rss_max_sampled_bytes", rssMax.get());
            m.put("agent_peak_rss_bytes", agent.peakRssBytes());
            m.put("agent_status", agent.lastStatus());
            LogSummary logAfter = Repository.open(repo).logSummary();
            LogCount count = LogCount.of(Repository.open(repo), logBefore.lastSequence() + 1);
            long walBytes = walAfter - walBefore;
            Map<String, Object> size = new LinkedHashMap<>();
            size.put("row_changes", count.rowChanges());
            size.put("transactions", count.transactions());
            size.put("log_bytes", logAfter.bytes() - logBefore.bytes());
            size.put(
                    "log_bytes_per_row_change",
                    round((double) (logAfter.bytes() - logBefore.bytes()) / count.rowChanges(), 1));
            size.put("wal_bytes", walBytes);
            size.put("wal_bytes_per_row_change", round((double) walBytes / count.rowChanges(), 1));
            json.put("size", size);
            step(String.format(
                    Locale.ROOT,
                    "  capture lag p50 %s ms, p99 %s ms, max %s ms (%d samples); agent peak RSS %d MiB; %s log "
                            + "vs %s WAL bytes per row change",
                    Harness.percentiles(lagMs).get("p50"),
                    Harness.percentiles(lagMs).get("p99"),
                    Harness.percentiles(lagMs).get("max"),
                    lagMs.length,
                    agent.peakRssBytes() >> 20,
                    size.get("log_bytes_per_row_change"),
                    size.get("wal_bytes_per_row_change")));
            m.put("agent_exit", agent.stop());
            m.put("instant", instant.get());
            return instant.get();
        }
    }

    /** A backlog of the mix with nothing consuming, drained by the agent (own JVM) and by pg_recvlogical. */
    private void backlog() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        json.put("drain", m);
        pg.execute(DB, "SELECT pg_create_logical_replication_slot('recv_pgoutput', 'pgoutput')");
        long txs = (long) o.clients() * o.backlogTx();
        step("backlog: pgbench -t " + o.backlogTx() + " -c " + o.clients() + " (" + fmt(txs)
                + " transactions of the mix) with nothing consuming");
        LogSummary before = Repository.open(repo).logSummary();
        pgbench(concat(
                List.of(
                        "-n",
                        "-t",
                        "" + o.backlogTx(),
                        "-c",
                        "" + o.clients(),
                        "-j",
                        "" + o.jobs(),
                        "-D",
                        "accounts=" + o.accounts()),
                CrmMix.scripts(shared)));
        long markerLsn;
        try (Connection c = pg.connect(DB);
                Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, 1, 0, now())");
            markerLsn = insertLsn(st);
            c.commit();
        }
        String end = pg.queryOne(DB, "SELECT pg_current_wal_insert_lsn()::text");
        step("drain 1/2: the agent (own JVM, durable log)");
        long t0 = System.nanoTime();
        Map<String, Object> a = new LinkedHashMap<>();
        try (ChildAgent agent = ChildAgent.start(config, work.resolve("agent-drain.out"))) {
            Path logDir = Repository.open(repo).logDir();
            long[] first = {0};
            agent.waitFor(
                    "the agent's drain",
                    () -> {
                        LogSummary l = LogSummary.of(logDir);
                        if (first[0] == 0 && l.lastSequence() > before.lastSequence()) {
                            first[0] = System.nanoTime();
                        }
                        return l.lastPosition() > markerLsn;
                    },
                    WAIT_NANOS);
            long done = System.nanoTime();
            double seconds = (done - t0) / 1e9;
            long rows = LogCount.of(Repository.open(repo), before.lastSequence() + 1)
                    .rowChanges();
            a.put("seconds", round(seconds, 2));
            a.put("row_changes", rows);
            a.put("rows_per_s", Math.round(rows / seconds));
            // a new JVM: start-up (JVM, Debezium, the slot) is counted above; this is the rate once changes flow
            a.put("startup_seconds", round((first[0] - t0) / 1e9, 2));
            a.put("rows_per_s_after_first", Math.round(rows / ((done - first[0]) / 1e9)));
            a.put("agent_cpu_seconds", round(agent.cpuSeconds(), 2));
            a.put("agent_peak_rss_bytes", agent.peakRssBytes());
            a.put("agent_status", agent.lastStatus());
            a.put("agent_exit", agent.stop());
        }
        m.put("agent", a);
        step("  agent: " + fmt(a.get("rows_per_s")) + " row changes/s (" + fmt(a.get("rows_per_s_after_first"))
                + " after " + a.get("startup_seconds") + " s of start-up), peak RSS "
                + ((Long) a.get("agent_peak_rss_bytes") >> 20) + " MiB");
        step("drain 2/2: pg_recvlogical, pgoutput (the agent's publication), to /dev/null");
        t0 = System.nanoTime();
        pg.runAsPostgres(
                List.of(
                        pg.binDirectory().resolve("pg_recvlogical").toString(),
                        "-h",
                        "127.0.0.1",
                        "-p",
                        "" + pg.port(),
                        "-U",
                        "postgres",
                        "-d",
                        DB,
                        "--slot",
                        "recv_pgoutput",
                        "--start",
                        "--endpos",
                        end,
                        "--no-loop",
                        "-f",
                        "/dev/null",
                        "-o",
                        "proto_version=1",
                        "-o",
                        "publication_names=backtrack"),
                1800);
        double seconds = secs(t0);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("seconds", round(seconds, 2));
        r.put("rows_per_s", Math.round((Long) a.get("row_changes") / seconds));
        m.put("pg_recvlogical_pgoutput", r);
        step("  pg_recvlogical: " + fmt(r.get("rows_per_s")) + " row changes/s");
        pg.execute(DB, "SELECT pg_drop_replication_slot('recv_pgoutput')");
    }

    private void restores(String instant) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        json.put("restore_to_instant", m);
        m.put("instant", instant);
        pitr.flush(pg);
        String pgTime = instant.replace('T', ' ').replace("Z", "+00");

        step("restore to T = " + instant + ": Backtrack, restore --to T --jobs " + o.jobs() + " into a new database");
        pg.execute("postgres", "CHECKPOINT");
        Map<String, Object> bt = timedRestore(RestoreTarget.parse(instant, null), "restored_backtrack");
        m.put("backtrack", bt);
        step("  " + bt.get("seconds") + " s, " + fmt(bt.get("rows")) + " rows (checkpoint " + bt.get("checkpoint")
                + " + " + fmt(bt.get("changes_replayed")) + " changes)");

        new PitrAnchors(pg, pitr, shared, o.jobs()).measure(pgTime, tables, m);

        step("synthetic full: the newest checkpoint plus the whole log folded into a new full checkpoint");
        Repository r = Repository.open(repo);
        long t0 = System.nanoTime();
        Manifest full = SyntheticFull.build(r, r.logSummary().lastSequence(), 3, Lsn::format);
        double seconds = secs(t0);
        long rows = full.tables().stream().mapToLong(t -> t.rows()).sum();
        Map<String, Object> sf = new LinkedHashMap<>();
        sf.put("seconds", round(seconds, 2));
        sf.put("rows", rows);
        sf.put("rows_per_s", Math.round(rows / seconds));
        m.put("synthetic_full", sf);
        step("  " + fmt(rows) + " rows in " + sf.get("seconds") + " s");

        step("checkpoint loading: restore latest (the synthetic full, no log after it) --jobs " + o.jobs());
        pg.execute("postgres", "CHECKPOINT");
        Map<String, Object> load = timedRestore(RestoreTarget.parse("latest", null), "restored_checkpoint");
        m.put("checkpoint_load", load);
        step("  " + fmt(load.get("rows")) + " rows in " + load.get("seconds") + " s (" + fmt(load.get("rows_per_s"))
                + " rows/s, ANALYZE included)");
    }

    private Map<String, Object> timedRestore(RestoreTarget target, String db) {
        pg.createDatabase(db);
        Map<String, Object> m = Harness.timedRestore(
                        Repository.open(repo),
                        target,
                        () -> PostgresTarget.connect(pg.jdbcUrl(db), "postgres", ""),
                        o.jobs())
                .figures();
        m.put("includes_analyze", true);
        return m;
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private long insertLsn() throws Exception {
        try (Connection c = pg.connect(DB);
                Statement st = c.createStatement()) {
            return insertLsn(st);
        }
    }

    private static long insertLsn(Statement st) throws Exception {
        try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    /** The source's clock now, as a restore target (UTC, microseconds). */
    private static String sourceNow(Statement st) throws Exception {
        try (ResultSet rs = st.executeQuery("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint")) {
            rs.next();
            return Micros.format(rs.getLong(1));
        }
    }

    private PostgresCluster.ProcessResult pgbench(String... args) {
        return pgbench(List.of(args));
    }

    private PostgresCluster.ProcessResult pgbench(List<String> args) {
        return Harness.pgbench(pg, DB, args);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    // ---------------------------------------------------------------------------------------------- output

    @SuppressWarnings("unchecked")
    private void write() throws IOException {
        Harness.writeResults(json, PitrTable.of(json, o), o.results(), "pitr");
        // the repository, the agent's output and the dump: hundreds of MB a run
        Harness.deleteTree(work);
    }
}
