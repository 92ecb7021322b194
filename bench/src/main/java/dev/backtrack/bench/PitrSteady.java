package dev.backtrack.bench;

import static dev.backtrack.bench.Figures.fmt;
import static dev.backtrack.bench.Figures.round;
import static dev.backtrack.bench.Figures.secs;
import static dev.backtrack.bench.Harness.step;
import static dev.backtrack.bench.PitrBench.DB;
import static dev.backtrack.bench.PitrBench.WAIT_NANOS;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.repository.position.Lsn;
import dev.backtrack.repository.redolog.LogSummary;
import dev.backtrack.testkit.PostgresCluster;
import dev.backtrack.testkit.PostgresPitr;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The PITR benchmark's steady phase: checkpoint 0, the base backup, then {@code --rate} tx/s for
 * {@code --seconds} with a probe sampling the WAL insert position every 10 ms: a sample is in the log once
 * the log's last commit position reaches it (the next commit after the sample lies beyond it).
 */
final class PitrSteady {
    private final PostgresCluster pg;
    private final PostgresPitr pitr;
    private final PitrOptions o;
    private final Path shared;
    private final Path repo;
    private final Map<String, Object> json;

    /** The lag samples, each {WAL insert position, when sampled, when in the log}; the instant T; the RSS sampled. */
    private record Sampled(List<long[]> samples, String instant, long rssMax) {}

    PitrSteady(PostgresCluster pg, PostgresPitr pitr, PitrOptions o, Path shared, Path repo, Map<String, Object> json) {
        this.pg = pg;
        this.pitr = pitr;
        this.o = o;
        this.shared = shared;
        this.repo = repo;
        this.json = json;
    }

