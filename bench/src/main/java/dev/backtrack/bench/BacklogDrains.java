package dev.backtrack.bench;

import static dev.backtrack.bench.Figures.round;
import static dev.backtrack.bench.Figures.secs;
import static dev.backtrack.bench.FoundationBench.WAIT_NANOS;
import static dev.backtrack.bench.FoundationBench.report;
import static dev.backtrack.bench.Harness.step;

import dev.backtrack.capture.postgres.CaptureSettings;
import dev.backtrack.config.SourceConfig;
import dev.backtrack.repository.redolog.LogSummary;
import dev.backtrack.testkit.PostgresCluster;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * One timed drain of a pgbench backlog: by the agent into its fsync'd log, by the bare Debezium engine or by
 * pg_recvlogical, with the CPU it took.
 */
final class BacklogDrains {
    private final PostgresCluster pg;

    BacklogDrains(PostgresCluster pg) {
        this.pg = pg;
    }

    /**
     * Starts an agent on a backlog and times it until the log holds the transaction committed after {@code markerLsn}.
     */
    Map<String, Object> agentDrain(PgbenchSource s, long sequenceBefore, long markerLsn, long rowChanges, Path jfr)
            throws Exception {
        Path logDir = s.logDir();
        DrainProbe probe = DrainProbe.start(jfr);
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
                    return l.lastPosition() > markerLsn;
                },
                WAIT_NANOS);
        long done = System.nanoTime();
        Double walsender =
                Harness.walsenderCpuSeconds(pg, s.db, s.config.source().slot());
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

    Map<String, Object> recvlogical(PgbenchSource s, String slot, PgbenchBacklog b, List<String> pluginOptions) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<String> cmd = Harness.pgClient(
                pg,
                "pg_recvlogical",
                pg.port(),
                "-d",
                s.db,
                "--slot",
                slot,
                "--start",
                "--endpos",
                b.walAfter,
                "--no-loop",
                "-f",
                "/dev/null");
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
        m.put(
                "slot_confirmed_flush_lsn",
                pg.queryOne(
                        s.db,
                        "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'"));
        m.put("end_lsn", b.walAfter);
        report("pg_recvlogical", m);
        return m;
    }

    /**
     * The Debezium engine with the agent's connector properties (only slot, name, offset store and
     * snapshot.mode=no_data differ) and a consumer that only acknowledges and counts, timed until it
     * sees the marker row.
     */
    Map<String, Object> bareDrain(PgbenchSource s, String slot, long markerDelta, long rowChanges, Path jfr)
            throws Exception {
        SourceConfig c = s.config.source();
        Properties agentProps = CaptureSettings.of(
                c,
                s.tables,
                s.repo,
                "dev.backtrack.agent.LogOffsetStore",
                s.config.agent().maxBatchSize());
        Properties p =
                BareEngine.properties(c, s.tables, s.repo, s.config.agent().maxBatchSize(), slot);
        DrainProbe probe = DrainProbe.start(jfr);
        Map<String, Object> e = new LinkedHashMap<>();
        try (BareEngine engine = BareEngine.start(
                p, v -> "c".equals(v.getString("op")) && Harness.isMarker(v.getStruct("after"), markerDelta))) {
            engine.awaitEnd(WAIT_NANOS);
            Double walsender = Harness.walsenderCpuSeconds(pg, s.db, slot);
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

    /**
     * CPU time per row change of the consumer's JVM (without its JIT compiler threads) and of the whole PostgreSQL
     * cluster.
     */
    private static double cpuPerRow(Map<String, Object> m, long rowChanges) {
        double jvm = (Double) m.get("jvm_cpu_seconds") - (Double) m.get("jit_threads_cpu_seconds");
        return round((jvm + (Double) m.get("cluster_cpu_seconds")) * 1e6 / rowChanges, 1);
    }
}
