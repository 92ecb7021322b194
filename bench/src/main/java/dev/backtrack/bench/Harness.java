package dev.backtrack.bench;

import static dev.backtrack.bench.Figures.round;
import static dev.backtrack.bench.Figures.secs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.backtrack.connectors.target.TargetDatabase;
import dev.backtrack.recovery.Progress;
import dev.backtrack.recovery.Restore;
import dev.backtrack.recovery.RestoreReport;
import dev.backtrack.recovery.RestoreTarget;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.position.Lsn;
import dev.backtrack.testkit.PostgresCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.connect.data.Struct;

/** What every part of the benchmark harness does around its own phases. */
final class Harness {
    interface Step {
        void run() throws Exception;
    }

    private Harness() {}

    /**
     * Runs a part: a failure is printed and recorded in its JSON, which is written either way, and the
     * exit code says whether the part completed (never whether a figure was good).
     */
    static void runPart(Map<String, Object> json, Step run, Step write) throws Exception {
        int code = 0;
        try {
            run.run();
        } catch (Throwable t) {
            System.out.println();
            System.out.println("BENCHMARK DID NOT COMPLETE: " + t);
            t.printStackTrace(System.out);
            json.put("error", String.valueOf(t));
            code = 1;
        }
        write.run();
        System.exit(code);
    }

