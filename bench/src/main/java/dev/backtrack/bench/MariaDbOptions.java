package dev.backtrack.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** The MariaDB part's command line: its options with their defaults, and the JSON's record of them. */
record MariaDbOptions(
        int clients, int txPerClient, int warmupTxPerClient, int accounts, int lagTps, int lagSeconds, Path results) {
    static MariaDbOptions parse(String[] args) {
        Map<String, String> m = new HashMap<>(Map.of(
                "--clients",
                "4",
                "--tx",
                "12500",
                "--warmup-tx",
                "5000",
                "--accounts",
                "2000",
                "--lag-tps",
                "200",
                "--lag-seconds",
                "30",
                "--results",
                "bench/results"));
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (m.containsKey(a) && i + 1 < args.length) {
                m.put(a, args[++i]);
            } else {
                System.err.println("usage: MariaDbBench [--clients 4] [--tx 12500 (per client)] [--warmup-tx 5000 (per "
                        + "client)] [--accounts 2000]"
                        + " [--lag-tps 200] [--lag-seconds 30 (0: no lag figure)] [--results bench/results]");
                System.exit(2);
            }
        }
        return new MariaDbOptions(
                Integer.parseInt(m.get("--clients")),
                Integer.parseInt(m.get("--tx")),
                Integer.parseInt(m.get("--warmup-tx")),
                Integer.parseInt(m.get("--accounts")),
                Integer.parseInt(m.get("--lag-tps")),
                Integer.parseInt(m.get("--lag-seconds")),
                Path.of(m.get("--results")));
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clients", clients);
        m.put("tx_per_client", txPerClient);
        m.put("row_changes_per_tx", MariaDbBench.CHANGES_PER_TX);
        m.put("warmup_tx_per_client", warmupTxPerClient);
        m.put("accounts", accounts);
        m.put("lag_tps", lagTps);
        m.put("lag_seconds", lagSeconds);
        return m;
    }
}
