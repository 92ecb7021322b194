package dev.backtrack.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The objects part's command line: its options with their defaults, and the JSON's record of them. */
record ObjectsOptions(
        int scale,
        int tables,
        int functions,
        int views,
        int rows,
        int clients,
        int jobs,
        int tx,
        int warmupTx,
        int repeats,
        int ddl,
        Path results) {
    ManyObjects.Size size() {
        return new ManyObjects.Size(tables, functions, views, rows);
    }

    static ObjectsOptions parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        String[] defaults = {
            "--scale",
            "5",
            "--tables",
            "300",
            "--functions",
            "200",
            "--views",
            "40",
            "--rows",
            "1000",
            "--clients",
            "4",
            "--jobs",
            "2",
            "--tx",
            "10000",
            "--warmup-tx",
            "5000",
            "--repeats",
            "3",
            "--ddl",
            "200",
            "--results",
            "bench/results"
        };
        for (int i = 0; i < defaults.length; i += 2) {
            m.put(defaults[i], defaults[i + 1]);
        }
        for (int i = 0; i < args.length; i++) {
            if (!m.containsKey(args[i]) || i + 1 == args.length) {
                throw new IllegalArgumentException("unknown or incomplete option '" + args[i]
                        + "': ObjectsBench [--scale 5] [--tables 300] [--functions 200]"
                        + " [--views 40] [--rows 1000 (per table)] [--clients 4] [--jobs 2] [--tx 10000 "
                        + "(per client and round)] [--warmup-tx 5000]"
                        + " [--repeats 3] [--ddl 200 (statements per batch)] [--results bench/results]");
            }
            m.put(args[i], args[++i]);
        }
        ObjectsOptions o = new ObjectsOptions(
                num(m, "--scale"),
                num(m, "--tables"),
                num(m, "--functions"),
                num(m, "--views"),
                num(m, "--rows"),
                num(m, "--clients"),
                num(m, "--jobs"),
                num(m, "--tx"),
                num(m, "--warmup-tx"),
                num(m, "--repeats"),
                num(m, "--ddl"),
                Path.of(m.get("--results")));
        if (o.tables < 40 || o.functions < 2 || o.repeats < 1) {
            throw new IllegalArgumentException(
                    "--tables must be at least 40, --functions at least 2 and --repeats at least 1");
        }
        return o;
    }

    private static int num(Map<String, String> m, String k) {
        return Integer.parseInt(m.get(k));
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scale", scale);
        m.put("tables", tables);
        m.put("functions", functions);
        m.put("views", views);
        m.put("rows_per_table", rows);
        m.put("clients", clients);
        m.put("jobs", jobs);
        m.put("tx_per_client", tx);
        m.put("warmup_tx_per_client", warmupTx);
        m.put("repeats", repeats);
        m.put("ddl_statements", ddl);
        return m;
    }
}
