package dev.backtrack.bench;

import static dev.backtrack.bench.Figures.fmt;
import static dev.backtrack.bench.Figures.ratio;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The PITR benchmark's figures as a markdown table, each beside its anchor from the same run. */
final class PitrTable {
    private PitrTable() {}

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> m, String key) {
        return m.get(key) instanceof Map<?, ?> x ? (Map<String, Object>) x : Map.of();
    }

    static String of(Map<String, Object> json, PitrOptions o) {
        Map<String, Object> env = map(json, "environment");
        Map<String, Object> steady = map(json, "steady");
        Map<String, Object> load = map(steady, "pgbench");
        Map<String, Object> lag = map(steady, "capture_lag_ms");
        Map<String, Object> size = map(json, "size");
        Map<String, Object> drain = map(json, "drain");
        Map<String, Object> agent = map(drain, "agent");
        Map<String, Object> recv = map(drain, "pg_recvlogical_pgoutput");
        Map<String, Object> r = map(json, "restore_to_instant");
        Map<String, Object> bt = map(r, "backtrack");
        Map<String, Object> pitr = map(r, "postgresql_pitr");
        Map<String, Object> dump = map(r, "pg_dump");
        Map<String, Object> pgr = map(r, "pg_restore");
        Map<String, Object> sf = map(r, "synthetic_full");
        Map<String, Object> ck = map(r, "checkpoint_load");

        List<String[]> rows = new ArrayList<>();
        rows.add(
                new String[] {"figure (pgbench TPC-B + CRM mix)", "Backtrack", "anchor (same run)", "Backtrack / anchor"
                });
        rows.add(new String[] {
            "capture lag at " + load.get("tps") + " tps (asked " + o.rate() + ") for " + o.seconds() + " s",
            "p50 " + lag.get("p50") + " ms, p99 " + lag.get("p99") + " ms, max " + lag.get("max") + " ms",
            "pgbench latency average: " + load.get("latency_average_ms") + " ms",
            ""
        });
        rows.add(new String[] {
            "agent peak RSS (VmHWM)",
            "steady load: " + mib(steady.get("agent_peak_rss_bytes")) + "; backlog drain: "
                    + mib(agent.get("agent_peak_rss_bytes")),
            "",
            ""
        });
        rows.add(new String[] {
            "bytes per row change (steady window)",
            "redo log, zstd 3: " + size.get("log_bytes_per_row_change"),
            "WAL: " + size.get("wal_bytes_per_row_change"),
            ratio(size.get("log_bytes_per_row_change"), size.get("wal_bytes_per_row_change"), "x")
        });
        rows.add(new String[] {
            "drain backlog of " + fmt(agent.get("row_changes")) + " row changes",
            "agent (new JVM), fsync'd log: " + fmt(agent.get("rows_per_s")) + " rows/s ("
                    + fmt(agent.get("rows_per_s_after_first")) + " after " + agent.get("startup_seconds")
                    + " s start-up)",
            "pg_recvlogical pgoutput: " + fmt(recv.get("rows_per_s")) + " rows/s",
            ratio(agent.get("rows_per_s"), recv.get("rows_per_s"), "x rate")
        });
        rows.add(new String[] {
            "restore to T (" + fmt(r.get("rows_at_instant")) + " rows; ckpt + " + fmt(bt.get("changes_replayed"))
                    + " changes)",
            "restore --to T --jobs " + o.jobs() + ": " + bt.get("seconds") + " s",
            "PostgreSQL PITR (copy base backup + replay WAL): " + pitr.get("seconds") + " s",
            ratio(bt.get("seconds"), pitr.get("seconds"), "x time")
        });
        rows.add(new String[] {
            "",
            "",
            "pg_restore -j " + o.jobs() + " of a pg_dump at T: " + pgr.get("seconds") + " s",
            ratio(bt.get("seconds"), pgr.get("seconds"), "x time")
        });
        Map<String, Object> lz4 = map(r, "pg_restore_lz4");
        rows.add(new String[] {
            "",
            "",
            "the same, TOAST with lz4 as Backtrack writes it: " + lz4.get("seconds") + " s",
            ratio(bt.get("seconds"), lz4.get("seconds"), "x time")
        });
        rows.add(new String[] {
            "checkpoint loading (synthetic full, no log)",
            fmt(ck.get("rows_per_s")) + " rows/s (" + ck.get("seconds") + " s, ANALYZE included)",
            "pg_restore -j " + o.jobs() + ": " + fmt(pgr.get("rows_per_s")) + " rows/s",
            ratio(ck.get("rows_per_s"), pgr.get("rows_per_s"), "x rate")
        });
        rows.add(new String[] {
            "",
            "",
            "pg_restore, TOAST with lz4: " + fmt(lz4.get("rows_per_s")) + " rows/s",
            ratio(ck.get("rows_per_s"), lz4.get("rows_per_s"), "x rate")
        });
        rows.add(new String[] {
            "checkpoint build (synthetic full)",
            fmt(sf.get("rows_per_s")) + " rows/s (" + sf.get("seconds") + " s)",
            "pg_dump -Fd -j " + o.jobs() + ": " + fmt(dump.get("rows_per_s")) + " rows/s",
            ratio(sf.get("rows_per_s"), dump.get("rows_per_s"), "x rate")
        });
        StringBuilder s = new StringBuilder(Figures.table(rows)).append("\n");
        s.append("restore to T = ")
                .append(r.get("instant"))
                .append(" equals PostgreSQL's PITR of the same instant, per table: ")
                .append(r.get("backtrack_equals_postgresql_pitr"))
                .append("\n");
        s.append("steady load: ")
                .append(load)
                .append("; agent CPU ")
                .append(steady.get("agent_cpu_seconds"))
                .append(" s; agent JVM options: ")
                .append(steady.get("agent_java_options"))
                .append("\n");
        s.append("agent at the end of the steady load: ")
                .append(steady.get("agent_status"))
                .append("\n");
        s.append("machine: ")
                .append(env.get("cores"))
                .append(" cores, load average ")
                .append(env.get("load_average_at_start"))
                .append(" at start; fdatasync 4 KiB ")
                .append(env.get("fdatasync_ms_4k"))
                .append(" ms; data ")
                .append(fmt(map(json, "data").get("database_bytes")))
                .append(" bytes; base backup ")
                .append(fmt(map(json, "base_backup").get("bytes")))
                .append(" bytes\n");
        return s.toString();
    }

    private static String mib(Object bytes) {
        return bytes instanceof Number n && n.longValue() >= 0 ? (n.longValue() >> 20) + " MiB" : "unknown";
    }
}
