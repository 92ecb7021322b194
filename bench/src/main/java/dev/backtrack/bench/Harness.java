package dev.backtrack.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

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
}