    /** The phase with an agent of its own JVM (its output in {@code work}): figures into json; returns T. */
    String measure(Path config, Path work) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        json.put("steady", m);
        step("agent (own JVM): checkpoint 0, then a base backup for PostgreSQL's PITR");
        long t0 = System.nanoTime();
        try (ChildAgent agent = ChildAgent.start(config, work.resolve("agent-steady.out"))) {
            m.put("agent_java_options", agent.javaOptions());
            checkpointZero(agent, t0);
            baseBackup();
            return steadyLoad(agent, m);
        }
    }

    /** Waits for the agent's checkpoint 0; its seconds count from {@code t0}, taken before the agent started. */
    private void checkpointZero(ChildAgent agent, long t0) throws Exception {
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
    }

    /** The base backup PostgreSQL's PITR starts from, taken right after checkpoint 0. */
    private void baseBackup() throws Exception {
        pg.execute("postgres", "CHECKPOINT");
        long t0 = System.nanoTime();
        pitr.baseBackup(pg);
        Map<String, Object> bb = new LinkedHashMap<>();
        bb.put("seconds", round(secs(t0), 2));
        bb.put("bytes", pitr.baseBackupBytes());
        json.put("base_backup", bb);
        step("  pg_basebackup: " + fmt(bb.get("bytes")) + " bytes in " + bb.get("seconds") + " s");
    }

    /** The steady load while the agent captures: lag, the agent's CPU and memory, log vs WAL bytes; returns T. */
    private String steadyLoad(ChildAgent agent, Map<String, Object> m) throws Exception {
        step(String.format(
                Locale.ROOT,
                "steady load: pgbench -R %d -T %d -c %d -j %d, TPC-B %d : crm_touch %d : crm_notes %d,"
                        + " while the agent captures",
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
        Sampled sampled = sample(agent, m);
        long walAfter = insertLsn();
        double[] lagMs =
                sampled.samples().stream().mapToDouble(s -> (s[2] - s[1]) / 1e6).toArray();
        Map<String, Object> lag = Harness.percentiles(lagMs);
        m.put("capture_lag_ms", lag);
        m.put("lag_samples", lagMs.length);
        m.put("agent_cpu_seconds", round(agent.cpuSeconds() - cpuBefore, 2));
        m.put("agent_rss_max_sampled_bytes", sampled.rssMax());
        m.put("agent_peak_rss_bytes", agent.peakRssBytes());
        m.put("agent_status", agent.lastStatus());
        Map<String, Object> size = size(logBefore, walAfter - walBefore);
        step(String.format(
                Locale.ROOT,
                "  capture lag p50 %s ms, p99 %s ms, max %s ms (%d samples); agent peak RSS %d MiB;"
                        + " %s log vs %s WAL bytes per row change",
                lag.get("p50"),
                lag.get("p99"),
                lag.get("max"),
                lagMs.length,
                agent.peakRssBytes() >> 20,
                size.get("log_bytes_per_row_change"),
                size.get("wal_bytes_per_row_change")));
        m.put("agent_exit", agent.stop());
        m.put("instant", sampled.instant());
        return sampled.instant();
    }

    /**
     * Runs the load on a thread of its own while this one samples the WAL insert position every 10 ms
     * (T taken from the source's clock after 60% of the run, the agent's RSS every 20th sample) and notes
     * when the log holds each sample, until it holds them all.
     */
    private Sampled sample(ChildAgent agent, Map<String, Object> m) throws Exception {
        List<long[]> samples = new ArrayList<>();
        AtomicReference<String> instant = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        AtomicLong rssMax = new AtomicLong();
        Thread load = new Thread(() -> pgbenchAtRate(m, failed), "bench-steady-load");
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
                    samples.add(new long[] {PitrBench.insertLsn(st), now, 0});
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
                    moveLogOn(st, samples.get(seenUpTo), seen, agent);
                }
                Thread.sleep(load.isAlive() ? 5 : 50);
            }
        }
        load.join();
        if (failed.get() != null) {
            throw new IllegalStateException("the steady load failed: " + failed.get(), failed.get());
        }
        return new Sampled(samples, instant.get(), rssMax.get());
    }

    /** pgbench at the steady rate: its figures into m, or what it threw into {@code failed}. */
    private void pgbenchAtRate(Map<String, Object> m, AtomicReference<Throwable> failed) {
        try {
            List<String> args = o.mix(shared, "-R", "" + o.rate(), "-T", "" + o.seconds());
            String out = Harness.pgbench(pg, DB, args).output();
            m.put("pgbench", Harness.pgbenchFigures(out));
        } catch (Throwable e) {
            failed.set(e);
        }
    }

    /**
     * After the load: one transaction, so that the log passes {@code oldest}, the first sample it lacks;
     * fails when that sample was taken more than 15 minutes before {@code seen}.
     */
    private static void moveLogOn(Statement st, long[] oldest, long seen, ChildAgent agent) throws Exception {
        if (seen - oldest[1] > WAIT_NANOS) {
            throw new IllegalStateException(
                    "the log did not reach " + Lsn.format(oldest[0]) + " within 15 minutes:\n" + agent.tail());
        }
        // nothing commits after the load: one small transaction moves the log past the last samples
        st.execute("INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, 1, 0, now())");
    }

    /** Log bytes vs WAL bytes per row change of the steady window, into json. */
    private Map<String, Object> size(LogSummary logBefore, long walBytes) {
        Repository r = Repository.open(repo);
        LogSummary logAfter = r.logSummary();
        LogCount count = LogCount.of(r, logBefore.lastSequence() + 1);
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
        return size;
    }

    private long insertLsn() throws Exception {
        try (Connection c = pg.connect(DB);
                Statement st = c.createStatement()) {
            return PitrBench.insertLsn(st);
        }
    }

    /** The source's clock now, as a restore target (UTC, microseconds). */
    private static String sourceNow(Statement st) throws Exception {
        try (ResultSet rs = st.executeQuery("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint")) {
            rs.next();
            return Micros.format(rs.getLong(1));
        }
    }
}
