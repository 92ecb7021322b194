package dev.backtrack.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The performance targets, read from the figures one {@code bench/run} wrote into its directory
 * (foundation-*.json, pitr-*.json, mariadb-*.json, objects-*.json): each target, the figure, its anchor from the same
 * run and whether it is met. Prints a table and writes {@code targets.json} beside the figures.
 */
public final class Targets {
    private final List<Map<String, Object>> rows = new ArrayList<>();

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: Targets RESULTS_DIR (the directory one bench/run wrote)");
        }
        Path dir = Path.of(args[0]);
        Targets t = new Targets();
        t.foundation(read(dir, "foundation-"));
        t.pitr(read(dir, "pitr-"));
        t.mariadb(read(dir, "mariadb-"));
        t.objects(read(dir, "objects-"));
        List<String[]> table = new ArrayList<>();
        table.add(new String[] {"target", "measured (Backtrack)", "anchor, same run", "met"});
        for (Map<String, Object> r : t.rows) {
            table.add(new String[] {
                (String) r.get("target"),
                (String) r.get("measured"),
                (String) r.get("anchor"),
                String.valueOf(r.get("met"))
            });
        }
        System.out.println();
        System.out.println("Targets (issue 6), from " + dir + ":");
        System.out.println(Figures.table(table));
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve("targets.json").toFile(), t.rows);
    }

    private static Map<String, Object> read(Path dir, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            Path f = files.filter(p -> p.getFileName().toString().startsWith(prefix)
                            && p.toString().endsWith(".json"))
                    .sorted()
                    .reduce((a, b) -> b)
                    .orElse(null);
            if (f == null) {
                return Map.of();
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = new ObjectMapper().readValue(f.toFile(), Map.class);
            return m;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> at(Map<String, Object> m, String... path) {
        Map<String, Object> x = m;
        for (String p : path) {
            x = x.get(p) instanceof Map<?, ?> y ? (Map<String, Object>) y : Map.of();
        }
        return x;
    }

    private static Double num(Map<String, Object> m, String key) {
        return m.get(key) instanceof Number n ? n.doubleValue() : null;
    }

    /** {@code met} is null when a figure is missing (that part did not run or failed). */
    private void add(String target, String measured, String anchor, Boolean met) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("target", target);
        r.put("measured", measured);
        r.put("anchor", anchor);
        r.put("met", met == null ? "not measured" : met ? "yes" : "NO");
        rows.add(r);
    }

    private static String f(Double d, String pattern) {
        return d == null ? "-" : String.format(Locale.ROOT, pattern, d);
    }

    private void foundation(Map<String, Object> j) {
        if (j.isEmpty()) {
            return;
        }
        Double agent = num(at(j, "drain", "agent"), "rows_per_s"),
                bare = num(at(j, "drain", "bare_engine"), "rows_per_s");
        Double ratio = agent == null || bare == null ? null : agent / bare;
        add(
                "durable capture >= 1.0x the bare Debezium engine (pgbench backlog)",
                f(agent, "%,.0f rows/s") + " (" + f(ratio, "%.3fx") + ")",
                "bare engine, no-op consumer: " + f(bare, "%,.0f rows/s"),
                ratio == null ? null : ratio >= 1.0);
        Double bytes = num(at(j, "size"), "log_bytes_per_row_change"),
                wal = num(at(j, "size"), "wal_bytes_per_row_change");
        add(
                "<= 30 bytes per row change in the log (pgbench TPC-B)",
                f(bytes, "%.1f"),
                "WAL: " + f(wal, "%.1f"),
                bytes == null ? null : bytes <= 30);
    }

    private void pitr(Map<String, Object> j) {
        if (j.isEmpty()) {
            return;
        }
        Map<String, Object> steady = at(j, "steady");
        Double p99 = num(at(steady, "capture_lag_ms"), "p99"), p50 = num(at(steady, "capture_lag_ms"), "p50");
        Double tps = num(at(steady, "pgbench"), "tps");
        add(
                "capture lag p99 <= 1 s at 2k tps (TPC-B + CRM mix)",
                "p50 " + f(p50, "%.0f") + " ms, p99 " + f(p99, "%.0f") + " ms",
                "source ran " + f(tps, "%,.0f") + " tps",
                p99 == null ? null : p99 <= 1000);
        Double bytes = num(at(j, "size"), "log_bytes_per_row_change"),
                wal = num(at(j, "size"), "wal_bytes_per_row_change");
        add(
                "<= 30 bytes per row change in the log (TPC-B + CRM mix)",
                f(bytes, "%.1f"),
                "WAL: " + f(wal, "%.1f"),
                bytes == null ? null : bytes <= 30);
        Double rssSteady = num(steady, "agent_peak_rss_bytes"),
                rssDrain = num(at(j, "drain", "agent"), "agent_peak_rss_bytes");
        Double rss = rssSteady;
        if (rss == null || rssDrain != null && rssDrain > rss) {
            rss = rssDrain;
        }
        add(
                "agent RSS <= 512 MiB under load",
                "peak " + f(rss == null ? null : rss / (1 << 20), "%.0f MiB")
                        + " (steady, checkpoint 0 included; backlog drain)",
                "",
                rss == null ? null : rss <= 512.0 * (1 << 20));
        Map<String, Object> r = at(j, "restore_to_instant");
        Double ours = num(at(r, "backtrack"), "seconds"), pitr = num(at(r, "postgresql_pitr"), "seconds");
        add(
                "restore to an instant <= 1.0x PostgreSQL's PITR",
                f(ours, "%.2f s") + " (" + f(ours == null || pitr == null ? null : ours / pitr, "%.2fx") + ")",
                "base backup + WAL replay: " + f(pitr, "%.2f s"),
                ours == null || pitr == null ? null : ours <= pitr);
        Double load = num(at(r, "checkpoint_load"), "rows_per_s"), pgr = num(at(r, "pg_restore"), "rows_per_s");
        Double lz4 = num(at(r, "pg_restore_lz4"), "rows_per_s");
        add(
                "checkpoint loading >= 0.8x pg_restore's row rate",
                f(load, "%,.0f rows/s") + " (" + f(load == null || pgr == null ? null : load / pgr, "%.2fx") + "; "
                        + f(load == null || lz4 == null ? null : load / lz4, "%.2fx")
                        + " of pg_restore with lz4 TOAST)",
                "pg_restore: " + f(pgr, "%,.0f rows/s") + "; with lz4: " + f(lz4, "%,.0f rows/s"),
                load == null || pgr == null ? null : load >= 0.8 * pgr);
    }

    private void objects(Map<String, Object> j) {
        if (j.isEmpty()) {
            return;
        }
        Map<String, Object> summary = at(j, "capture", "summary");
        Double on = num(at(summary, "capture_ddl_on", "rows_per_s_after_first"), "median"),
                off = num(at(summary, "capture_ddl_off", "rows_per_s_after_first"), "median");
        Map<String, Object> perRound = at(summary, "on_over_off_after_first_per_round");
        Double ratio = num(perRound, "median");
        add(
                "DML capture with the DDL event triggers >= 0.95x without them, once changes flow (issue 15: "
                        + "nothing measurable)",
                f(ratio, "%.2fx") + " (median of the rounds; " + f(num(perRound, "min"), "%.2f") + "–"
                        + f(num(perRound, "max"), "%.2f") + ")",
                "capture-ddl on: " + f(on, "%,.0f") + " rows/s, off: " + f(off, "%,.0f") + " rows/s (medians)",
                ratio == null ? null : ratio >= 0.95);
        Map<String, Object> r = at(j, "restore");
        Double added = num(at(r, "object_phase_percent_added"), "median"),
                phases = num(at(r, "object_phase_seconds"), "median");
        ratio = num(at(r, "with_over_alone_per_repeat"), "median");
        add(
                "whole-database restore: making the objects adds <= 5 % to restore time (issue 22)",
                f(added, "+%.1f %%") + " (" + f(phases, "%.2f s") + " in the object phases)",
                "the same restore without the objects: " + f(ratio, "%.3fx") + " (median of the repeats)",
                added == null ? null : added <= 5);
    }

    private void mariadb(Map<String, Object> j) {
        if (j.isEmpty()) {
            return;
        }
        Double agent = num(at(j, "capture", "agent"), "rows_per_s"),
                bare = num(at(j, "capture", "bare_engine"), "rows_per_s");
        add(
                "MariaDB: durable capture vs the bare Debezium MariaDB engine (no target set)",
                f(agent, "%,.0f rows/s") + " (" + f(agent == null || bare == null ? null : agent / bare, "%.2fx") + ")",
                "bare engine: " + f(bare, "%,.0f rows/s"),
                null);
        Double ours = num(at(j, "restore", "backtrack_to_mariadb"), "rows_per_s"),
                dump = num(at(j, "restore", "mariadb_dump_load"), "rows_per_s");
        add(
                "MariaDB: restore rate vs a mariadb-dump load (no target set)",
                f(ours, "%,.0f rows/s") + " (" + f(ours == null || dump == null ? null : ours / dump, "%.2fx") + ")",
                "mariadb-dump loaded: " + f(dump, "%,.0f rows/s"),
                null);
        Double bt = num(at(j, "restore", "backtrack_to_mariadb"), "seconds"),
                pitr = num(at(j, "restore", "mariadb_pitr"), "seconds");
        add(
                "MariaDB: restore vs MariaDB's PITR of the same window (no target set)",
                f(bt, "%.2f s") + " (" + f(bt == null || pitr == null ? null : bt / pitr, "%.2fx") + ")",
                "dump load + mariadb-binlog replay: " + f(pitr, "%.2f s"),
                null);
        for (int i = 1; i <= 3; i++) {
            rows.get(rows.size() - i).put("met", "(no target)");
        }
    }
}
