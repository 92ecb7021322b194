package dev.backtrack.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The PITR part's command line: its options with their defaults, and the JSON's record of them. */
record PitrOptions(int scale, int accounts, int clients, int jobs, int rate, int seconds, int backlogTx, Path results) {
    /** pgbench's arguments for the CRM mix: {@code run} (how long or how many), then clients, threads and accounts. */
    List<String> mix(Path shared, String... run) throws IOException {
        List<String> args = new ArrayList<>(List.of("-n"));
        args.addAll(List.of(run));
        args.addAll(List.of("-c", "" + clients, "-j", "" + jobs, "-D", "accounts=" + accounts));
        args.addAll(CrmMix.scripts(shared));
        return args;
    }

    static PitrOptions parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>(Map.of(
                "--scale",
                "10",
                "--accounts",
                "20000",
                "--clients",
                "4",
                "--jobs",
                "2",
                "--rate",
                "2000",
                "--seconds",
                "60",
                "--backlog-tx",
                "10000",
                "--results",
                "bench/results"));
        for (int i = 0; i < args.length; i++) {
            if (!m.containsKey(args[i]) || i + 1 == args.length) {
                throw new IllegalArgumentException(
                        "unknown or incomplete option '" + args[i] + "': PitrBench [--scale 10] [--accounts 20000]"
                                + " [--clients 4] [--jobs 2] [--rate 2000] [--seconds 60] [--backlog-tx 10000 "
                                + "(per client)] [--results bench/results]");
            }
            m.put(args[i], args[++i]);
        }
        return new PitrOptions(
                Integer.parseInt(m.get("--scale")),
                Integer.parseInt(m.get("--accounts")),
                Integer.parseInt(m.get("--clients")),
                Integer.parseInt(m.get("--jobs")),
                Integer.parseInt(m.get("--rate")),
                Integer.parseInt(m.get("--seconds")),
                Integer.parseInt(m.get("--backlog-tx")),
                Path.of(m.get("--results")));
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scale", scale);
        m.put("accounts", accounts);
        m.put("clients", clients);
        m.put("jobs", jobs);
        m.put("rate", rate);
        m.put("seconds", seconds);
        m.put("backlog_tx_per_client", backlogTx);
        return m;
    }
}