    /** Prints a line of progress, stamped with the time. */
    static void step(String s) {
        System.out.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + "  " + s);
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
                step("PostgreSQL did not start ("
                        + e.getMessage().lines().findFirst().orElse("") + "), trying again");
                Thread.sleep(1000);
            }
        }
    }

    /** The JSON's "environment" entry: the JVM, the cores and the part's options. */
    static Map<String, Object> environment(Map<String, Object> json, Map<String, Object> options) {
        Map<String, Object> env = new LinkedHashMap<>();
        json.put("environment", env);
        env.putAll(Jvm.describe());
        env.put("cores", Runtime.getRuntime().availableProcessors());
        env.put("options", options);
        return env;
    }

    /** p50, p99 and max of {@code values}, rounded to 0.1 (nulls when there are none). */
    static Map<String, Object> percentiles(double[] values) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (values.length == 0) {
            m.put("p50", null);
            m.put("p99", null);
            m.put("max", null);
            return m;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        m.put("p50", round(v[(int) Math.min(v.length - 1, Math.floor(0.50 * v.length))], 1));
        m.put("p99", round(v[(int) Math.min(v.length - 1, Math.floor(0.99 * v.length))], 1));
        m.put("max", round(v[v.length - 1], 1));
        return m;
    }

    /**
     * min, median and max of {@code values} (the repeats of one measurement), rounded to {@code places}; nulls when
     * there are none.
     */
    static Map<String, Object> spread(List<Double> values, int places) {
        Map<String, Object> m = new LinkedHashMap<>();
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        m.put("min", v.length == 0 ? null : round(v[0], places));
        m.put(
                "median",
                v.length == 0
                        ? null
                        : round(
                                v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2,
                                places));
        m.put("max", v.length == 0 ? null : round(v[v.length - 1], places));
        m.put("n", v.length);
        return m;
    }

    /**
     * The command line of the cluster's client program {@code tool} connecting as postgres over TCP to
     * {@code port} (the cluster's or a recovered copy's), then {@code args}; a list the caller may add to.
     */
    static List<String> pgClient(PostgresCluster pg, String tool, int port, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                pg.binDirectory().resolve(tool).toString(), "-h", "127.0.0.1", "-p", "" + port, "-U", "postgres"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** pgbench against {@code db} of the cluster, as the postgres OS user. */
    static PostgresCluster.ProcessResult pgbench(PostgresCluster pg, String db, List<String> args) {
        List<String> cmd = pgClient(pg, "pgbench", pg.port());
        cmd.addAll(args);
        cmd.add(db);
        return pg.runAsPostgres(cmd, 3600);
    }

    /**
     * The figures of pgbench's summary: transactions, tps, average latency and, with a rate limit, how far it fell
     * behind.
     */
    static Map<String, Object> pgbenchFigures(String out) {
        Map<String, Object> m = new LinkedHashMap<>();
        Matcher n = Pattern.compile("number of transactions actually processed: (\\d+)")
                .matcher(out);
        m.put("transactions", n.find() ? Long.parseLong(n.group(1)) : null);
        Matcher tps = Pattern.compile("tps = ([0-9.]+)").matcher(out);
        m.put("tps", tps.find() ? round(Double.parseDouble(tps.group(1)), 1) : null);
        Matcher latency = Pattern.compile("latency average = ([0-9.]+) ms").matcher(out);
        m.put("latency_average_ms", latency.find() ? Double.parseDouble(latency.group(1)) : null);
        Matcher behind = Pattern.compile("rate limit schedule lag: avg ([0-9.]+) \\(max ([0-9.]+)\\) ms")
                .matcher(out);
        if (behind.find()) {
            m.put("schedule_lag_avg_ms", Double.parseDouble(behind.group(1)));
            m.put("schedule_lag_max_ms", Double.parseDouble(behind.group(2)));
        }
        return m;
    }

    /**
     * Commits one pgbench_history row with {@code delta} (pgbench's own are within ±5000), the end of a
     * workload; returns an LSN below its commit, so a log whose last position passes it holds the row.
     */
    static long marker(PostgresCluster pg, String db, long delta) throws SQLException {
        try (Connection c = pg.connect(db);
                Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute(
                    "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, 1, " + delta + ", now())");
            long lsn;
            try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
                rs.next();
                lsn = Lsn.parse(rs.getString(1));
            }
            c.commit();
            return lsn;
        }
    }

    /** Whether a Debezium row ({@code after}) is the pgbench_history row {@link #marker} wrote with {@code delta}. */
    static boolean isMarker(Struct after, long delta) {
        if (after == null || after.schema().field("delta") == null) {
            return false;
        }
        return after.get("delta") instanceof Number n && n.longValue() == delta;
    }

    /** CPU seconds of the walsender serving a slot so far (it starts with the consumer); null when unknown. */
    static Double walsenderCpuSeconds(PostgresCluster pg, String db, String slot) {
        try {
            String pid = pg.queryOne(
                    db, "SELECT active_pid::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
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

    /** A throw-away PostgreSQL as durable as production: every commit flushed, full page images. */
    static Map<String, String> durablePostgres() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("fsync", "on");
        settings.put("synchronous_commit", "on");
        settings.put("full_page_writes", "on");
        settings.put("shared_buffers", "'512MB'");
        settings.put("max_wal_size", "'4GB'");
        return settings;
    }

    /** A timed restore: its figures for the JSON, and the report they come from. */
    record Restored(Map<String, Object> figures, RestoreReport report) {}

    /**
     * Restores {@code target} from the repository {@code repo} over {@code jobs} connections into the
     * database {@code connect} opens, timed from the connection on: seconds, rows, their rate, and what
     * was read (checkpoint, transactions and changes replayed).
     */
    static Restored timedRestore(Repository repo, RestoreTarget target, Supplier<TargetDatabase> connect, int jobs) {
        long t0 = System.nanoTime();
        RestoreReport report;
        try (TargetDatabase db = connect.get()) {
            report = new Restore(repo, Progress.NONE).jobs(jobs).run(target, db);
        }
        double seconds = secs(t0);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", round(seconds, 2));
        m.put("rows", report.rows());
        m.put("rows_per_s", Math.round(report.rows() / seconds));
        m.put("checkpoint", report.checkpoint());
        m.put("transactions_replayed", report.transactionsApplied());
        m.put("changes_replayed", report.changesApplied());
        return new Restored(m, report);
    }

    /** One line of a phase's figures: the {@code keys} that {@code m} holds, in that order. */
    static void report(String who, Map<String, Object> m, List<String> keys) {
        StringBuilder s = new StringBuilder("  " + who + ": ");
        for (String k : keys) {
            if (m.get(k) != null) {
                s.append(k).append('=').append(m.get(k)).append("  ");
            }
        }
        step(s.toString().stripTrailing());
    }

    /**
     * Prints a part's table and writes its figures (with the table and the load average at the end) to
     * {@code results}/{@code part}-TIME.json; returns the file.
     */
    @SuppressWarnings("unchecked")
    static Path writeResults(Map<String, Object> json, String table, Path results, String part) throws IOException {
        if (json.get("environment") instanceof Map<?, ?> env) {
            ((Map<String, Object>) env).put("load_average_at_end", Machine.loadAverage());
        }
        System.out.println();
        System.out.println(table);
        json.put("table", table.lines().toList());
        Files.createDirectories(results);
        String stamp = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString().replace(':', '-');
        Path file = results.resolve(part + "-" + stamp + ".json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
        System.out.println("written " + file);
        return file;
    }

    /** Removes a part's work directory (repositories, dumps): hundreds of MB per run. */
    static void deleteTree(Path dir) throws IOException {
        if (dir == null) {
            return;
        }
        try (Stream<Path> w = Files.walk(dir)) {
            w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
