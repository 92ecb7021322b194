package dev.backtrack.bench;

import static dev.backtrack.bench.Figures.round;
import static dev.backtrack.bench.Figures.secs;
import static dev.backtrack.bench.Harness.step;
import static dev.backtrack.bench.MariaDbBench.CHANGES_PER_TX;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.position.BinlogPosition;
import dev.backtrack.repository.redolog.LogSummary;
import dev.backtrack.testkit.MariaDbServer;
import dev.backtrack.testkit.PostgresCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The lag of {@code backtrack migrate --follow} into PostgreSQL under a steady MariaDB workload, beside the agent's own
 * capture lag.
 */
final class MigrationLag {
    private final MariaDbServer my;
    private final PostgresCluster pg;
    private final Path work;
    private final Supplier<MariaDbProbe> probes;
    private final int tps;
    private final int seconds;

    /**
     * The workload's transactions as measured: where each starts in the binlog, its contact, when its commit returned,
     * the log held it, the target showed it.
     */
    private static final class Workload {
        final int n;
        final long[] startPos;
        final long[] contactId;
        final long[] committed;
        final long[] logged;
        final long[] applied;
        final AtomicInteger count = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        long began;
        /** Time between two samples of the target across which it moved on: migrate was applying. */
        long applyingNanos;

        Workload(int n) {
            this.n = n;
            startPos = new long[n];
            contactId = new long[n];
            committed = new long[n];
            logged = new long[n];
            applied = new long[n];
        }
    }

    /** {@code tps} transactions a second for {@code seconds}; {@code probes} start a CPU probe over the servers. */
    MigrationLag(MariaDbServer my, PostgresCluster pg, Path work, Supplier<MariaDbProbe> probes, int tps, int seconds) {
        this.my = my;
        this.pg = pg;
        this.work = work;
        this.probes = probes;
        this.tps = tps;
        this.seconds = seconds;
    }

