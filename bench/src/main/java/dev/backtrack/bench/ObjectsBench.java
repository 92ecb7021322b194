package dev.backtrack.bench;

import static dev.backtrack.bench.Figures.fmt;
import static dev.backtrack.bench.Figures.round;
import static dev.backtrack.bench.Figures.secs;
import static dev.backtrack.bench.Harness.step;

import dev.backtrack.config.BacktrackConfig;
import dev.backtrack.config.ConfigLoader;
import dev.backtrack.connectors.postgres.PostgresCatalog;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.redolog.LogSummary;
import dev.backtrack.testkit.PostgresCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What keeping every object definition of a PostgreSQL source costs, each figure beside its anchor
 * from the same run, on one throw-away durable cluster holding a database with many objects ({@link
 * ManyObjects}) plus pgbench's tables; every measurement is repeated {@code --repeats} times:
 * <ol>
 *   <li>DML capture: the same pgbench backlog drained by an agent with the DDL event triggers
 *       ({@code source.capture-ddl: on}) and by one without ({@code off}, heartbeat interval 1 h so it
 *       reads no definitions meanwhile), both in this JVM after a warm-up round, and by the bare
 *       Debezium engine; the order alternates between rounds;</li>
 *   <li>the source's side: DDL statements with the event triggers vs without, and one full read of
 *       every definition ({@link DdlTimings});</li>
 *   <li>restore latest of the agent's repository with the objects vs the same restore making none
 *       of them ({@link ObjectPhaseTarget}), and the time spent in the object phases.</li>
 * </ol>
 * A benchmark, not a test: it reports whatever it measures and only fails when something does not work.
 */
public final class ObjectsBench {
    private static final String DB = "app";
    private static final long WAIT_NANOS = TimeUnit.MINUTES.toNanos(15);
    /** pgbench's deltas are within ±5000; history rows with these deltas end a backlog or a round (int4). */
    private static final long MARKER_DELTA = 1_500_000_000L;

    private static final String BARE_SLOT = "bt_bare";

    private final ObjectsOptions o;
    private final Map<String, Object> json = new LinkedHashMap<>();
    private PostgresCluster pg;
    private Path work;

    /** An agent configuration capturing {@link #DB} into its own repository, on its own slot and publication. */
    private record Capture(String name, BacktrackConfig config, Path repo) {}

    private ObjectsBench(ObjectsOptions o) {
        this.o = o;
    }

    public static void main(String[] args) throws Exception {
        ObjectsBench b = new ObjectsBench(ObjectsOptions.parse(args));
        Harness.runPart(b.json, b::run, b::write);
    }

