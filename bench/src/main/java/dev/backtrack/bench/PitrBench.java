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
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
    static final long WAIT_NANOS = TimeUnit.MINUTES.toNanos(15);

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
                String instant = new PitrSteady(pg, pitr, o, shared, repo, json).measure(config, work);
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

    /** A backlog of the mix with nothing consuming, drained by the agent (own JVM) and by pg_recvlogical. */
    private void backlog() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        json.put("drain", m);
        pg.execute(DB, "SELECT pg_create_logical_replication_slot('recv_pgoutput', 'pgoutput')");
        LogSummary before = writeBacklog();
        long markerLsn = commitMarker();
        String end = pg.queryOne(DB, "SELECT pg_current_wal_insert_lsn()::text");
        Map<String, Object> a = agentDrain(before, markerLsn);
        m.put("agent", a);
        step("  agent: " + fmt(a.get("rows_per_s")) + " row changes/s (" + fmt(a.get("rows_per_s_after_first"))
                + " after " + a.get("startup_seconds") + " s of start-up), peak RSS "
                + ((Long) a.get("agent_peak_rss_bytes") >> 20) + " MiB");
        recvlogicalDrain(end, a, m);
        pg.execute(DB, "SELECT pg_drop_replication_slot('recv_pgoutput')");
    }

    /** pgbench -t of the mix; returns the log's summary from before it. */
    private LogSummary writeBacklog() throws IOException {
        long txs = (long) o.clients() * o.backlogTx();
        step("backlog: pgbench -t " + o.backlogTx() + " -c " + o.clients() + " (" + fmt(txs)
                + " transactions of the mix) with nothing consuming");
        LogSummary before = Repository.open(repo).logSummary();
        pgbench(o.mix(shared, "-t", "" + o.backlogTx()));
        return before;
    }

    /** One history row committed after the backlog: the drains end with it; returns an LSN below its commit. */
    private long commitMarker() throws Exception {
        try (Connection c = pg.connect(DB);
                Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, 1, 0, now())");
            long markerLsn = insertLsn(st);
            c.commit();
            return markerLsn;
        }
    }

    /** Drain 1/2: an agent in its own JVM, timed from its start until its log passes the marker. */
    private Map<String, Object> agentDrain(LogSummary before, long markerLsn) throws Exception {
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
        return a;
    }

    /** Drain 2/2: pg_recvlogical up to {@code end}, its rate over the row changes the agent drained; into m. */
    private void recvlogicalDrain(String end, Map<String, Object> agent, Map<String, Object> m) {
        step("drain 2/2: pg_recvlogical, pgoutput (the agent's publication), to /dev/null");
        long t0 = System.nanoTime();
        pg.runAsPostgres(
                Harness.pgClient(
                        pg,
                        "pg_recvlogical",
                        pg.port(),
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
        r.put("rows_per_s", Math.round((Long) agent.get("row_changes") / seconds));
        m.put("pg_recvlogical_pgoutput", r);
        step("  pg_recvlogical: " + fmt(r.get("rows_per_s")) + " row changes/s");
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

    static long insertLsn(Statement st) throws Exception {
        try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    private PostgresCluster.ProcessResult pgbench(String... args) {
        return pgbench(List.of(args));
    }

    private PostgresCluster.ProcessResult pgbench(List<String> args) {
        return Harness.pgbench(pg, DB, args);
    }

    // ---------------------------------------------------------------------------------------------- output

    @SuppressWarnings("unchecked")
    private void write() throws IOException {
        Harness.writeResults(json, PitrTable.of(json, o), o.results(), "pitr");
        // the repository, the agent's output and the dump: hundreds of MB a run
        Harness.deleteTree(work);
    }
}
