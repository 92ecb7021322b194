package dev.backtrack.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** The foundation part's command line: its options with their defaults, and the JSON's record of them. */
record FoundationOptions(
        int scale,
        int clients,
        int jobs,
        int txPerClient,
        int warmupTxPerClient,
        int warmupRounds,
        Path results,
        boolean profile) {
    static FoundationOptions parse(String[] args) {
        Map<String, String> m = new HashMap<>(Map.of(
                "--scale",
                "10",
                "--clients",
                "4",
                "--jobs",
                "2",
                "--tx",
                "15000",
                "--warmup-tx",
                "15000",
                "--warmup-rounds",
                "1",
                "--results",
                "bench/results",
                "--profile",
                "false"));
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--profile")) {
                m.put(a, "true");
            } else if (m.containsKey(a) && i + 1 < args.length) {
                m.put(a, args[++i]);
            } else {
                System.err.println("usage: FoundationBench [--scale 10] [--clients 4] [--jobs 2] [--tx 15000 (per "
                        + "client)] [--warmup-tx 15000 (per client)]"
                        + " [--warmup-rounds 1]"
                        + " [--results bench/results] [--profile]");
                System.exit(2);
            }
        }
        return new FoundationOptions(
                Integer.parseInt(m.get("--scale")),
                Integer.parseInt(m.get("--clients")),
                Integer.parseInt(m.get("--jobs")),
                Integer.parseInt(m.get("--tx")),
                Integer.parseInt(m.get("--warmup-tx")),
                Integer.parseInt(m.get("--warmup-rounds")),
                Path.of(m.get("--results")),
                Boolean.parseBoolean(m.get("--profile")));
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scale", scale);
        m.put("clients", clients);
        m.put("jobs", jobs);
        m.put("tx_per_client", txPerClient);
        m.put("warmup_tx_per_client", warmupTxPerClient);
        m.put("warmup_rounds", warmupRounds);
        m.put("profile", profile);
        return m;
    }
}
