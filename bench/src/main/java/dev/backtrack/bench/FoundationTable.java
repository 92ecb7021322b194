package dev.backtrack.bench;

import static dev.backtrack.bench.Figures.fmt;
import static dev.backtrack.bench.Figures.ratio;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The foundation figures as a markdown table, each beside its anchor from the same run, and how the run went below it.
 */
final class FoundationTable {
    private FoundationTable() {}

    static String of(Map<String, Object> json, FoundationOptions o) {
        return Figures.table(rows(json)) + "\n" + notes(json, o);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> m, String key) {
        return (Map<String, Object>) m.getOrDefault(key, Map.of());
    }

    private static List<String[]> rows(Map<String, Object> json) {
        Map<String, Object> drain = map(json, "drain");
        Map<String, Object> restore = map(json, "restore");
        Map<String, Object> repo = map(json, "repository");
        Map<String, Object> agent = map(drain, "agent");
        Map<String, Object> bt = map(restore, "backtrack");

        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"figure", "Backtrack", "anchor (same run)", "Backtrack / anchor"});
        drainRows(rows, map(json, "backlog"), drain);
        rows.add(sizeRow(map(json, "size")));
        rows.add(restoreRow(bt, map(restore, "pg_restore_j2")));
        encryptionRows(rows, map(drain, "agent_encrypted"), agent, map(repo, "restore_encrypted"), bt);
        syntheticFullRows(rows, map(repo, "synthetic_full"), map(repo, "checkpoint_size"), map(json, "checkpoint0"));
        return rows;
    }

    /** The backlog drained by the agent vs the bare engine and pg_recvlogical; its rate from the first change, CPU. */
    private static void drainRows(List<String[]> rows, Map<String, Object> backlog, Map<String, Object> drain) {
        Map<String, Object> agent = map(drain, "agent");
        Map<String, Object> bare = map(drain, "bare_engine");
        Map<String, Object> td = map(drain, "pg_recvlogical_test_decoding");
        Map<String, Object> po = map(drain, "pg_recvlogical_pgoutput");
        String changes = fmt(backlog.get("row_changes"));
        rows.add(new String[] {
            "drain backlog of " + changes + " row changes",
            "agent, fsync'd log: " + rate(agent),
            "bare Debezium engine, no-op: " + rate(bare),
            ratio(agent.get("rows_per_s"), bare.get("rows_per_s"), "x rate")
        });
        rows.add(new String[] {
            "",
            "",
            "pg_recvlogical test_decoding: " + rate(td),
            ratio(agent.get("rows_per_s"), td.get("rows_per_s"), "x rate")
        });
        rows.add(new String[] {
            "",
            "",
            "pg_recvlogical pgoutput: " + rate(po),
            ratio(agent.get("rows_per_s"), po.get("rows_per_s"), "x rate")
        });
        rows.add(new String[] {
            "  same, from the first change on",
            "agent: " + fmt(agent.get("rows_per_s_after_first")) + "/s",
            "bare engine: " + fmt(bare.get("rows_per_s_after_first")) + "/s",
            ratio(agent.get("rows_per_s_after_first"), bare.get("rows_per_s_after_first"), "x rate")
        });
        rows.add(new String[] {
            "  CPU us per row change (JVM w/o JIT + PG)",
            "agent: " + agent.get("cpu_us_per_row_change"),
            "bare engine: " + bare.get("cpu_us_per_row_change") + "; pg_recvlogical td/po: "
                    + td.get("cpu_us_per_row_change") + " / " + po.get("cpu_us_per_row_change"),
            ratio(agent.get("cpu_us_per_row_change"), bare.get("cpu_us_per_row_change"), "x CPU")
        });
    }

    private static String[] sizeRow(Map<String, Object> size) {
        return new String[] {
            "bytes per row change",
            "redo log (zstd " + size.get("compression_level") + "): " + size.get("log_bytes_per_row_change"),
            "WAL: " + size.get("wal_bytes_per_row_change"),
            ratio(size.get("log_bytes_per_row_change"), size.get("wal_bytes_per_row_change"), "x")
        };
    }

    private static String[] restoreRow(Map<String, Object> bt, Map<String, Object> pr) {
        return new String[] {
            "restore " + fmt(bt.get("rows")) + " rows (ckpt 0 + " + fmt(bt.get("changes_replayed")) + " changes)",
            "restore latest: " + bt.get("seconds") + " s, " + fmt(bt.get("rows_per_s")) + " rows/s",
            "pg_restore -j 2: " + pr.get("seconds") + " s, " + fmt(pr.get("rows_per_s")) + " rows/s",
            ratio(bt.get("seconds"), pr.get("seconds"), "x time")
        };
    }

    /** Capture into and restore from the encrypted repository vs the plain one, when measured. */
    private static void encryptionRows(
            List<String[]> rows,
            Map<String, Object> enc,
            Map<String, Object> agent,
            Map<String, Object> er,
            Map<String, Object> bt) {
        if (!enc.isEmpty()) {
            rows.add(new String[] {
                "capture into an encrypted repository",
                "agent, AES-256-GCM: " + rate(enc),
                "agent, plain: " + rate(agent),
                ratio(enc.get("rows_per_s"), agent.get("rows_per_s"), "x rate")
            });
        }
        if (!er.isEmpty()) {
            rows.add(new String[] {
                "restore from an encrypted repository",
                "encrypted: " + er.get("seconds") + " s, " + fmt(er.get("rows_per_s")) + " rows/s",
                "plain: " + bt.get("seconds") + " s",
                ratio(er.get("seconds"), bt.get("seconds"), "x time")
            });
        }
    }

    /** The synthetic full's rate vs checkpoint 0's, and checkpoint bytes, when measured. */
    private static void syntheticFullRows(
            List<String[]> rows, Map<String, Object> sf, Map<String, Object> cs, Map<String, Object> ck) {
        if (!sf.isEmpty()) {
            rows.add(new String[] {
                "synthetic full (ckpt 0 + " + fmt(sf.get("changes_folded")) + " txs)",
                fmt(sf.get("rows_per_s")) + " rows/s (" + sf.get("seconds") + " s)",
                "checkpoint 0 from the source: " + fmt(ck.get("rows_per_s")) + " rows/s",
                ratio(sf.get("rows_per_s"), ck.get("rows_per_s"), "x rate")
            });
            rows.add(new String[] {
                "checkpoint bytes per million rows",
                "zstd " + cs.get("compression_level") + ": " + fmt(cs.get("bytes_per_million_rows_zstd")),
                "uncompressed: " + fmt(cs.get("bytes_per_million_rows_uncompressed")),
                ratio(cs.get("bytes_per_million_rows_zstd"), cs.get("bytes_per_million_rows_uncompressed"), "x")
            });
        }
    }

    private static String notes(Map<String, Object> json, FoundationOptions o) {
        Map<String, Object> drain = map(json, "drain");
        Map<String, Object> agent = map(drain, "agent");
        Map<String, Object> bare = map(drain, "bare_engine");
        StringBuilder s = new StringBuilder();
        environment(s, map(json, "environment"));
        workload(s, o, map(json, "backlog"), map(json, "checkpoint0"));
        s.append("agent drain: ").append(agent.get("agent_status")).append("\n");
        s.append("CPU during the agent drain: ").append(cpu(agent)).append("\n");
        s.append("CPU during the bare drain:  ").append(cpu(bare)).append("\n");
        warmUp(s, json, o);
        restore(s, map(json, "restore"));
        return s.toString();
    }

    /** The machine, the JVM and PostgreSQL's settings. */
    private static void environment(StringBuilder s, Map<String, Object> env) {
        s.append("machine: ")
                .append(env.get("cores"))
                .append(" cores, load average ")
                .append(env.get("load_average_at_start"))
                .append(" at start, ")
                .append(env.get("load_average_at_end"))
                .append(" at end; fdatasync 4 KiB: ")
                .append(env.get("fdatasync_ms_4k"))
                .append(" ms; ")
                .append(env.get("java"))
                .append("\n");
        s.append("JVM: ")
                .append(env.get("jvm_heap"))
                .append("; arguments: ")
                .append(env.get("jvm_arguments"))
                .append("\n");
        s.append("PostgreSQL: ").append(env.get("postgresql_settings")).append("\n");
    }

    /** pgbench's scale and backlog, the WAL it wrote, checkpoint 0. */
    private static void workload(
            StringBuilder s, FoundationOptions o, Map<String, Object> backlog, Map<String, Object> ck) {
        s.append("workload: pgbench -s ")
                .append(o.scale())
                .append(", backlog ")
                .append(fmt(backlog.get("transactions")))
                .append(" transactions at ")
                .append(backlog.get("pgbench_tps"))
                .append(" tps; ")
                .append(fmt(backlog.get("wal_full_page_images")))
                .append(" full-page images, ")
                .append(backlog.get("checkpoints_during"))
                .append(" checkpoints during it; checkpoint 0: ")
                .append(fmt(ck.get("rows")))
                .append(" rows in ")
                .append(ck.get("seconds"))
                .append(" s\n");
    }

    /** The warm-up rounds and the JIT compiler's CPU in each, when there were any. */
    @SuppressWarnings("unchecked")
    private static void warmUp(StringBuilder s, Map<String, Object> json, FoundationOptions o) {
        if (json.get("warm_up") instanceof List<?> rounds) {
            s.append("warm-up (database warm, not measured): ")
                    .append(rounds.size())
                    .append(" round(s) of ")
                    .append(fmt(4L * o.clients() * o.warmupTxPerClient()))
                    .append(" row changes; JIT compiler CPU in each round's agent / bare drain:");
            for (Object r : rounds) {
                Map<String, Object> m = (Map<String, Object>) r;
                s.append(" ")
                        .append(((Map<String, Object>) m.get("agent")).get("jit_threads_cpu_seconds"))
                        .append(" s / ")
                        .append(((Map<String, Object>) m.get("bare_engine")).get("jit_threads_cpu_seconds"))
                        .append(" s;");
            }
            s.append("\n");
        }
    }

    /** What each restore's time includes; whether the restored tables equal the source. */
    private static void restore(StringBuilder s, Map<String, Object> restore) {
        Map<String, Object> pr = map(restore, "pg_restore_j2");
        s.append("restore: Backtrack's time includes ANALYZE; pg_restore's does not (ANALYZE after it: ")
                .append(pr.get("analyze_seconds"))
                .append(" s); pg_dump took ")
                .append(pr.get("pg_dump_seconds"))
                .append(" s; restored tables equal the source: ")
                .append(restore.get("backtrack_restore_equals_source"))
                .append("\n");
    }

    private static String cpu(Map<String, Object> m) {
        return "machine busy " + m.get("machine_cpu_busy_percent") + "%, JVM " + m.get("jvm_cpu_seconds")
                + " s (JIT compiler threads "
                + m.get("jit_threads_cpu_seconds") + " s, GC threads " + m.get("gc_threads_cpu_seconds")
                + " s, Java threads "
                + m.get("jvm_threads_cpu_seconds") + "), walsender " + m.get("walsender_cpu_seconds")
                + " s, whole bench cluster "
                + m.get("cluster_cpu_seconds") + " s, other processes on the machine "
                + m.get("other_processes_cpu_seconds") + " s";
    }

    private static String rate(Map<String, Object> m) {
        if (m.get("error") != null) {
            return "did not run";
        }
        return fmt(m.get("rows_per_s")) + " rows/s (" + m.get("seconds") + " s)";
    }
}