    /**
     * A steady workload on database {@code lag}, captured by an agent and followed by {@code backtrack
     * migrate --follow --json} into PostgreSQL in a child JVM. Per transaction: when the agent's log
     * held it and when the target showed it, both from the moment its commit returned at the source.
     * The figures go into {@code m}, which keeps what was measured when a step fails.
     */
    void measure(Map<String, Object> m) throws Exception {
        MariaDbSource s = new MariaDbSource(my, work, "lag", 5421, 5422);
        s.create(200);
        step("migration lag: agent on database lag, then backtrack migrate --follow --json into PostgreSQL "
                + "(child JVM)");
        RunningAgent agent = RunningAgent.start(s.config);
        Process child = null;
        try {
            agent.waitFor(
                    "checkpoint 0 of lag",
                    () -> Files.exists(s.repo.resolve(Repository.ROOT_FILE))
                            && !Repository.open(s.repo).checkpoints().isEmpty(),
                    MariaDbBench.WAIT_NANOS);
            pg.createDatabase("migrated");
            Path err = work.resolve("migrate.err");
            child = startMigrate(s, err, m);
            List<double[]> reported = progress(child);
            awaitFollowing(child, reported, err);
            follow(s, agent, child, reported, err, m);
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

    /**
     * {@code backtrack migrate --follow --json} of the source's repository into the database migrated, in a child JVM
     * on this classpath.
     */
    private Process startMigrate(MariaDbSource s, Path err, Map<String, Object> m) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(
                java,
                "-Xms256m",
                "-Xmx512m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.backtrack.cli.Main",
                "migrate",
                "--repo",
                s.repo.toString(),
                "--target-url",
                pg.jdbcUrl("migrated"),
                "--target-user",
                "postgres",
                "--follow",
                "--json");
        m.put(
                "command",
                "backtrack migrate --repo REPO --target-url " + pg.jdbcUrl("migrated")
                        + " --target-user postgres --follow --json (default --poll 500)");
        return new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    }

    /** The progress lines migrate prints, as {when read, lagSeconds, lagTransactions}, filled by a reader thread. */
    private static List<double[]> progress(Process child) {
        List<double[]> reported = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(
                () -> {
                    ObjectMapper json = new ObjectMapper();
                    try (BufferedReader r =
                            new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = r.readLine()) != null; ) {
                            try {
                                JsonNode n = json.readTree(line);
                                if (n.has("lagSeconds")) {
                                    reported.add(new double[] {
                                        System.nanoTime(),
                                        n.get("lagSeconds").asDouble(),
                                        n.path("lagTransactions").asDouble()
                                    });
                                }
                            } catch (IOException notJson) {
                                // not a progress line
                            }
                        }
                    } catch (IOException ignored) {
                        // the child ended
                    }
                },
                "bench-migrate-reader");
        reader.setDaemon(true);
        reader.start();
        return reported;
    }

    private static void awaitFollowing(Process child, List<double[]> reported, Path err)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (reported.isEmpty()) {
            if (!child.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("migrate did not start following (exit "
                        + (child.isAlive() ? "none" : child.exitValue()) + "): " + Files.readString(err));
            }
            Thread.sleep(50);
        }
    }

    /** Runs the workload while sampling the log and the target, then puts the figures into {@code m}. */
    private void follow(
            MariaDbSource s,
            RunningAgent agent,
            Process child,
            List<double[]> reported,
            Path err,
            Map<String, Object> m)
            throws Exception {
        String schema = pg.queryOne(
                "migrated",
                "SELECT table_schema FROM information_schema.tables WHERE table_name = 'contacts'"
                        + " AND table_schema NOT IN ('pg_catalog', 'information_schema') LIMIT 1");
        String contacts = "\"" + schema + "\".contacts";

        Workload w = new Workload(tps * seconds);
        step(String.format(
                Locale.ROOT,
                "  workload: %d transactions/s of %d row changes for %d s, one writer",
                tps,
                CHANGES_PER_TX,
                seconds));
        Thread writer = writer(s, w);
        Path logDir = s.logDir();
        MariaDbProbe probe = probes.get();
        w.began = System.nanoTime();
        writer.start();
        sample(w, logDir, contacts, agent, child, err);
        writer.join();
        double drainSeconds = secs(w.began);
        Map<String, Object> cpu = probe.stop(w.n * (long) CHANGES_PER_TX);
        figures(w, reported, drainSeconds, cpu, m);
    }

    /**
     * One writer committing the workload's transactions at the steady rate; it notes where each starts in the binlog
     * and when its commit returned.
     */
    private Thread writer(MariaDbSource s, Workload w) {
        return new Thread(
                () -> {
                    try (CrmWriter cw = new CrmWriter(my, s.db, 99, 200);
                            Connection c = my.connect(null);
                            Statement st = c.createStatement()) {
                        long next = binlogEndOf(st);
                        long t0 = System.nanoTime();
                        long every = 1_000_000_000L / tps;
                        for (int i = 0; i < w.n; i++) {
                            long due = t0 + i * every;
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                TimeUnit.NANOSECONDS.sleep(wait);
                            }
                            w.startPos[i] = next;
                            w.contactId[i] = cw.tx();
                            w.committed[i] = System.nanoTime();
                            next = binlogEndOf(st);
                            w.count.set(i + 1);
                        }
                    } catch (Throwable e) {
                        w.failure.set(e);
                    }
                },
                "bench-lag-writer");
    }

    /**
     * Every ~10 ms until the target shows the whole workload: which transactions the log holds and which the target
     * shows.
     */
    private void sample(Workload w, Path logDir, String contacts, RunningAgent agent, Process child, Path err)
            throws Exception {
        int n = w.n;
        int ci = 0;
        int mi = 0;
        long drainDeadline = Long.MAX_VALUE;
        long previousSample = System.nanoTime();
        try (Connection target = pg.connect("migrated");
                Statement st = target.createStatement()) {
            while (mi < n) {
                if (w.failure.get() != null) {
                    throw new IllegalStateException("the lag writer failed: " + w.failure.get(), w.failure.get());
                }
                if (!child.isAlive()) {
                    throw new IllegalStateException(
                            "migrate ended (exit " + child.exitValue() + "): " + Files.readString(err));
                }
                if (agent.ended) {
                    throw new IllegalStateException("the agent ended: " + agent.failure.get() + "\n" + agent.said);
                }
                int done = w.count.get();
                if (done == n && drainDeadline == Long.MAX_VALUE) {
                    drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                }
                if (System.nanoTime() > drainDeadline) {
                    throw new IllegalStateException(
                            "migrate did not apply the workload within 120 s of its end: " + mi + " of " + n);
                }
                long position = LogSummary.of(logDir).lastPosition();
                long now = System.nanoTime();
                while (ci < done && w.startPos[ci] <= position) {
                    w.logged[ci++] = now;
                }
                long max;
                try (ResultSet rs = st.executeQuery("SELECT COALESCE(max(id), 0) FROM " + contacts)) {
                    rs.next();
                    max = rs.getLong(1);
                }
                now = System.nanoTime();
                int appliedBefore = mi;
                while (mi < done && w.contactId[mi] <= max) {
                    w.applied[mi++] = now;
                }
                if (mi > appliedBefore) {
                    // the target moved on since the last sample: migrate was applying in between
                    w.applyingNanos += now - previousSample;
                }
                previousSample = now;
                Thread.sleep(10);
            }
        }
    }

    private void figures(
            Workload w, List<double[]> reported, double drainSeconds, Map<String, Object> cpu, Map<String, Object> m) {
        int n = w.n;
        long workloadEnd = w.committed[n - 1];
        double[] captureMs = new double[n];
        double[] migrateMs = new double[n];
        for (int i = 0; i < n; i++) {
            captureMs[i] = (w.logged[i] - w.committed[i]) / 1e6;
            migrateMs[i] = (w.applied[i] - w.committed[i]) / 1e6;
        }
        List<Double> during = new ArrayList<>();
        for (double[] r : reported) {
            if (r[0] >= w.began && r[0] <= workloadEnd) {
                during.add(r[1]);
            }
        }
        double[] rep = during.stream().mapToDouble(Double::doubleValue).toArray();
        m.put("transactions", n);
        m.put("row_changes", (long) n * CHANGES_PER_TX);
        m.put("target_tps", tps);
        m.put("achieved_tps", Math.round(n / ((w.committed[n - 1] - w.began) / 1e9)));
        m.put("seconds_to_drain", round(drainSeconds, 2));
        Map<String, Object> capture = Harness.percentiles(captureMs);
        Map<String, Object> migration = Harness.percentiles(migrateMs);
        m.put("capture_lag_ms", capture);
        m.put("migration_lag_ms", migration);
        Map<String, Object> self = Harness.percentiles(rep);
        self.put("samples", rep.length);
        m.put("reported_lag_seconds", self);
        m.put(
                "migrate_apply_tx_per_s_while_applying",
                w.applyingNanos == 0 ? null : Math.round(n / (w.applyingNanos / 1e9)));
        m.put("migrate_applying_percent_of_time", round(100.0 * w.applyingNanos / (System.nanoTime() - w.began), 1));
        m.put("cpu", cpu);
        m.put(
                "note",
                "per transaction, from its commit returning at the source: capture = the agent's log holds it "
                        + "(log polled every ~10 ms),"
                        + " migration = visible in the PostgreSQL target (max(id) polled every ~10 ms); "
                        + "reported = lagSeconds of migrate --json lines"
                        + " printed while the workload ran (commit-time distance, binlog timestamps are whole "
                        + "seconds)");
        step(String.format(
                Locale.ROOT,
                "  capture lag p50 %s ms, p99 %s ms; migration lag p50 %s ms, p99 %s ms; reported lagSeconds "
                        + "p50 %s, p99 %s (%d lines)",
                capture.get("p50"),
                capture.get("p99"),
                migration.get("p50"),
                migration.get("p99"),
                self.get("p50"),
                self.get("p99"),
                rep.length));
    }

    private static long binlogEndOf(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
            rs.next();
            return BinlogPosition.of(rs.getString(1), rs.getLong(2));
        }
    }
}