    private void run() throws Exception {
        Map<String, Object> env = Harness.environment(json, o.toMap());
        work = Files.createTempDirectory("backtrack-objects-bench-");
        env.put("fdatasync_ms_4k", round(Machine.fsyncMillis(work), 3));
        env.put("load_average_at_start", Machine.loadAverage());
        step("objects benchmark; load average " + Machine.loadAverage() + "; fdatasync of 4 KiB "
                + env.get("fdatasync_ms_4k") + " ms");
        Map<String, String> settings = Harness.durablePostgres();
        env.put("postgresql_settings", settings);
        try (PostgresCluster cluster = Harness.startCluster(settings)) {
            pg = cluster;
            Cpu.postmaster =
                    Long.parseLong(Files.readAllLines(pg.dataDirectory().resolve("postmaster.pid"))
                            .get(0)
                            .trim());
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "bench-pg-stop"));
            env.put("postgresql", pg.queryOne("postgres", "SELECT version()"));
            prepare();
            Capture on = capture("on"), off = capture("off");
            json.put(
                    "checkpoint0",
                    Map.of("capture_ddl_on", checkpointZero(on), "capture_ddl_off", checkpointZero(off)));
            pg.execute(DB, "SELECT pg_create_logical_replication_slot('" + BARE_SLOT + "', 'pgoutput')");
            new CaptureRounds(on, off).run();
            step("the source's side: " + o.ddl() + " DDL statements with the event triggers and without, " + o.repeats()
                    + " times, in database ddl (the same objects, no rows)");
            pg.createDatabase("ddl");
            try (Connection c = pg.connect("ddl")) {
                ManyObjects.create(c, o.size(), false);
            }
            json.put("ddl", DdlTimings.statements(pg, "ddl", o.size(), o.ddl(), o.repeats()));
            step("one full read of every definition of " + DB + " (pg_temp.object_definitions()), " + o.repeats()
                    + " times");
            Map<String, Object> read = DdlTimings.definitionsRead(pg, DB, o.repeats());
            json.put("definitions_read", read);
            step("  " + read.get("definitions") + " definitions (" + fmt(read.get("json_bytes")) + " bytes of JSON): "
                    + read.get("ms") + " ms");
            step("restore latest --jobs " + o.jobs() + " of " + on.name
                    + "'s repository with the objects and without them, " + o.repeats() + " times each");
            json.put("restore", ObjectRestoreTimings.measure(pg, on.repo, o.repeats(), o.jobs()));
        }
    }

    private void prepare() throws Exception {
        pg.createDatabase(DB);
        step("pgbench -i -s " + o.scale() + ", then the objects: " + o.tables() + " tables of " + fmt(o.rows())
                + " rows, " + o.functions() + " functions, " + o.views()
                + " views, the CRM fixture (every object kind)");
        long t0 = System.nanoTime();
        Harness.pgbench(pg, DB, List.of("-i", "-s", "" + o.scale(), "-q"));
        pg.execute(DB, "ALTER TABLE pgbench_history REPLICA IDENTITY FULL");
        try (Connection c = pg.connect(DB)) {
            ManyObjects.create(c, o.size(), true);
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("seconds", round(secs(t0), 1));
        String[][] counts = {
            {"tables", "relkind IN ('r', 'p')"},
            {"partitioned_tables", "relkind = 'p'"},
            {"indexes", "relkind IN ('i', 'I')"},
            {"views", "relkind = 'v'"},
            {"materialized_views", "relkind = 'm'"},
            {"sequences", "relkind = 'S'"}
        };
        for (String[] c : counts) {
            data.put(
                    c[0],
                    Long.parseLong(pg.queryOne(
                            DB,
                            "SELECT count(*)::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                    + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND "
                                    + c[1])));
        }
        data.put(
                "functions",
                Long.parseLong(pg.queryOne(
                        DB,
                        "SELECT count(*)::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                                + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND "
                                + "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid "
                                + "AND d.deptype = 'e')")));
        data.put(
                "triggers",
                Long.parseLong(pg.queryOne(DB, "SELECT count(*)::text FROM pg_trigger WHERE NOT tgisinternal")));
        data.put(
                "constraints",
                Long.parseLong(pg.queryOne(
                        DB,
                        "SELECT count(*)::text FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace"
                                + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')")));
        data.put(
                "database_bytes", Long.parseLong(pg.queryOne(DB, "SELECT pg_database_size(current_database())::text")));
        json.put("data", data);
        step("  " + data);
    }

    private Capture capture(String ddl) throws IOException {
        String name = "bt_" + ddl;
        Path repo = work.resolve(name + "-repo");
        Path yaml = work.resolve(name + ".yaml");
        // the same heartbeat interval for both: neither reads sequences (nor, when off, definitions) during a drain
        Files.writeString(
                yaml,
                "source:\n  url: " + pg.jdbcUrl(DB) + "\n  user: postgres\n  slot: " + name + "\n  publication: " + name
                        + "\n  capture-ddl: " + ddl + "\n  heartbeat-interval: 1h\nrepository:\n  path: " + repo
                        + "\n");
        return new Capture("capture_ddl_" + ddl, new ConfigLoader(Map.of()).read(yaml), repo);
    }

    private Map<String, Object> checkpointZero(Capture c) throws Exception {
        step("checkpoint 0, " + c.name + ": the agent's first run snapshots every table");
        long t0 = System.nanoTime();
        RunningAgent agent = RunningAgent.start(c.config);
        agent.waitFor(
                "checkpoint 0",
                () -> Files.exists(c.repo.resolve(Repository.ROOT_FILE))
                        && !Repository.open(c.repo).checkpoints().isEmpty(),
                WAIT_NANOS);
        double seconds = secs(t0);
        agent.stop();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", round(seconds, 2));
        m.put(
                "rows",
                Repository.open(c.repo).checkpoints().get(0).tables().stream()
                        .mapToLong(t -> t.rows())
                        .sum());
        step("  " + m);
        return m;
    }

    /**
     * Round 0 warms the JIT up (not counted), rounds 1..repeats are measured. Each round writes a
     * backlog with nothing consuming, then drains it by the three consumers, in reverse order every
     * other round. The agent with the triggers logs every definition each time it starts, after the
     * backlog: the other two are brought past that message untimed (S, the round's settle marker),
     * so no timed drain reads it.
     */
    private final class CaptureRounds {
        final Capture on, off;
        final List<String> tables;
        final List<Map<String, Object>> rounds = new ArrayList<>();

        CaptureRounds(Capture on, Capture off) {
            this.on = on;
            this.off = off;
            try (PostgresCatalog catalog = PostgresCatalog.connect(pg.jdbcUrl(DB), "postgres", "")) {
                tables = catalog.tables(
                        off.config.source().tablesInclude(), off.config.source().tablesExclude());
            }
        }

        void run() throws Exception {
            Map<String, Object> capture = new LinkedHashMap<>();
            json.put("capture", capture);
            capture.put("rounds", rounds);
            for (int r = 0; r <= o.repeats(); r++) {
                rounds.add(drainRound(r));
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            for (String who : List.of(on.name, off.name, "bare_engine")) {
                Map<String, Object> s = new LinkedHashMap<>();
                for (String k :
                        List.of("rows_per_s", "rows_per_s_after_first", "startup_seconds", "cpu_us_per_row_change")) {
                    s.put(k, Harness.spread(measured(who, k), 2));
                }
                summary.put(who, s);
            }
            List<Double> ratio = new ArrayList<>(), ratioAfterFirst = new ArrayList<>();
            for (int i = 0; i < measured(on.name, "rows_per_s").size(); i++) {
                ratio.add(measured(on.name, "rows_per_s").get(i)
                        / measured(off.name, "rows_per_s").get(i));
                ratioAfterFirst.add(measured(on.name, "rows_per_s_after_first").get(i)
                        / measured(off.name, "rows_per_s_after_first").get(i));
            }
            summary.put("on_over_off_per_round", Harness.spread(ratio, 3));
            summary.put("on_over_off_after_first_per_round", Harness.spread(ratioAfterFirst, 3));
            capture.put("summary", summary);
        }

        /** One figure of one consumer over the measured rounds. */
        @SuppressWarnings("unchecked")
        List<Double> measured(String who, String key) {
            return rounds.stream()
                    .filter(r -> !Boolean.TRUE.equals(r.get("warm_up")))
                    .map(r -> ((Map<String, Object>) r.get(who)).get(key))
                    .filter(v -> v instanceof Number)
                    .map(v -> ((Number) v).doubleValue())
                    .toList();
        }

        private Map<String, Object> drainRound(int r) throws Exception {
            int tx = r == 0 ? o.warmupTx() : o.tx();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("round", r);
            m.put("warm_up", r == 0);
            step((r == 0 ? "warm-up round (not counted)" : "round " + r + "/" + o.repeats()) + ": backlog pgbench -c "
                    + o.clients() + " -j " + o.jobs() + " -n -t " + tx + " with nothing consuming");
            long t0 = System.nanoTime();
            String out = Harness.pgbench(
                            pg, DB, List.of("-c", "" + o.clients(), "-j", "" + o.jobs(), "-n", "-t", "" + tx))
                    .output();
            Matcher tps = Pattern.compile("tps = ([0-9.]+)").matcher(out);
            long delta = MARKER_DELTA + 2L * r;
            long end = Harness.marker(pg, DB, delta);
            long rowChanges = 4L * o.clients() * tx + 1;
            m.put(
                    "backlog",
                    Map.of(
                            "row_changes",
                            rowChanges,
                            "seconds",
                            round(secs(t0), 2),
                            "tps",
                            tps.find() ? Double.parseDouble(tps.group(1)) : -1));
            List<String> order =
                    r % 2 == 0 ? List.of(on.name, off.name, "bare_engine") : List.of("bare_engine", off.name, on.name);
            m.put("order", order);
            long[] settle = {-1};
            for (String who : order) {
                step("  drain: " + who);
                Map<String, Object> d;
                if (who.equals("bare_engine")) {
                    d = bareDrain(off, tables, delta, rowChanges);
                } else if (who.equals(on.name)) {
                    // its start logged every definition after the backlog: S comes after that message
                    d = agentDrain(on, end, rowChanges, () -> settle[0] = Harness.marker(pg, DB, delta + 1));
                } else {
                    d = agentDrain(off, end, rowChanges, () -> settle[0]);
                }
                m.put(who, d);
                Harness.report(
                        "    " + who,
                        d,
                        List.of(
                                "seconds",
                                "rows_per_s",
                                "rows_per_s_after_first",
                                "startup_seconds",
                                "cpu_us_per_row_change",
                                "jvm_cpu_seconds",
                                "cluster_cpu_seconds",
                                "walsender_cpu_seconds"));
            }
            if (order.indexOf(off.name) < order.indexOf(on.name)) {
                step("  " + off.name + " catches up past S (not timed)");
                agentDrain(off, settle[0], 0, () -> -1);
            }
            pg.execute(DB, "SELECT pg_replication_slot_advance('" + BARE_SLOT + "', pg_current_wal_lsn())");
            return m;
        }
    }

    private interface After {
        /** The LSN to run on to after the timed drain (not timed), or -1 to stop there. */
        long lsn() throws Exception;
    }

    /** Starts the agent, times it until its log passes {@code end}, runs it on past {@code after} untimed, stops it. */
    private Map<String, Object> agentDrain(Capture c, long end, long rowChanges, After after) throws Exception {
        Path logDir = Repository.open(c.repo).logDir();
        long before = LogSummary.of(logDir).lastSequence();
        double[] cpu = cpuNow();
        long t0 = System.nanoTime();
        RunningAgent agent = RunningAgent.start(c.config);
        long[] first = {0};
        agent.waitFor(
                c.name + "'s drain",
                () -> {
                    LogSummary l = LogSummary.of(logDir);
                    if (first[0] == 0 && l.lastSequence() > before) {
                        first[0] = System.nanoTime();
                    }
                    return l.lastPosition() > end;
                },
                WAIT_NANOS);
        long done = System.nanoTime();
        double[] cpuAfter = cpuNow();
        Double walsender = Harness.walsenderCpuSeconds(pg, DB, c.config.source().slot());
        long more = after.lsn();
        if (more >= 0) {
            agent.waitFor(c.name + " past S", () -> LogSummary.of(logDir).lastPosition() > more, WAIT_NANOS);
        }
        agent.stop();
        Map<String, Object> d =
                drained((done - t0) / 1e9, first[0] == 0 ? null : (done - first[0]) / 1e9, rowChanges, cpu, cpuAfter);
        d.put("walsender_cpu_seconds", walsender);
        return d;
    }

    /**
     * The bare engine with the connector properties of the agent {@code off} (capture-ddl off), on its own slot, timed
     * until it sees the marker.
     */
    private Map<String, Object> bareDrain(Capture off, List<String> tables, long delta, long rowChanges)
            throws Exception {
        var p = BareEngine.properties(
                off.config.source(), tables, off.repo, off.config.agent().maxBatchSize(), BARE_SLOT);
        double[] cpu = cpuNow();
        try (BareEngine engine = BareEngine.start(
                p, v -> "c".equals(v.getString("op")) && Harness.isMarker(v.getStruct("after"), delta))) {
            engine.awaitEnd(WAIT_NANOS);
            Map<String, Object> d = drained(engine.seconds(), engine.secondsAfterFirst(), rowChanges, cpu, cpuNow());
            d.put("walsender_cpu_seconds", Harness.walsenderCpuSeconds(pg, DB, BARE_SLOT));
            return d;
        }
    }

    /** {this JVM's CPU seconds, the cluster's CPU seconds} now. */
    private static double[] cpuNow() {
        return new double[] {Jvm.processCpuNanos() / 1e9, Cpu.processes()[1]};
    }

    private static Map<String, Object> drained(
            double seconds, Double afterFirst, long rowChanges, double[] cpu, double[] cpuAfter) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("seconds", round(seconds, 2));
        d.put("row_changes", rowChanges);
        d.put("rows_per_s", Math.round(rowChanges / seconds));
        d.put("rows_per_s_after_first", afterFirst == null ? null : Math.round(rowChanges / afterFirst));
        d.put("startup_seconds", afterFirst == null ? null : round(seconds - afterFirst, 2));
        d.put("jvm_cpu_seconds", round(cpuAfter[0] - cpu[0], 2));
        d.put("cluster_cpu_seconds", round(cpuAfter[1] - cpu[1], 2));
        d.put(
                "cpu_us_per_row_change",
                rowChanges == 0 ? null : round((cpuAfter[0] - cpu[0] + cpuAfter[1] - cpu[1]) * 1e6 / rowChanges, 1));
        return d;
    }

    @SuppressWarnings("unchecked")
    private void write() throws IOException {
        if (json.get("environment") instanceof Map<?, ?> env) {
            // for the table's machine line (writeResults records it too, after the table is made)
            ((Map<String, Object>) env).put("load_average_at_end", Machine.loadAverage());
        }
        Harness.writeResults(
                json, json.containsKey("capture") ? ObjectsTable.of(json) : "(no figures)", o.results(), "objects");
        Harness.deleteTree(work);
    }
}
