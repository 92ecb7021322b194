package dev.backtrack.bench;

import static dev.backtrack.bench.Figures.round;
import static dev.backtrack.bench.Figures.secs;
import static dev.backtrack.bench.Harness.step;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.position.BinlogPosition;
import dev.backtrack.repository.redolog.LogSummary;
import dev.backtrack.testkit.MariaDbServer;
import dev.backtrack.testkit.PostgresCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The MariaDB figures, each beside its anchor measured in the same run on a throw-away, durable
 * MariaDB 10.11 (binlog ROW/FULL, innodb_flush_log_at_trx_commit=1, sync_binlog=1):
 * <ol>
 *   <li>capture: drain of a backlog of CRM transactions (contacts, activities; varchar, decimal,
 *       datetime(6), json, text) written while nothing consumed, by the agent into a durable
 *       repository vs by the bare Debezium MariaDB engine with a no-op consumer, both resuming from
 *       the binlog position recorded before the backlog;</li>
 *   <li>restore of the captured repository into a new MariaDB database and, through the type map,
 *       into a new PostgreSQL database vs loading a mariadb-dump of the source with the mariadb
 *       client into another database on the same server;</li>
 *   <li>lag of {@code backtrack migrate --follow} into PostgreSQL under a steady workload (source
 *       commit to visible in the target, and the lagSeconds it reports) vs the agent's own capture
 *       lag (source commit to in the log) over the same transactions.</li>
 * </ol>
 * A benchmark, not a test: it reports whatever it measures and only fails when something does not work.
 */
public final class MariaDbBench {
    static final long WAIT_NANOS = TimeUnit.MINUTES.toNanos(10);
    /** Row changes of one CRM transaction: a contact, three activities, an update of an earlier contact. */
    static final int CHANGES_PER_TX = 5;
    /** The bench_marker id of the end-of-backlog marker; sync rows (before the start positions) are above it. */
    static final int MARKER_ID = 1;

    private final MariaDbOptions o;
    private final Map<String, Object> json = new LinkedHashMap<>();
    private MariaDbServer my;
    private PostgresCluster pg;
    private Path work;
    private long mariadbdPid = -1;
    private long postmasterPid = -1;
    /** The MariaDB PITR anchor, its base taken in the measured capture right after checkpoint 0: null until then. */
    private MariaDbPitr pitr;
    /**
     * The binlog position right after the measured backlog's marker transaction: where the PITR anchor's replay stops.
     */
    private long backlogEnd = -1;
    /**
     * The binlog client logs every connect through java.util.logging at INFO: held here so the level set on it stays.
     */
    private static final Logger BINLOG_CLIENT = Logger.getLogger("com.github.shyiko.mysql.binlog");

    /** A backlog written: the log before it, where its marker transaction starts and ends, its row changes. */
    private record Backlog(LogSummary logBefore, long markerStart, long end, long rowChanges) {}

    private MariaDbBench(MariaDbOptions o) {
        this.o = o;
    }

    public static void main(String[] args) throws Exception {
        MariaDbOptions o = MariaDbOptions.parse(args);
        BINLOG_CLIENT.setLevel(Level.WARNING);
        MariaDbBench b = new MariaDbBench(o);
        Harness.runPart(b.json, b::run, b::write);
    }

