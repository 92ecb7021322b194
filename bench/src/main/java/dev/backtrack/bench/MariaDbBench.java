package dev.backtrack.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.config.Engine;
import dev.backtrack.bench.FoundationBench.Condition;
import dev.backtrack.bench.FoundationBench.LogCount;
import dev.backtrack.config.BacktrackConfig;
import dev.backtrack.config.ConfigLoader;
import dev.backtrack.config.SourceConfig;
import dev.backtrack.connectors.mariadb.MariaDbSettings;
import dev.backtrack.connectors.target.Targets;
import dev.backtrack.recovery.RestoreTarget;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.position.BinlogPosition;
import dev.backtrack.repository.redolog.LogSummary;
import dev.backtrack.testkit.MariaDbServer;
import dev.backtrack.testkit.PostgresCluster;
import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.relational.history.AbstractSchemaHistory;
import io.debezium.relational.history.HistoryRecord;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.backtrack.bench.FoundationBench.countLog;
import static dev.backtrack.bench.FoundationBench.fmt;
import static dev.backtrack.bench.FoundationBench.fsyncMillis;
import static dev.backtrack.bench.FoundationBench.loadAverage;
import static dev.backtrack.bench.FoundationBench.ratio;
import static dev.backtrack.bench.FoundationBench.round;
import static dev.backtrack.bench.FoundationBench.secs;
import static dev.backtrack.bench.FoundationBench.startCluster;
import static dev.backtrack.bench.FoundationBench.step;

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
    private static final long WAIT_NANOS = TimeUnit.MINUTES.toNanos(10);
    /** Row changes of one CRM transaction: a contact, three activities, an update of an earlier contact. */
    private static final int CHANGES_PER_TX = 5;
    /** bench_marker ids: the end-of-backlog marker; sync rows (before the start positions) are above it. */
    private static final int MARKER_ID = 1;
    private static final int SYNC_ID = 1000;

    private final Options o;
    private final Map<String, Object> json = new LinkedHashMap<>();
    private MariaDbServer my;
    private PostgresCluster pg;
    private Path work;
    private long mariadbdPid = -1;
    private long postmasterPid = -1;
    /** The MariaDB PITR anchor's base, taken in the measured capture right after checkpoint 0: null until then. */
    private PitrBase pitrBase;
    /** The binlog position right after the measured backlog's marker transaction: where the PITR anchor's replay stops. */
    private long backlogEnd = -1;
    /** The binlog client logs every connect through java.util.logging at INFO: held here so the level set on it stays. */
    private static final Logger BINLOG_CLIENT = Logger.getLogger("com.github.shyiko.mysql.binlog");

    private MariaDbBench(Options o) {
        this.o = o;
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        BINLOG_CLIENT.setLevel(Level.WARNING);
        MariaDbBench b = new MariaDbBench(o);
        Harness.runPart(b.json, b::run, b::write);
    }

    private void run() throws Exception {
        Map<String, Object> env = Harness.environment(json, o.toMap());
        step("JVM: " + env.get("jvm_heap") + "; arguments: " + env.get("jvm_arguments"));
        work = Files.createTempDirectory("backtrack-mariadb-bench-");
        env.put("fdatasync_ms_4k", round(fsyncMillis(work), 3));
        step("fdatasync of a 4 KiB append on the bench disk: " + env.get("fdatasync_ms_4k") + " ms");
        env.put("load_average_at_start", loadAverage());
        if (Double.parseDouble(loadAverage().split(" ")[0]) > 0.5) {
            step("note: the machine is not idle (load average " + loadAverage() + "): other work competes for the CPU and skews the figures");
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
        try (MariaDbServer server = MariaDbServer.start(mysqlSettings); PostgresCluster cluster = startCluster(pgSettings)) {
            my = server;
            pg = cluster;
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "bench-mariadb-stop"));
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "bench-pg-stop"));
            mariadbdPid = Long.parseLong(Files.readString(my.dir().resolve("mariadbd.pid")).trim());
            postmasterPid = Long.parseLong(Files.readAllLines(pg.dataDirectory().resolve("postmaster.pid")).get(0).trim());
            env.put("mariadb", my.queryOne(null, "SELECT VERSION()"));
            env.put("postgresql", pg.queryOne("postgres", "SELECT version()"));

            if (o.warmupTxPerClient > 0) {
                Source warm = new Source("warm", 5411, 5412);
                warm.create(200);
                step("warm-up (not measured): the same capture on database warm with " + String.format(Locale.ROOT, "%,d",
                        (long) o.clients * o.warmupTxPerClient * CHANGES_PER_TX) + " row changes");
                Map<String, Object> w = capture(warm, o.warmupTxPerClient, false);
                step("warm-up (not measured): restore latest of warm into MariaDB and into PostgreSQL");
                my.createDatabase("warm_restored");
                w.put("restore_to_mariadb", timedRestore(warm, my.jdbcUrl("warm_restored"), "root"));
                pg.createDatabase("warm_restored");
                w.put("restore_to_postgresql", timedRestore(warm, pg.jdbcUrl("warm_restored"), "postgres"));
                json.put("warm_up", w);
            }
            Source crm = new Source("crm", 5401, 5402);
            crm.create(o.accounts);
            json.put("capture", capture(crm, o.txPerClient, true));
            restores(crm);
            if (o.lagSeconds > 0 && o.lagTps > 0) {
                lag();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- the source

    /** A captured database: its agent configuration and repository, and the server id of its bare engine. */
    private final class Source {
        final String db;
        final Path repo;
        final BacktrackConfig config;
        final int bareServerId;
        List<String> tables = List.of();

        Source(String db, int agentServerId, int bareServerId) throws IOException {
            this.db = db;
            this.bareServerId = bareServerId;
            this.repo = work.resolve(db + "-repo");
            Path yaml = work.resolve(db + ".yaml");
            Files.writeString(yaml, "source:\n  url: " + my.jdbcUrl(db) + "\n  user: root\n  server-id: " + agentServerId
                    + "\nrepository:\n  path: " + repo + "\n");
            this.config = new ConfigLoader(Map.of()).read(yaml);
        }

        /** The CRM tables, the marker table and {@code accounts} accounts (in checkpoint 0). */
        void create(int accounts) throws SQLException {
            my.createDatabase(db);
            my.execute(db,
                    "CREATE TABLE accounts (id bigint AUTO_INCREMENT PRIMARY KEY, name varchar(200) NOT NULL, industry varchar(60),"
                            + " annual_revenue decimal(16,2), created_at datetime(6) NOT NULL, notes text)",
                    "CREATE TABLE contacts (id bigint AUTO_INCREMENT PRIMARY KEY, account_id bigint NOT NULL, first_name varchar(80) NOT NULL,"
                            + " last_name varchar(80) NOT NULL, email varchar(200) NOT NULL, phone varchar(40), lifetime_value decimal(14,2) NOT NULL,"
                            + " created_at datetime(6) NOT NULL, updated_at datetime(6) NOT NULL, attributes json, notes text,"
                            + " KEY contacts_account (account_id), KEY contacts_email (email))",
                    "CREATE TABLE activities (id bigint AUTO_INCREMENT PRIMARY KEY, contact_id bigint NOT NULL, account_id bigint NOT NULL,"
                            + " kind varchar(20) NOT NULL, subject varchar(200) NOT NULL, due_at datetime(6), amount decimal(12,2), body text,"
                            + " done tinyint(1) NOT NULL DEFAULT 0, KEY activities_contact (contact_id))",
                    "CREATE TABLE bench_marker (id int PRIMARY KEY, note varchar(60), at datetime(6) NOT NULL)");
            try (Connection c = my.connect(db);
                 PreparedStatement ps = c.prepareStatement("INSERT INTO accounts (name, industry, annual_revenue, created_at, notes) VALUES (?, ?, ?, NOW(6), ?)")) {
                c.setAutoCommit(false);
                SplittableRandom r = new SplittableRandom(7);
                for (int i = 1; i <= accounts; i++) {
                    ps.setString(1, Words.pick(r, Words.LAST) + " " + Words.pick(r, Words.COMPANY) + " #" + i);
                    ps.setString(2, Words.pick(r, Words.INDUSTRY));
                    ps.setBigDecimal(3, BigDecimal.valueOf(r.nextLong(100_000_000_000L), 2));
                    ps.setString(4, Words.sentence(r, 20));
                    ps.addBatch();
                    if (i % 500 == 0) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
                c.commit();
            }
            tables = List.of(db + ".accounts", db + ".contacts", db + ".activities", db + ".bench_marker");
        }

        Path logDir() {
            return Repository.open(repo).logDir();
        }

        /** The bare engine's properties: the agent's (MariaDbSettings) with an in-memory offset store and schema history. */
        Properties bareProperties() {
            SourceConfig c = config.source();
            SourceConfig mine = new SourceConfig(c.url(), c.user(), c.password(), c.tablesInclude(), c.tablesExclude(), c.slot(), c.publication(),
                    c.captureDdl(), c.heartbeatInterval(), bareServerId);
            Properties p = MariaDbSettings.of(mine, tables, repo, KeptOffsets.class.getName(), config.agent().maxBatchSize());
            p.setProperty("name", "bench-bare-" + db);
            p.setProperty("schema.history.internal", KeptHistory.class.getName());
            p.remove("schema.history.internal.backtrack.repository");
            // the schema only: there are no rows to read, the engine streams from the position it records
            p.setProperty("snapshot.mode", "no_data");
            return p;
        }

        Map<String, String> bareChanges() {
            Properties agent = MariaDbSettings.of(config.source(), tables, repo, "dev.backtrack.agent.LogOffsetStore", config.agent().maxBatchSize());
            Properties p = bareProperties();
            Map<String, String> changed = new LinkedHashMap<>();
            Set<String> keys = new TreeSet<>(p.stringPropertyNames());
            keys.addAll(agent.stringPropertyNames());
            for (String k : keys) {
                if (!String.valueOf(p.getProperty(k)).equals(String.valueOf(agent.getProperty(k)))) {
                    changed.put(k, agent.getProperty(k) + " -> " + p.getProperty(k));
                }
            }
            return changed;
        }
    }

    /** The binlog position where the next transaction will start. */
    private long binlogEnd() throws SQLException {
        try (Connection c = my.connect(null); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
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
    private Map<String, Object> capture(Source s, int txPerClient, boolean measured) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        String tag = measured ? "" : "warm-up: ";
        step(tag + "start positions on " + s.db + ": the bare engine's no_data snapshot, then the agent's checkpoint 0");
        KeptOffsets.KEPT.clear();
        KeptHistory.clear();
        Map<String, Object> starts = new LinkedHashMap<>();
        long bareStart = bareStartPosition(s);
        starts.put("bare_engine", BinlogPosition.format(bareStart));
        FoundationBench.RunningAgent first = FoundationBench.RunningAgent.start(s.config);
        waitFor("checkpoint 0", first, () -> Files.exists(s.repo.resolve(Repository.ROOT_FILE)) && !Repository.open(s.repo).checkpoints().isEmpty());
        first.stop();
        var ck = Repository.open(s.repo).checkpoints().get(0);
        starts.put("agent_checkpoint0", ck.positionText());
        starts.put("checkpoint0_rows", ck.tables().stream().mapToLong(t -> t.rows()).sum());
        if (measured) {
            pitrBase = pitrBaseDump(s, ck.position());
            starts.put("mariadb_pitr_base_dump", BinlogPosition.format(pitrBase.position()));
            starts.put("mariadb_pitr_base_dump_seconds", round(pitrBase.seconds(), 2));
        }

        long before = binlogEnd();
        starts.put("backlog_start", BinlogPosition.format(before));
        m.put("start_positions", starts);
        step(String.format(Locale.ROOT, "  %sbare engine resumes at binlog %s, agent at %s (checkpoint 0, %,d rows); backlog starts at %s", tag,
                starts.get("bare_engine"), ck.positionText(), (Long) starts.get("checkpoint0_rows"), starts.get("backlog_start")));

        long txs = (long) o.clients * txPerClient;
        step(tag + "backlog: " + o.clients + " writers x " + String.format(Locale.ROOT, "%,d", txPerClient) + " transactions of " + CHANGES_PER_TX
                + " row changes (contact, 3 activities, update of an earlier contact), nothing consuming");
        LogSummary logBefore = Repository.open(s.repo).logSummary();
        double[] cpu0 = FoundationBench.Cpu.machine();
        long t0 = System.nanoTime();
        writeBacklog(s.db, txPerClient);
        double seconds = secs(t0);
        Double busy = FoundationBench.Cpu.busyPercent(cpu0, FoundationBench.Cpu.machine());
        long markerStart = binlogEnd();
        my.execute(s.db, "INSERT INTO bench_marker (id, note, at) VALUES (" + MARKER_ID + ", 'end of backlog', NOW(6))");
        long after = binlogEnd();
        if (measured) {
            backlogEnd = after;
        }
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
        step(String.format(Locale.ROOT, "  %s%,d transactions, %,d row changes, %,d binlog bytes in %.1f s (%s tps)", tag, txs + 1, rowChanges,
                (Long) b.get("binlog_bytes"), seconds, b.get("tps")));

        step(tag + "drain 1/2: Backtrack agent, durable (fsync'd) log");
        Map<String, Object> a = agentDrain(s, logBefore.lastSequence(), markerStart, rowChanges);
        LogCount logged = countLog(s.logDir(), logBefore.lastSequence() + 1);
        a.put("row_changes_logged", logged.rowChanges());
        a.put("transactions_logged", logged.transactions());
        a.put("other_logged_transactions", logged.other());
        a.put("log_bytes", Repository.open(s.repo).logSummary().bytes() - logBefore.bytes());
        m.put("agent", a);
        report("agent", a);

        step(tag + "drain 2/2: bare Debezium MariaDB engine, no-op consumer, the agent's connector properties");
        Map<String, Object> e = bareDrain(s, rowChanges);
        m.put("bare_engine", e);
        report("bare engine", e);
        return m;
    }

    /** The bytes between two binlog positions in the same file, else null. */
    private static Long sameFileBytes(long from, long to) {
        return (from >>> 32) == (to >>> 32) ? (to & 0xFFFF_FFFFL) - (from & 0xFFFF_FFFFL) : null;
    }

    /** The MariaDB PITR anchor's base: a dump, the binlog position it is consistent with, and how long it took. */
    private record PitrBase(Path dump, long position, double seconds, long checkpoint0) {
    }

    /**
     * The base of the MariaDB PITR anchor, taken right after checkpoint 0 and before the backlog:
     * {@code mariadb-dump --single-transaction --master-data=2} of the source and the binlog position
     * its commented {@code CHANGE MASTER TO} names (the point the binlog replay starts from).
     */
    private PitrBase pitrBaseDump(Source s, long checkpoint0) throws Exception {
        step("  MariaDB PITR anchor, base (timed, not compared): mariadb-dump --single-transaction --master-data=2 of " + s.db);
        Path dump = work.resolve(s.db + "-pitr-base.sql");
        long t0 = System.nanoTime();
        tool(my.command("mariadb-dump", "--single-transaction", "--master-data=2", s.db), null, dump);
        double seconds = secs(t0);
        Matcher m;
        try (Stream<String> lines = Files.lines(dump, StandardCharsets.UTF_8)) {
            String line = lines.limit(200).filter(l -> l.contains("MASTER_LOG_FILE=")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("the dump " + dump + " names no binlog position (-- CHANGE MASTER TO ...)"));
            m = Pattern.compile("MASTER_LOG_FILE='([^']+)', MASTER_LOG_POS=(\\d+)").matcher(line);
            if (!m.find()) {
                throw new IllegalStateException("cannot read the binlog position in: " + line);
            }
        }
        long position = BinlogPosition.of(m.group(1), Long.parseLong(m.group(2)));
        step(String.format(Locale.ROOT, "  base dump at binlog %s (checkpoint 0 at %s), %,d bytes in %.2f s", BinlogPosition.format(position),
                BinlogPosition.format(checkpoint0), Files.size(dump), seconds));
        return new PitrBase(dump, position, seconds, checkpoint0);
    }

    /**
     * Runs the bare engine until it streams (a sync row committed after its snapshot reaches it), stops
     * it and returns the binlog position its kept offset resumes from.
     */
    private long bareStartPosition(Source s) throws Exception {
        Set<Integer> seen = ConcurrentHashMap.newKeySet();
        BareEngine e = BareEngine.start(s.bareProperties(), r -> {
            if ("bench_marker".equals(r.table) && r.id != null) {
                seen.add(r.id.intValue());
            }
        });
        int last = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        // the snapshot records its position at some moment after the start: a sync row written before that is not streamed
        while (seen.isEmpty()) {
            e.check("the bare engine's first start");
            if (System.nanoTime() > deadline) {
                e.close();
                throw new IllegalStateException("the bare engine saw no sync row within 120 s");
            }
            last++;
            my.execute(s.db, "INSERT INTO bench_marker (id, note, at) VALUES (" + (SYNC_ID + last) + ", 'sync', NOW(6))");
            for (int i = 0; i < 50 && seen.isEmpty(); i++) {
                Thread.sleep(20);
            }
        }
        while (!seen.contains(SYNC_ID + last)) {
            e.check("the bare engine's first start");
            Thread.sleep(20);
        }
        e.close();
        if (KeptOffsets.KEPT.size() != 1) {
            throw new IllegalStateException("the bare engine kept " + KeptOffsets.KEPT.size() + " offsets, not 1");
        }
        JsonNode offset = new ObjectMapper().readTree(StandardCharsets.UTF_8.decode(KeptOffsets.KEPT.values().iterator().next().duplicate()).toString());
        if (offset.path("snapshot").asBoolean(false) || offset.path("file").isMissingNode()) {
            throw new IllegalStateException("the bare engine's kept offset is not a streaming position: " + offset);
        }
        return BinlogPosition.of(offset.get("file").asText(), offset.get("pos").asLong());
    }

    /** Starts an agent on the backlog and times it until its log holds the transaction at or after {@code markerStart}. */
    private Map<String, Object> agentDrain(Source s, long sequenceBefore, long markerStart, long rowChanges) throws Exception {
        Path logDir = s.logDir();
        Probe probe = new Probe();
        long t0 = System.nanoTime();
        FoundationBench.RunningAgent agent = FoundationBench.RunningAgent.start(s.config);
        long[] first = {0};
        waitFor("the agent's drain", agent, () -> {
            LogSummary l = LogSummary.of(logDir);
            if (first[0] == 0 && l.lastSequence() > sequenceBefore) {
                first[0] = System.nanoTime();
            }
            return l.lastPosition() >= markerStart;
        });
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

    private Map<String, Object> bareDrain(Source s, long rowChanges) throws Exception {
        AtomicLong rows = new AtomicLong();
        AtomicLong first = new AtomicLong();
        AtomicLong done = new AtomicLong();
        Probe probe = new Probe();
        long t0 = System.nanoTime();
        BareEngine e = BareEngine.start(s.bareProperties(), r -> {
            if (rows.incrementAndGet() == 1) {
                first.set(System.nanoTime());
            }
            if ("bench_marker".equals(r.table) && r.id != null && r.id == MARKER_ID && "c".equals(r.op)) {
                done.set(System.nanoTime());
            }
        });
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (done.get() == 0) {
            e.check("the bare engine's drain");
            if (System.nanoTime() > deadline) {
                e.close();
                throw new IllegalStateException("the bare engine did not see the marker within 10 minutes (" + rows.get() + " row changes seen)");
            }
            Thread.sleep(5);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        double seconds = (done.get() - t0) / 1e9;
        double afterFirst = (done.get() - first.get()) / 1e9;
        m.put("seconds", round(seconds, 2));
        m.put("row_changes", rowChanges);
        m.put("row_changes_seen", rows.get());
        m.put("rows_per_s", Math.round(rowChanges / seconds));
        m.put("rows_per_s_after_first", Math.round(rowChanges / afterFirst));
        m.put("startup_seconds", round(seconds - afterFirst, 2));
        m.putAll(probe.stop(rowChanges));
        e.close();
        m.put("properties_changed_from_mariadb_settings", s.bareChanges());
        return m;
    }

    // ---------------------------------------------------------------------------------------------- the workload

    /** {@code clients} threads, each committing {@code txPerClient} CRM transactions. */
    private void writeBacklog(String db, int txPerClient) throws Exception {
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < o.clients; i++) {
            int n = i;
            Thread t = new Thread(() -> {
                try (CrmWriter w = new CrmWriter(my, db, 1000L + n, o.accounts)) {
                    for (int k = 0; k < txPerClient && failure.get() == null; k++) {
                        w.tx();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "bench-writer-" + i);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a writer failed: " + failure.get(), failure.get());
        }
    }

    /** One connection committing CRM transactions of {@link #CHANGES_PER_TX} row changes. Not thread-safe. */
    private static final class CrmWriter implements AutoCloseable {
        final Connection c;
        final PreparedStatement contact;
        final PreparedStatement activities;
        final PreparedStatement update;
        final SplittableRandom r;
        final int accounts;
        final long[] recent = new long[1024];
        long written;

        CrmWriter(MariaDbServer server, String db, long seed, int accounts) throws SQLException {
            c = server.connect(db);
            c.setAutoCommit(false);
            contact = c.prepareStatement("INSERT INTO contacts (account_id, first_name, last_name, email, phone, lifetime_value, created_at, updated_at,"
                    + " attributes, notes) VALUES (?, ?, ?, ?, ?, ?, NOW(6), NOW(6), ?, ?)", Statement.RETURN_GENERATED_KEYS);
            StringBuilder values = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                values.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, NOW(6) + INTERVAL ? MINUTE, ?, ?, ?)");
            }
            activities = c.prepareStatement("INSERT INTO activities (contact_id, account_id, kind, subject, due_at, amount, body, done) VALUES " + values);
            update = c.prepareStatement("UPDATE contacts SET lifetime_value = lifetime_value + ?, updated_at = NOW(6),"
                    + " attributes = JSON_SET(attributes, '$.score', ?) WHERE id = ?");
            r = new SplittableRandom(seed);
            this.accounts = Math.max(1, accounts);
        }

        /** Commits one transaction; returns the new contact's id. */
        long tx() throws SQLException {
            long account = 1 + r.nextInt(accounts);
            String firstName = Words.pick(r, Words.FIRST);
            String lastName = Words.pick(r, Words.LAST);
            contact.setLong(1, account);
            contact.setString(2, firstName);
            contact.setString(3, lastName);
            contact.setString(4, (firstName + "." + lastName + "." + r.nextInt(1_000_000)).toLowerCase(Locale.ROOT) + "@" + Words.pick(r, Words.DOMAIN));
            contact.setString(5, "+1 " + (200 + r.nextInt(800)) + " " + (100 + r.nextInt(900)) + " " + (1000 + r.nextInt(9000)));
            contact.setBigDecimal(6, BigDecimal.valueOf(r.nextLong(10_000_000L), 2));
            contact.setString(7, "{\"source\": \"" + Words.pick(r, Words.SOURCE) + "\", \"score\": " + r.nextInt(100) + ", \"tags\": [\""
                    + Words.pick(r, Words.TAG) + "\", \"" + Words.pick(r, Words.TAG) + "\"], \"consent\": " + r.nextBoolean() + "}");
            contact.setString(8, Words.sentence(r, 25 + r.nextInt(20)));
            contact.executeUpdate();
            long id;
            try (ResultSet keys = contact.getGeneratedKeys()) {
                keys.next();
                id = keys.getLong(1);
            }
            int p = 1;
            for (int i = 0; i < 3; i++) {
                activities.setLong(p++, id);
                activities.setLong(p++, account);
                activities.setString(p++, Words.pick(r, Words.KIND));
                activities.setString(p++, Words.sentence(r, 4 + r.nextInt(5)));
                activities.setInt(p++, r.nextInt(60 * 24 * 30));
                activities.setBigDecimal(p++, BigDecimal.valueOf(r.nextLong(100_000_000L), 2));
                activities.setString(p++, Words.sentence(r, 15 + r.nextInt(25)));
                activities.setBoolean(p++, r.nextInt(4) == 0);
            }
            activities.executeUpdate();
            long target = written == 0 ? id : recent[r.nextInt((int) Math.min(written, recent.length))];
            update.setBigDecimal(1, BigDecimal.valueOf(1 + r.nextLong(10_000L), 2));
            update.setInt(2, r.nextInt(100));
            update.setLong(3, target);
            update.executeUpdate();
            c.commit();
            recent[(int) (written++ % recent.length)] = id;
            return id;
        }

        @Override
        public void close() throws SQLException {
            c.close();
        }
    }

    // ---------------------------------------------------------------------------------------------- restore

    private void restores(Source s) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        json.put("restore", r);
        Map<String, Long> sourceRows = new LinkedHashMap<>();
        for (String t : s.tables) {
            String name = t.substring(t.indexOf('.') + 1);
            sourceRows.put(name, Long.parseLong(my.queryOne(s.db, "SELECT COUNT(*) FROM `" + name + "`")));
        }
        r.put("source_rows", sourceRows);

        step("anchor, part 1 (not compared): mariadb-dump --single-transaction of " + s.db);
        Path dump = work.resolve("crm.sql");
        long t0 = System.nanoTime();
        tool(my.command("mariadb-dump", "--single-transaction", s.db), null, dump);
        double dumpSeconds = secs(t0);

        step("restore latest into a new MariaDB database (Backtrack)");
        my.createDatabase("restored_backtrack");
        Map<String, Object> toMaria = timedRestore(s, my.jdbcUrl("restored_backtrack"), "root");
        toMaria.put("restored_equals_source", sameAsSource(s, "restored_backtrack"));
        r.put("backtrack_to_mariadb", toMaria);
        report("restore into MariaDB", toMaria);

        step("anchor: the dump loaded with the mariadb client into a new database on the same server");
        my.createDatabase("restored_dump");
        Probe probe = new Probe();
        t0 = System.nanoTime();
        tool(my.command("mariadb", "restored_dump"), dump, null);
        double loadSeconds = secs(t0);
        Map<String, Object> anchor = new LinkedHashMap<>();
        long rows = 0;
        for (String t : sourceRows.keySet()) {
            rows += Long.parseLong(my.queryOne("restored_dump", "SELECT COUNT(*) FROM `" + t + "`"));
        }
        anchor.put("seconds", round(loadSeconds, 2));
        anchor.put("rows", rows);
        anchor.put("rows_per_s", Math.round(rows / loadSeconds));
        anchor.putAll(probe.stop(rows));
        anchor.put("mariadb_dump_seconds", round(dumpSeconds, 2));
        anchor.put("dump_bytes", Files.size(dump));
        anchor.put("restored_equals_source", sameAsSource(s, "restored_dump"));
        r.put("mariadb_dump_load", anchor);
        report("mariadb-dump | mariadb", anchor);

        if (pitrBase != null) {
            Map<String, Object> pitr = mariaDbPitr(s, "restored_pitr", "restored_backtrack");
            r.put("mariadb_pitr", pitr);
            report("MariaDB PITR (dump load + mariadb-binlog replay)", pitr);
        }

        step("restore latest into a new PostgreSQL database (Backtrack, through the type map)");
        pg.execute("postgres", "CHECKPOINT");
        pg.createDatabase("restored_backtrack");
        Map<String, Object> toPg = timedRestore(s, pg.jdbcUrl("restored_backtrack"), "postgres");
        toPg.put("restored_rows_equal_source", samePgCounts(sourceRows, "restored_backtrack"));
        r.put("backtrack_to_postgresql", toPg);
        report("restore into PostgreSQL", toPg);
    }

    /**
     * MariaDB's own point-in-time recovery to the end of the backlog, into a new database {@code db} on
     * the same server: the base dump taken right after checkpoint 0 loaded with the mariadb client, then
     * the binlog from the dump's position to its current end replayed with {@code mariadb-binlog
     * --database=SRC --rewrite-db='SRC->db' --disable-log-bin} piped into the mariadb client. Compared
     * table by table with the Backtrack restore in {@code backtrackDb}.
     */
    private Map<String, Object> mariaDbPitr(Source s, String db, String backtrackDb) throws Exception {
        step("anchor: MariaDB's PITR to the end of the backlog into a new database: the base dump (taken at checkpoint 0) loaded with the mariadb"
                + " client, then mariadb-binlog from the dump's position to the end | mariadb");
        long from = pitrBase.position();
        // right after the marker transaction: the end of the backlog, before the restores below wrote other databases to the binlog
        long to = backlogEnd;
        List<String> files = new ArrayList<>();
        long binlogBytes = 0;
        for (Path f : my.binlogFiles()) {
            long file = BinlogPosition.of(f.getFileName().toString(), 0);
            if (file >= (from & ~0xFFFF_FFFFL) && file <= (to & ~0xFFFF_FFFFL)) {
                files.add(f.toString());
                long start = file == (from & ~0xFFFF_FFFFL) ? from & 0xFFFF_FFFFL : 0;
                long end = file == (to & ~0xFFFF_FFFFL) ? to & 0xFFFF_FFFFL : Files.size(f);
                binlogBytes += end - start;
            }
        }
        if (files.isEmpty()) {
            throw new IllegalStateException("no binlog file holds " + BinlogPosition.format(from) + " .. " + BinlogPosition.format(to) + ": " + my.binlogFiles());
        }
        List<String> args = new ArrayList<>(List.of("--database=" + s.db, "--rewrite-db=" + s.db + "->" + db, "--disable-log-bin",
                "--start-position=" + (from & 0xFFFF_FFFFL), "--stop-position=" + (to & 0xFFFF_FFFFL)));
        args.addAll(files);
        my.createDatabase(db);
        Probe probe = new Probe();
        long t0 = System.nanoTime();
        tool(my.command("mariadb", db), pitrBase.dump(), null);
        double loadSeconds = secs(t0);
        long t1 = System.nanoTime();
        pipe(my.command("mariadb-binlog", args.toArray(String[]::new)), my.command("mariadb", db));
        double replaySeconds = secs(t1);
        double seconds = secs(t0);
        long rows = 0;
        for (String t : s.tables) {
            rows += Long.parseLong(my.queryOne(db, "SELECT COUNT(*) FROM `" + t.substring(t.indexOf('.') + 1) + "`"));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", round(seconds, 2));
        m.put("dump_load_seconds", round(loadSeconds, 2));
        m.put("binlog_replay_seconds", round(replaySeconds, 2));
        m.put("binlog_bytes", binlogBytes);
        m.put("rows", rows);
        m.put("rows_per_s", Math.round(rows / seconds));
        m.putAll(probe.stop(rows));
        m.put("equals_backtrack_restore", sameTables(s, db, backtrackDb));
        m.put("restored_equals_source", sameAsSource(s, db));
        m.put("base_dump_seconds", round(pitrBase.seconds(), 2));
        m.put("base_dump_bytes", Files.size(pitrBase.dump()));
        m.put("base_dump_position", BinlogPosition.format(from));
        m.put("checkpoint0_position", BinlogPosition.format(pitrBase.checkpoint0()));
        m.put("replay_to_position", BinlogPosition.format(to));
        m.put("binlog_files", files.stream().map(f -> Path.of(f).getFileName().toString()).toList());
        m.put("command", "mariadb " + db + " < base.sql; mariadb-binlog " + String.join(" ", args.subList(0, 5)) + " FILES | mariadb " + db);
        m.put("note", "the same window for both: the base dump was taken right after the agent's checkpoint 0 and before the backlog, with nothing"
                + " written to " + s.db + " in between (dump at binlog " + BinlogPosition.format(from) + ", checkpoint 0 at "
                + BinlogPosition.format(pitrBase.checkpoint0()) + "); both end at the end of the backlog (the marker transaction; the binlog replay stops right after it, at "
                + BinlogPosition.format(to) + ", nothing was written to " + s.db + " after it; Backtrack restores 'latest'). The dump load writes the binlog like Backtrack's restore; the replay"
                + " runs with --disable-log-bin (MariaDB's way to replay into the server that wrote the binlog: no loop, no duplicate GTIDs), so it"
                + " skips the binlog writes and sync_binlog fsyncs Backtrack's restore does. base_dump_seconds: not compared");
        return m;
    }

    /** Per table: the same count and row hash in two databases (the source's column list). */
    private Map<String, Boolean> sameTables(Source s, String a, String b) {
        Map<String, Boolean> same = new LinkedHashMap<>();
        for (String t : s.tables) {
            String name = t.substring(t.indexOf('.') + 1);
            try {
                same.put(name, tableHash(a, s.db, name).equals(tableHash(b, s.db, name)));
            } catch (RuntimeException e) {
                same.put(name, false);
            }
        }
        return same;
    }

    private Map<String, Object> timedRestore(Source s, String url, String user) throws IOException {
        Probe probe = new Probe();
        Engine engine = Repository.open(s.repo).identity().sourceEngine();
        Harness.Restored r = Harness.timedRestore(s.repo, RestoreTarget.parse("latest", null), () -> Targets.connect(url, user, "", engine), 1);
        Map<String, Object> m = r.figures();
        m.putAll(probe.stop(r.report().rows()));
        m.put("rows_per_table", r.report().rowsPerTable());
        m.put("notes", r.report().notes());
        return m;
    }

    /** Per table: same row count and same hash of every row's text as the source. */
    private Map<String, Boolean> sameAsSource(Source s, String db) {
        return sameTables(s, s.db, db);
    }

    /** COUNT and BIT_XOR of CRC32 of every row's columns (as the source table names them). */
    private String tableHash(String db, String sourceDb, String table) {
        String cols = my.queryOne(sourceDb, "SELECT GROUP_CONCAT(CONCAT('COALESCE(`', COLUMN_NAME, '`, ''<null>'')') ORDER BY ORDINAL_POSITION SEPARATOR ', ')"
                + " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '" + sourceDb + "' AND TABLE_NAME = '" + table + "'");
        return my.queryOne(db, "SELECT CONCAT(COUNT(*), '/', COALESCE(BIT_XOR(CRC32(CONCAT_WS('|', " + cols + "))), 0)) FROM `" + table + "`");
    }

    private Map<String, Boolean> samePgCounts(Map<String, Long> sourceRows, String db) {
        Map<String, Boolean> same = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : sourceRows.entrySet()) {
            String schema = pg.queryOne(db, "SELECT table_schema FROM information_schema.tables WHERE table_name = '" + e.getKey()
                    + "' AND table_schema NOT IN ('pg_catalog', 'information_schema') LIMIT 1");
            same.put(e.getKey(), schema != null && Long.parseLong(pg.queryOne(db, "SELECT count(*)::text FROM \"" + schema + "\".\"" + e.getKey() + "\""))
                    == e.getValue());
        }
        return same;
    }

    /** Runs a client tool with stdin from / stdout to a file (either may be null); fails when it fails. */
    private void tool(List<String> cmd, Path in, Path out) throws IOException, InterruptedException {
        Path err = work.resolve("tool.err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
        if (in != null) {
            pb.redirectInput(in.toFile());
        }
        pb.redirectOutput(out != null ? ProcessBuilder.Redirect.to(out.toFile()) : ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + String.join(" ", cmd));
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + Files.readString(err));
        }
    }

    /** Runs {@code from | to} (stdout of the first into the second, the second's output discarded); fails when either fails. */
    private void pipe(List<String> from, List<String> to) throws IOException, InterruptedException {
        Path err1 = work.resolve("pipe-1.err");
        Path err2 = work.resolve("pipe-2.err");
        List<Process> ps = ProcessBuilder.startPipeline(List.of(new ProcessBuilder(from).redirectError(err1.toFile()),
                new ProcessBuilder(to).redirectError(err2.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        for (Process p : ps) {
            if (!p.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                ps.forEach(Process::destroyForcibly);
                throw new IllegalStateException("timed out: " + String.join(" ", from) + " | " + String.join(" ", to));
            }
        }
        if (ps.get(0).exitValue() != 0 || ps.get(1).exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", from) + " (exit " + ps.get(0).exitValue() + ": " + Files.readString(err1) + ") | "
                    + String.join(" ", to) + " (exit " + ps.get(1).exitValue() + ": " + Files.readString(err2) + ") failed");
        }
    }

    // ---------------------------------------------------------------------------------------------- migration lag

    /**
     * A steady workload on database {@code lag}, captured by an agent and followed by {@code backtrack
     * migrate --follow --json} into PostgreSQL in a child JVM. Per transaction: when the agent's log
     * held it and when the target showed it, both from the moment its commit returned at the source.
     */
    private void lag() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        json.put("migration_lag", m);
        Source s = new Source("lag", 5421, 5422);
        s.create(200);
        step("migration lag: agent on database lag, then backtrack migrate --follow --json into PostgreSQL (child JVM)");
        FoundationBench.RunningAgent agent = FoundationBench.RunningAgent.start(s.config);
        Process child = null;
        try {
            waitFor("checkpoint 0 of lag", agent, () -> Files.exists(s.repo.resolve(Repository.ROOT_FILE)) && !Repository.open(s.repo).checkpoints().isEmpty());
            pg.createDatabase("migrated");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = List.of(java, "-Xms256m", "-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                    "dev.backtrack.cli.Main", "migrate", "--repo", s.repo.toString(), "--target-url", pg.jdbcUrl("migrated"), "--target-user", "postgres",
                    "--follow", "--json");
            m.put("command", "backtrack migrate --repo REPO --target-url " + pg.jdbcUrl("migrated") + " --target-user postgres --follow --json (default --poll 500)");
            Path err = work.resolve("migrate.err");
            child = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
            List<double[]> reported = Collections.synchronizedList(new ArrayList<>());
            Process proc = child;
            Thread reader = new Thread(() -> {
                ObjectMapper json = new ObjectMapper();
                try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        try {
                            JsonNode n = json.readTree(line);
                            if (n.has("lagSeconds")) {
                                reported.add(new double[]{System.nanoTime(), n.get("lagSeconds").asDouble(), n.path("lagTransactions").asDouble()});
                            }
                        } catch (IOException notJson) {
                            // not a progress line
                        }
                    }
                } catch (IOException ignored) {
                    // the child ended
                }
            }, "bench-migrate-reader");
            reader.setDaemon(true);
            reader.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (reported.isEmpty()) {
                if (!child.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("migrate did not start following (exit " + (child.isAlive() ? "none" : child.exitValue()) + "): "
                            + Files.readString(err));
                }
                Thread.sleep(50);
            }
            String schema = pg.queryOne("migrated", "SELECT table_schema FROM information_schema.tables WHERE table_name = 'contacts'"
                    + " AND table_schema NOT IN ('pg_catalog', 'information_schema') LIMIT 1");
            String contacts = "\"" + schema + "\".contacts";

            int n = o.lagTps * o.lagSeconds;
            long[] startPos = new long[n];
            long[] contactId = new long[n];
            long[] committed = new long[n];
            long[] logged = new long[n];
            long[] applied = new long[n];
            AtomicInteger count = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            step(String.format(Locale.ROOT, "  workload: %d transactions/s of %d row changes for %d s, one writer", o.lagTps, CHANGES_PER_TX, o.lagSeconds));
            Thread writer = new Thread(() -> {
                try (CrmWriter w = new CrmWriter(my, s.db, 99, 200); Connection c = my.connect(null); Statement st = c.createStatement()) {
                    long next = binlogEndOf(st);
                    long t0 = System.nanoTime();
                    long every = 1_000_000_000L / o.lagTps;
                    for (int i = 0; i < n; i++) {
                        long due = t0 + i * every;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                        startPos[i] = next;
                        contactId[i] = w.tx();
                        committed[i] = System.nanoTime();
                        next = binlogEndOf(st);
                        count.set(i + 1);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "bench-lag-writer");
            Path logDir = s.logDir();
            Probe probe = new Probe();
            long began = System.nanoTime();
            writer.start();
            int ci = 0;
            int mi = 0;
            long drainDeadline = Long.MAX_VALUE;
            long applyingNanos = 0;
            long previousSample = System.nanoTime();
            try (Connection target = pg.connect("migrated"); Statement st = target.createStatement()) {
                while (mi < n) {
                    if (failure.get() != null) {
                        throw new IllegalStateException("the lag writer failed: " + failure.get(), failure.get());
                    }
                    if (!child.isAlive()) {
                        throw new IllegalStateException("migrate ended (exit " + child.exitValue() + "): " + Files.readString(err));
                    }
                    if (agent.ended) {
                        throw new IllegalStateException("the agent ended: " + agent.failure.get() + "\n" + agent.said);
                    }
                    int done = count.get();
                    if (done == n && drainDeadline == Long.MAX_VALUE) {
                        drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                    }
                    if (System.nanoTime() > drainDeadline) {
                        throw new IllegalStateException("migrate did not apply the workload within 120 s of its end: " + mi + " of " + n);
                    }
                    long position = LogSummary.of(logDir).lastPosition();
                    long now = System.nanoTime();
                    while (ci < done && startPos[ci] <= position) {
                        logged[ci++] = now;
                    }
                    long max;
                    try (ResultSet rs = st.executeQuery("SELECT COALESCE(max(id), 0) FROM " + contacts)) {
                        rs.next();
                        max = rs.getLong(1);
                    }
                    now = System.nanoTime();
                    int appliedBefore = mi;
                    while (mi < done && contactId[mi] <= max) {
                        applied[mi++] = now;
                    }
                    if (mi > appliedBefore) {
                        // the target moved on since the last sample: migrate was applying in between
                        applyingNanos += now - previousSample;
                    }
                    previousSample = now;
                    Thread.sleep(10);
                }
            }
            writer.join();
            double seconds = secs(began);
            Map<String, Object> cpu = probe.stop(n * (long) CHANGES_PER_TX);
            long workloadEnd = committed[n - 1];
            double[] captureMs = new double[n];
            double[] migrateMs = new double[n];
            for (int i = 0; i < n; i++) {
                captureMs[i] = (logged[i] - committed[i]) / 1e6;
                migrateMs[i] = (applied[i] - committed[i]) / 1e6;
            }
            List<Double> during = new ArrayList<>();
            for (double[] r : reported) {
                if (r[0] >= began && r[0] <= workloadEnd) {
                    during.add(r[1]);
                }
            }
            double[] rep = during.stream().mapToDouble(Double::doubleValue).toArray();
            m.put("transactions", n);
            m.put("row_changes", (long) n * CHANGES_PER_TX);
            m.put("target_tps", o.lagTps);
            m.put("achieved_tps", Math.round(n / ((committed[n - 1] - began) / 1e9)));
            m.put("seconds_to_drain", round(seconds, 2));
            m.put("capture_lag_ms", Harness.percentiles(captureMs));
            m.put("migration_lag_ms", Harness.percentiles(migrateMs));
            Map<String, Object> self = Harness.percentiles(rep);
            self.put("samples", rep.length);
            m.put("reported_lag_seconds", self);
            m.put("migrate_apply_tx_per_s_while_applying", applyingNanos == 0 ? null : Math.round(n / (applyingNanos / 1e9)));
            m.put("migrate_applying_percent_of_time", round(100.0 * applyingNanos / (System.nanoTime() - began), 1));
            m.put("cpu", cpu);
            m.put("note", "per transaction, from its commit returning at the source: capture = the agent's log holds it (log polled every ~10 ms),"
                    + " migration = visible in the PostgreSQL target (max(id) polled every ~10 ms); reported = lagSeconds of migrate --json lines"
                    + " printed while the workload ran (commit-time distance, binlog timestamps are whole seconds)");
            step(String.format(Locale.ROOT, "  capture lag p50 %s ms, p99 %s ms; migration lag p50 %s ms, p99 %s ms; reported lagSeconds p50 %s, p99 %s (%d lines)",
                    Harness.percentiles(captureMs).get("p50"), Harness.percentiles(captureMs).get("p99"), Harness.percentiles(migrateMs).get("p50"),
                    Harness.percentiles(migrateMs).get("p99"), self.get("p50"), self.get("p99"), rep.length));
        } finally {
            if (child != null) {
                child.destroy();
                if (!child.waitFor(60, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
                m.put("migrate_exit", child.isAlive() ? null : child.exitValue());
            }
            agent.stop();
            m.put("agent_status", agent.lastLine());
        }
    }

    private static long binlogEndOf(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
            rs.next();
            return BinlogPosition.of(rs.getString(1), rs.getLong(2));
        }
    }

    // ---------------------------------------------------------------------------------------------- the bare engine

    /** A data change the bare engine saw: its table, op and (marker table) id. */
    private record Seen(String table, String op, Long id) {
    }

    /** The bare Debezium engine on its own thread; a consumer that only marks records processed. */
    private static final class BareEngine {
        final DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine;
        final Thread thread;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final CountDownLatch finished = new CountDownLatch(1);

        private BareEngine(Properties p, Consumer<Seen> seen) {
            engine = DebeziumEngine.create(Connect.class).using(p)
                    .notifying((records, committer) -> {
                        for (ChangeEvent<SourceRecord, SourceRecord> r : records) {
                            if (r.value().value() instanceof Struct v && v.schema().field("op") != null) {
                                Struct source = v.getStruct("source");
                                String table = source == null ? null : source.getString("table");
                                Long id = null;
                                if ("bench_marker".equals(table)) {
                                    Struct row = v.getStruct("after") != null ? v.getStruct("after") : v.getStruct("before");
                                    id = row == null ? null : ((Number) row.get("id")).longValue();
                                }
                                seen.accept(new Seen(table, v.getString("op"), id));
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
            thread = new Thread(engine, "bench-bare-engine");
        }

        static BareEngine start(Properties p, Consumer<Seen> seen) {
            BareEngine e = new BareEngine(p, seen);
            e.thread.start();
            return e;
        }

        void check(String what) {
            if (finished.getCount() == 0) {
                throw new IllegalStateException(what + ": the engine stopped: " + failure.get(), failure.get());
            }
        }

        void close() throws IOException, InterruptedException {
            engine.close();
            thread.join(TimeUnit.MINUTES.toMillis(1));
        }
    }

    /**
     * An in-memory offset store that outlives its engine (the engine is restarted in this JVM after the
     * backlog is written). Instantiated by the engine.
     */
    public static final class KeptOffsets extends MemoryOffsetBackingStore {
        static final Map<ByteBuffer, ByteBuffer> KEPT = Collections.synchronizedMap(new HashMap<>());

        public KeptOffsets() {
            data = KEPT;
        }

        @Override
        public Set<Map<String, Object>> connectorPartitions(String connectorName) {
            return Set.of();
        }
    }

    /** An in-memory schema history that outlives its engine. Instantiated by the connector. */
    public static final class KeptHistory extends AbstractSchemaHistory {
        private static final List<HistoryRecord> RECORDS = new ArrayList<>();

        static void clear() {
            synchronized (RECORDS) {
                RECORDS.clear();
            }
        }

        @Override
        protected void storeRecord(HistoryRecord record) {
            synchronized (RECORDS) {
                RECORDS.add(record);
            }
        }

        @Override
        protected void recoverRecords(Consumer<HistoryRecord> records) {
            List<HistoryRecord> copy;
            synchronized (RECORDS) {
                copy = new ArrayList<>(RECORDS);
            }
            copy.forEach(records);
        }

        @Override
        public boolean exists() {
            synchronized (RECORDS) {
                return !RECORDS.isEmpty();
            }
        }

        @Override
        public boolean storageExists() {
            return true;
        }
    }

    // ---------------------------------------------------------------------------------------------- the agent

    private static void waitFor(String what, FoundationBench.RunningAgent agent, Condition c) throws Exception {
        FoundationBench.waitFor(what, agent, c, WAIT_NANOS);
    }

    // ---------------------------------------------------------------------------------------------- probes

    /** CPU over a phase: the machine, this JVM (with its reaped children), mariadbd and the PostgreSQL cluster. */
    private final class Probe {
        final double[] machine = FoundationBench.Cpu.machine();
        final long jvm = FoundationBench.Jvm.processCpuNanos();
        final double children = Cpu.selfChildren();
        final double mariadbd = Cpu.tree(mariadbdPid);
        final double postgres = Cpu.tree(postmasterPid);
        final double jit = FoundationBench.Jvm.nativeThreadCpu().get("jit");

        Map<String, Object> stop(long rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            double j = (FoundationBench.Jvm.processCpuNanos() - jvm) / 1e9;
            double compiler = FoundationBench.Jvm.nativeThreadCpu().get("jit") - jit;
            double c = Cpu.selfChildren() - children;
            double d = Cpu.tree(mariadbdPid) - mariadbd;
            double p = Cpu.tree(postmasterPid) - postgres;
            m.put("machine_cpu_busy_percent", FoundationBench.Cpu.busyPercent(machine, FoundationBench.Cpu.machine()));
            m.put("jvm_cpu_seconds", round(j, 2));
            m.put("jit_threads_cpu_seconds", round(compiler, 2));
            m.put("child_processes_cpu_seconds", round(c, 2));
            m.put("mariadbd_cpu_seconds", round(d, 2));
            m.put("postgresql_cpu_seconds", round(p, 2));
            // without the JIT compiler threads, whose share depends on how warm the JVM is
            m.put("cpu_us_per_row", round((j - compiler + c + d + p) * 1e6 / Math.max(1, rows), 1));
            return m;
        }
    }

    private static final class Cpu {
        /** CPU seconds so far of a process and its direct children (with what they reaped); 0 when unknown. */
        static double tree(long root) {
            if (root <= 0) {
                return 0;
            }
            double sum = 0;
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path p : procs.toList()) {
                    String name = p.getFileName().toString();
                    if (!name.chars().allMatch(Character::isDigit)) {
                        continue;
                    }
                    try {
                        String stat = Files.readString(p.resolve("stat"));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        if (Long.parseLong(name) == root || Long.parseLong(f[1]) == root) {
                            sum += (Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14])) / 100.0;
                        }
                    } catch (IOException | RuntimeException gone) {
                        // ended meanwhile
                    }
                }
            } catch (IOException e) {
                return 0;
            }
            return sum;
        }

        /** CPU seconds of the children this JVM has reaped (the mariadb client, mariadb-dump). */
        static double selfChildren() {
            try {
                String stat = Files.readString(Path.of("/proc/self/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(f[13]) + Long.parseLong(f[14])) / 100.0;
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }

    }

    // ---------------------------------------------------------------------------------------------- output

    private static void report(String who, Map<String, Object> m) {
        Harness.report(who, m, List.of("seconds", "rows", "rows_per_s", "rows_per_s_after_first", "startup_seconds", "row_changes_seen", "row_changes_logged",
                "machine_cpu_busy_percent", "jvm_cpu_seconds", "jit_threads_cpu_seconds", "child_processes_cpu_seconds", "mariadbd_cpu_seconds",
                "postgresql_cpu_seconds", "cpu_us_per_row", "dump_load_seconds", "binlog_replay_seconds", "binlog_bytes", "equals_backtrack_restore",
                "restored_equals_source", "restored_rows_equal_source"));
    }

    private void write() throws IOException {
        Harness.writeResults(json, json.containsKey("capture") ? table() : "(no figures)", o.results, "mariadb");
        Harness.deleteTree(work);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> m, String key) {
        return m.get(key) instanceof Map<?, ?> x ? (Map<String, Object>) x : Map.of();
    }

    private String table() {
        Map<String, Object> env = map(json, "environment");
        Map<String, Object> capture = map(json, "capture");
        Map<String, Object> backlog = map(capture, "backlog");
        Map<String, Object> agent = map(capture, "agent");
        Map<String, Object> bare = map(capture, "bare_engine");
        Map<String, Object> starts = map(capture, "start_positions");
        Map<String, Object> restore = map(json, "restore");
        Map<String, Object> toMaria = map(restore, "backtrack_to_mariadb");
        Map<String, Object> toPg = map(restore, "backtrack_to_postgresql");
        Map<String, Object> dump = map(restore, "mariadb_dump_load");
        Map<String, Object> pitr = map(restore, "mariadb_pitr");
        Map<String, Object> lag = map(json, "migration_lag");

        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"figure", "Backtrack", "anchor (same run)", "Backtrack / anchor"});
        rows.add(new String[]{"capture: drain a binlog backlog of " + fmt(backlog.get("row_changes")) + " row changes",
                "agent, fsync'd log: " + rate(agent), "bare Debezium MariaDB engine, no-op: " + rate(bare),
                ratio(agent.get("rows_per_s"), bare.get("rows_per_s"), "x rate")});
        rows.add(new String[]{"  same, from the first change on", "agent: " + fmt(agent.get("rows_per_s_after_first")) + "/s",
                "bare engine: " + fmt(bare.get("rows_per_s_after_first")) + "/s",
                ratio(agent.get("rows_per_s_after_first"), bare.get("rows_per_s_after_first"), "x rate")});
        rows.add(new String[]{"  CPU us per row change (JVM w/o JIT + servers)", "agent: " + agent.get("cpu_us_per_row"),
                "bare engine: " + bare.get("cpu_us_per_row"), ratio(agent.get("cpu_us_per_row"), bare.get("cpu_us_per_row"), "x CPU")});
        if (agent.get("log_bytes") instanceof Number lb && backlog.get("binlog_bytes") instanceof Number bb && backlog.get("row_changes") instanceof Number rc) {
            rows.add(new String[]{"bytes per row change", "redo log (zstd): " + round(lb.doubleValue() / rc.doubleValue(), 1),
                    "binlog (ROW, FULL): " + round(bb.doubleValue() / rc.doubleValue(), 1), ratio(lb, bb, "x")});
        }
        if (!toMaria.isEmpty() || !dump.isEmpty()) {
            rows.add(new String[]{"restore " + fmt(toMaria.get("rows")) + " rows into MariaDB", "restore latest: " + restoreRate(toMaria),
                    "mariadb-dump | mariadb: " + restoreRate(dump), ratio(toMaria.get("rows_per_s"), dump.get("rows_per_s"), "x rate")});
        }
        if (!toMaria.isEmpty() && !pitr.isEmpty()) {
            rows.add(new String[]{"restore to the end of the backlog into MariaDB", "Backtrack " + toMaria.get("seconds") + " s",
                    "MariaDB PITR: dump load + mariadb-binlog replay " + pitr.get("seconds") + " s (" + pitr.get("dump_load_seconds") + " + "
                            + pitr.get("binlog_replay_seconds") + ")", ratio(toMaria.get("seconds"), pitr.get("seconds"), "x time")});
        }
        if (!toPg.isEmpty()) {
            rows.add(new String[]{"restore " + fmt(toPg.get("rows")) + " rows into PostgreSQL (cross-engine)", "restore latest: " + restoreRate(toPg),
                    "mariadb-dump | mariadb: " + restoreRate(dump), ratio(toPg.get("rows_per_s"), dump.get("rows_per_s"), "x rate")});
        }
        if (lag.get("migration_lag_ms") != null) {
            Map<String, Object> mig = map(lag, "migration_lag_ms");
            Map<String, Object> cap = map(lag, "capture_lag_ms");
            Map<String, Object> rep = map(lag, "reported_lag_seconds");
            rows.add(new String[]{"migrate --follow lag, " + lag.get("target_tps") + " tx/s for " + o.lagSeconds + " s (commit -> in PostgreSQL)",
                    "p50 " + mig.get("p50") + " ms, p99 " + mig.get("p99") + " ms", "agent capture lag (commit -> in log): p50 " + cap.get("p50")
                    + " ms, p99 " + cap.get("p99") + " ms", ratio(mig.get("p50"), cap.get("p50"), "x p50") + ", " + ratio(mig.get("p99"), cap.get("p99"), "x p99")});
            rows.add(new String[]{"  lagSeconds migrate --json printed meanwhile", "p50 " + rep.get("p50") + " s, p99 " + rep.get("p99") + " s ("
                    + rep.get("samples") + " lines)", "no anchor", ""});
        }
        StringBuilder s = new StringBuilder(FoundationBench.table(rows)).append("\n");
        s.append("machine: ").append(env.get("cores")).append(" cores, load average ").append(env.get("load_average_at_start")).append(" at start, ")
                .append(env.get("load_average_at_end")).append(" at end; fdatasync 4 KiB: ").append(env.get("fdatasync_ms_4k")).append(" ms; ")
                .append(env.get("java")).append("\n");
        s.append("JVM: ").append(env.get("jvm_heap")).append("; arguments: ").append(env.get("jvm_arguments")).append("\n");
        s.append("MariaDB ").append(env.get("mariadb")).append(": binlog ROW/FULL, ").append(env.get("mariadb_settings")).append("\n");
        s.append("PostgreSQL: ").append(env.get("postgresql_settings")).append("\n");
        s.append("backlog: ").append(o.clients).append(" writers, ").append(fmt(backlog.get("transactions"))).append(" transactions (contact + 3 activities + an update)")
                .append(" at ").append(backlog.get("tps")).append(" tps, machine ").append(backlog.get("machine_cpu_busy_percent")).append("% busy; ")
                .append(fmt(backlog.get("binlog_bytes"))).append(" binlog bytes\n");
        s.append("start positions: bare engine ").append(starts.get("bare_engine")).append(" (its offset: the sync transaction it had seen, skipped on resume), agent ")
                .append(starts.get("agent_checkpoint0")).append(" (checkpoint 0), backlog from ").append(starts.get("backlog_start")).append("\n");
        s.append("seen: agent logged ").append(fmt(agent.get("row_changes_logged"))).append(" row changes in ").append(fmt(agent.get("transactions_logged")))
                .append(" transactions; bare engine saw ").append(fmt(bare.get("row_changes_seen"))).append(" row changes; startup: agent ")
                .append(agent.get("startup_seconds")).append(" s, bare ").append(bare.get("startup_seconds")).append(" s\n");
        s.append("CPU during the agent drain: ").append(cpu(agent)).append("\n");
        s.append("CPU during the bare drain:  ").append(cpu(bare)).append("\n");
        if (!restore.isEmpty()) {
            s.append("restore: one connection each; equal to the source per table (count + row hash): to MariaDB ").append(toMaria.get("restored_equals_source"))
                    .append(", dump load ").append(dump.get("restored_equals_source")).append("; PostgreSQL row counts equal: ")
                    .append(toPg.get("restored_rows_equal_source")).append("; mariadb-dump took ").append(dump.get("mariadb_dump_seconds")).append(" s (not compared)\n");
            s.append("CPU during restore into MariaDB: ").append(cpu(toMaria)).append("\n");
            s.append("CPU during the dump load:        ").append(cpu(dump)).append("\n");
            if (!pitr.isEmpty()) {
                s.append("MariaDB PITR: base dump at binlog ").append(pitr.get("base_dump_position")).append(" (checkpoint 0 at ")
                        .append(pitr.get("checkpoint0_position")).append("), taken in ").append(pitr.get("base_dump_seconds")).append(" s (not compared); replayed ")
                        .append(fmt(pitr.get("binlog_bytes"))).append(" binlog bytes to ").append(pitr.get("replay_to_position"))
                        .append(" with --disable-log-bin; equal to the Backtrack restore per table: ").append(pitr.get("equals_backtrack_restore"))
                        .append(", to the source: ").append(pitr.get("restored_equals_source")).append("\n");
                s.append("CPU during the MariaDB PITR:     ").append(cpu(pitr)).append("\n");
            }
            s.append("CPU during restore into PostgreSQL: ").append(cpu(toPg)).append("\n");
        }
        if (lag.get("migration_lag_ms") != null) {
            s.append("lag: ").append(lag.get("achieved_tps")).append(" tx/s achieved; max capture ").append(map(lag, "capture_lag_ms").get("max"))
                    .append(" ms, max migration ").append(map(lag, "migration_lag_ms").get("max")).append(" ms; migrate polls the log every 100 ms (its default)")
                    .append(" and applied ~").append(fmt(lag.get("migrate_apply_tx_per_s_while_applying"))).append(" tx/s while applying (")
                    .append(lag.get("migrate_applying_percent_of_time")).append("% of the time; sampled every ~10 ms);")
                    .append(" reported lagSeconds is a commit-time distance with the binlog's 1 s resolution\n");
        } else if (o.lagSeconds > 0 && json.containsKey("migration_lag")) {
            s.append("lag: did not complete, see migration_lag in the JSON\n");
        }
        return s.toString();
    }

    private static String cpu(Map<String, Object> m) {
        return "machine busy " + m.get("machine_cpu_busy_percent") + "%, JVM " + m.get("jvm_cpu_seconds") + " s (JIT " + m.get("jit_threads_cpu_seconds")
                + " s), child processes " + m.get("child_processes_cpu_seconds") + " s, mariadbd " + m.get("mariadbd_cpu_seconds") + " s, PostgreSQL "
                + m.get("postgresql_cpu_seconds") + " s";
    }

    private static String rate(Map<String, Object> m) {
        return fmt(m.get("rows_per_s")) + " rows/s (" + m.get("seconds") + " s)";
    }

    private static String restoreRate(Map<String, Object> m) {
        return m.get("seconds") + " s, " + fmt(m.get("rows_per_s")) + " rows/s";
    }

    // ---------------------------------------------------------------------------------------------- options

    record Options(int clients, int txPerClient, int warmupTxPerClient, int accounts, int lagTps, int lagSeconds, Path results) {
        static Options parse(String[] args) {
            Map<String, String> m = new HashMap<>(Map.of("--clients", "4", "--tx", "12500", "--warmup-tx", "5000", "--accounts", "2000",
                    "--lag-tps", "200", "--lag-seconds", "30", "--results", "bench/results"));
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (m.containsKey(a) && i + 1 < args.length) {
                    m.put(a, args[++i]);
                } else {
                    System.err.println("usage: MariaDbBench [--clients 4] [--tx 12500 (per client)] [--warmup-tx 5000 (per client)] [--accounts 2000]"
                            + " [--lag-tps 200] [--lag-seconds 30 (0: no lag figure)] [--results bench/results]");
                    System.exit(2);
                }
            }
            return new Options(Integer.parseInt(m.get("--clients")), Integer.parseInt(m.get("--tx")), Integer.parseInt(m.get("--warmup-tx")),
                    Integer.parseInt(m.get("--accounts")), Integer.parseInt(m.get("--lag-tps")), Integer.parseInt(m.get("--lag-seconds")),
                    Path.of(m.get("--results")));
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clients", clients);
            m.put("tx_per_client", txPerClient);
            m.put("row_changes_per_tx", CHANGES_PER_TX);
            m.put("warmup_tx_per_client", warmupTxPerClient);
            m.put("accounts", accounts);
            m.put("lag_tps", lagTps);
            m.put("lag_seconds", lagSeconds);
            return m;
        }
    }
}
