package dev.backtrack.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.backtrack.connectors.target.TargetDatabase;
import dev.backtrack.recovery.Progress;
import dev.backtrack.recovery.Restore;
import dev.backtrack.recovery.RestoreReport;
import dev.backtrack.recovery.RestoreTarget;
import dev.backtrack.repository.Repository;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** What every part of the benchmark harness does around its own phases. */
final class Harness {
    interface Step {
        void run() throws Exception;
    }

    private Harness() {
    }

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

    /** The JSON's "environment" entry: the JVM, the cores and the part's options. */
    static Map<String, Object> environment(Map<String, Object> json, Map<String, Object> options) {
        Map<String, Object> env = new LinkedHashMap<>();
        json.put("environment", env);
        env.putAll(FoundationBench.Jvm.describe());
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
        m.put("p50", FoundationBench.round(v[(int) Math.min(v.length - 1, Math.floor(0.50 * v.length))], 1));
        m.put("p99", FoundationBench.round(v[(int) Math.min(v.length - 1, Math.floor(0.99 * v.length))], 1));
        m.put("max", FoundationBench.round(v[v.length - 1], 1));
        return m;
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
    record Restored(Map<String, Object> figures, RestoreReport report) {
    }

    /**
     * Restores {@code target} from the repository at {@code repo} over {@code jobs} connections into the
     * database {@code connect} opens, timed from the connection on: seconds, rows, their rate, and what
     * was read (checkpoint, transactions and changes replayed).
     */
    static Restored timedRestore(Path repo, RestoreTarget target, java.util.function.Supplier<TargetDatabase> connect, int jobs) {
        long t0 = System.nanoTime();
        RestoreReport report;
        try (TargetDatabase db = connect.get()) {
            report = new Restore(Repository.open(repo), Progress.NONE).jobs(jobs).run(target, db);
        }
        double seconds = FoundationBench.secs(t0);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", FoundationBench.round(seconds, 2));
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
        FoundationBench.step(s.toString().stripTrailing());
    }

    /**
     * Prints a part's table and writes its figures (with the table and the load average at the end) to
     * {@code results}/{@code part}-TIME.json; returns the file.
     */
    @SuppressWarnings("unchecked")
    static Path writeResults(Map<String, Object> json, String table, Path results, String part) throws IOException {
        if (json.get("environment") instanceof Map<?, ?> env) {
            ((Map<String, Object>) env).put("load_average_at_end", FoundationBench.loadAverage());
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
            w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