    private void run() throws Exception {
        Map<String, Object> env = Harness.environment(json, o.toMap());
        step("JVM: " + env.get("jvm_heap") + "; arguments: " + env.get("jvm_arguments"));
        work = Files.createTempDirectory("backtrack-mariadb-bench-");
        env.put("fdatasync_ms_4k", round(Machine.fsyncMillis(work), 3));
        step("fdatasync of a 4 KiB append on the bench disk: " + env.get("fdatasync_ms_4k") + " ms");
        env.put("load_average_at_start", Machine.loadAverage());
        if (Double.parseDouble(Machine.loadAverage().split(" ")[0]) > 0.5) {
            step("note: the machine is not idle (load average " + Machine.loadAverage()
                    + "): other work competes for the CPU and skews the figures");
        }
        Map<String, String> mysqlSettings = new LinkedHashMap<>();
        mysqlSettings.put("innodb-flush-log-at-trx-commit", "1");
        mysqlSettings.put("sync-binlog", "1");
        mysqlSettings.put("innodb-buffer-pool-size", "512M");
        mysqlSettings.put("innodb-log-file-size", "256M");
        mysqlSettings.put("max-connections", "200");
        env.put("mariadb_settings", mysqlSettings);
        Map<String, String> pgSettings = Harness.durablePostgres();
        env.put("postgresql_settings", pgSettings);
        step("starting a throw-away durable MariaDB and PostgreSQL");
        try (MariaDbServer server = MariaDbServer.start(mysqlSettings);
                PostgresCluster cluster = Harness.startCluster(pgSettings)) {
            my = server;
            pg = cluster;
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "bench-mariadb-stop"));
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "bench-pg-stop"));
            mariadbdPid = Long.parseLong(
                    Files.readString(my.dir().resolve("mariadbd.pid")).trim());
            postmasterPid = Long.parseLong(Files.readAllLines(pg.dataDirectory().resolve("postmaster.pid"))
                    .get(0)
                    .trim());
            env.put("mariadb", my.queryOne(null, "SELECT VERSION()"));
            env.put("postgresql", pg.queryOne("postgres", "SELECT version()"));

            MariaDbRestores restores = new MariaDbRestores(my, pg, work, this::probe);
            if (o.warmupTxPerClient() > 0) {
                json.put("warm_up", warmUp(restores));
            }
            MariaDbSource crm = new MariaDbSource(my, work, "crm", 5401, 5402);
            crm.create(o.accounts());
            json.put("capture", capture(crm, o.txPerClient(), true));
            Map<String, Object> r = new LinkedHashMap<>();
            json.put("restore", r);
            restores.measure(crm, pitr, backlogEnd, r);
            if (o.lagSeconds() > 0 && o.lagTps() > 0) {
                Map<String, Object> lag = new LinkedHashMap<>();
                json.put("migration_lag", lag);
                new MigrationLag(my, pg, work, this::probe, o.lagTps(), o.lagSeconds()).measure(lag);
            }
        }
    }

    /** The same capture and restores first on database warm, not measured; returns their figures. */
    private Map<String, Object> warmUp(MariaDbRestores restores) throws Exception {
        MariaDbSource warm = new MariaDbSource(my, work, "warm", 5411, 5412);
        warm.create(200);
        step("warm-up (not measured): the same capture on database warm with "
                + String.format(Locale.ROOT, "%,d", (long) o.clients() * o.warmupTxPerClient() * CHANGES_PER_TX)
                + " row changes");
        Map<String, Object> w = capture(warm, o.warmupTxPerClient(), false);
        step("warm-up (not measured): restore latest of warm into MariaDB and into PostgreSQL");
        my.createDatabase("warm_restored");
        w.put("restore_to_mariadb", restores.timedRestore(warm, my.jdbcUrl("warm_restored"), "root"));
        pg.createDatabase("warm_restored");
        w.put("restore_to_postgresql", restores.timedRestore(warm, pg.jdbcUrl("warm_restored"), "postgres"));
        return w;
    }

    /** The binlog position where the next transaction will start. */
    private long binlogEnd() throws SQLException {
        try (Connection c = my.connect(null);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
            rs.next();
            return BinlogPosition.of(rs.getString(1), rs.getLong(2));
        }
    }

    // ---------------------------------------------------------------------------------------------- capture

    /**
     * Both consumers first record a start position on the table set with no backlog yet (the bare
     * engine's no_data snapshot, then the agent's checkpoint 0), are stopped, the backlog is written
     * with nothing consuming, then each resumes and is timed until it has the marker transaction
     * committed after the backlog.
     */
    private Map<String, Object> capture(MariaDbSource s, int txPerClient, boolean measured) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        String tag = measured ? "" : "warm-up: ";
        long before = startPositions(s, measured, tag, m);
        Backlog b = backlog(s, txPerClient, tag, before, m);
        if (measured) {
            backlogEnd = b.end();
        }

        step(tag + "drain 1/2: Backtrack agent, durable (fsync'd) log");
        LogSummary logBefore = b.logBefore();
        Map<String, Object> a = agentDrain(s, logBefore.lastSequence(), b.markerStart(), b.rowChanges());
        LogCount logged = LogCount.of(Repository.open(s.repo), logBefore.lastSequence() + 1);
        a.put("row_changes_logged", logged.rowChanges());
        a.put("transactions_logged", logged.transactions());
        a.put("other_logged_transactions", logged.other());
        a.put("log_bytes", Repository.open(s.repo).logSummary().bytes() - logBefore.bytes());
        m.put("agent", a);
        report("agent", a);

        step(tag + "drain 2/2: bare Debezium MariaDB engine, no-op consumer, the agent's connector properties");
        Map<String, Object> e = BinlogBareEngine.drain(s, b.rowChanges(), this::probe);
        m.put("bare_engine", e);
        report("bare engine", e);
        return m;
    }

    /**
     * The bare engine's start position, then the agent's checkpoint 0 (and, measured, the base of the
     * MariaDB PITR anchor); their figures into m. Returns the binlog position the backlog starts at.
     */
    private long startPositions(MariaDbSource s, boolean measured, String tag, Map<String, Object> m) throws Exception {
        step(tag + "start positions on " + s.db
                + ": the bare engine's no_data snapshot, then the agent's checkpoint 0");
        KeptOffsets.KEPT.clear();
        KeptHistory.clear();
        Map<String, Object> starts = new LinkedHashMap<>();
        long bareStart = BinlogBareEngine.startPosition(my, s);
        starts.put("bare_engine", BinlogPosition.format(bareStart));
        RunningAgent first = RunningAgent.start(s.config);
        first.waitFor(
                "checkpoint 0",
                () -> Files.exists(s.repo.resolve(Repository.ROOT_FILE))
                        && !Repository.open(s.repo).checkpoints().isEmpty(),
                WAIT_NANOS);
        first.stop();
        var ck = Repository.open(s.repo).checkpoints().get(0);
        starts.put("agent_checkpoint0", ck.positionText());
        starts.put(
                "checkpoint0_rows",
                ck.tables().stream().mapToLong(t -> t.rows()).sum());
        if (measured) {
            pitr = MariaDbPitr.baseDump(my, work, s, ck.position());
            starts.put("mariadb_pitr_base_dump", BinlogPosition.format(pitr.position));
            starts.put("mariadb_pitr_base_dump_seconds", round(pitr.dumpSeconds, 2));
        }

        long before = binlogEnd();
        starts.put("backlog_start", BinlogPosition.format(before));
        m.put("start_positions", starts);
        step(String.format(
                Locale.ROOT,
                "  %sbare engine resumes at binlog %s, agent at %s (checkpoint 0, %,d rows); backlog starts at %s",
                tag,
                starts.get("bare_engine"),
                ck.positionText(),
                (Long) starts.get("checkpoint0_rows"),
                starts.get("backlog_start")));
        return before;
    }

    /** The backlog written with nothing consuming, then the marker transaction; its figures into m. */
    private Backlog backlog(MariaDbSource s, int txPerClient, String tag, long before, Map<String, Object> m)
            throws Exception {
        long txs = (long) o.clients() * txPerClient;
        step(tag + "backlog: " + o.clients() + " writers x " + String.format(Locale.ROOT, "%,d", txPerClient)
                + " transactions of " + CHANGES_PER_TX
                + " row changes (contact, 3 activities, update of an earlier contact), nothing consuming");
        LogSummary logBefore = Repository.open(s.repo).logSummary();
        double[] cpu0 = Cpu.machine();
        long t0 = System.nanoTime();
        CrmWriter.writeBacklog(my, s.db, o.clients(), txPerClient, o.accounts());
        double seconds = secs(t0);
        Double busy = Cpu.busyPercent(cpu0, Cpu.machine());
        long markerStart = binlogEnd();
        my.execute(
                s.db, "INSERT INTO bench_marker (id, note, at) VALUES (" + MARKER_ID + ", 'end of backlog', NOW(6))");
        long after = binlogEnd();
        long rowChanges = txs * CHANGES_PER_TX + 1;
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("transactions", txs + 1);
        b.put("row_changes", rowChanges);
        b.put("seconds", round(seconds, 2));
        b.put("tps", Math.round(txs / seconds));
        b.put("row_changes_per_s", Math.round(txs * CHANGES_PER_TX / seconds));
        b.put("machine_cpu_busy_percent", busy);
        b.put("binlog_bytes", sameFileBytes(before, after));
        b.put("marker_position", BinlogPosition.format(markerStart));
        m.put("backlog", b);
        step(String.format(
                Locale.ROOT,
                "  %s%,d transactions, %,d row changes, %,d binlog bytes in %.1f s (%s tps)",
                tag,
                txs + 1,
                rowChanges,
                (Long) b.get("binlog_bytes"),
                seconds,
                b.get("tps")));
        return new Backlog(logBefore, markerStart, after, rowChanges);
    }

    /** The bytes between two binlog positions in the same file, else null. */
    private static Long sameFileBytes(long from, long to) {
        return (from >>> 32) == (to >>> 32) ? (to & 0xFFFF_FFFFL) - (from & 0xFFFF_FFFFL) : null;
    }

    /**
     * Starts an agent on the backlog and times it until its log holds the transaction at or after {@code markerStart}.
     */
    private Map<String, Object> agentDrain(MariaDbSource s, long sequenceBefore, long markerStart, long rowChanges)
            throws Exception {
        Path logDir = s.logDir();
        MariaDbProbe probe = probe();
        long t0 = System.nanoTime();
        RunningAgent agent = RunningAgent.start(s.config);
        long[] first = {0};
        agent.waitFor(
                "the agent's drain",
                () -> {
                    LogSummary l = LogSummary.of(logDir);
                    if (first[0] == 0 && l.lastSequence() > sequenceBefore) {
                        first[0] = System.nanoTime();
                    }
                    return l.lastPosition() >= markerStart;
                },
                WAIT_NANOS);
        long done = System.nanoTime();
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("seconds", round((done - t0) / 1e9, 2));
        a.put("row_changes", rowChanges);
        a.put("rows_per_s", Math.round(rowChanges / ((done - t0) / 1e9)));
        a.put("rows_per_s_after_first", first[0] == 0 ? null : Math.round(rowChanges / ((done - first[0]) / 1e9)));
        a.put("startup_seconds", first[0] == 0 ? null : round((first[0] - t0) / 1e9, 2));
        a.putAll(probe.stop(rowChanges));
        agent.stop();
        a.put("agent_status", agent.lastLine());
        return a;
    }

    /** A CPU probe over this JVM and both servers, started now. */
    private MariaDbProbe probe() {
        return new MariaDbProbe(mariadbdPid, postmasterPid);
    }

    // ---------------------------------------------------------------------------------------------- output

    static void report(String who, Map<String, Object> m) {
        Harness.report(
                who,
                m,
                List.of(
                        "seconds",
                        "rows",
                        "rows_per_s",
                        "rows_per_s_after_first",
                        "startup_seconds",
                        "row_changes_seen",
                        "row_changes_logged",
                        "machine_cpu_busy_percent",
                        "jvm_cpu_seconds",
                        "jit_threads_cpu_seconds",
                        "child_processes_cpu_seconds",
                        "mariadbd_cpu_seconds",
                        "postgresql_cpu_seconds",
                        "cpu_us_per_row",
                        "dump_load_seconds",
                        "binlog_replay_seconds",
                        "binlog_bytes",
                        "equals_backtrack_restore",
                        "restored_equals_source",
                        "restored_rows_equal_source"));
    }

    private void write() throws IOException {
        Harness.writeResults(
                json, json.containsKey("capture") ? MariaDbTable.of(json, o) : "(no figures)", o.results(), "mariadb");
        Harness.deleteTree(work);
    }
}
