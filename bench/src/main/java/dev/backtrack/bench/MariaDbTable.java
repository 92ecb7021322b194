package dev.backtrack.bench;

import static dev.backtrack.bench.Figures.fmt;
import static dev.backtrack.bench.Figures.ratio;
import static dev.backtrack.bench.Figures.round;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The MariaDB figures as a markdown table, each beside its anchor from the same run, and how the run went below it. */
final class MariaDbTable {
    private MariaDbTable() {}

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> m, String key) {
        return m.get(key) instanceof Map<?, ?> x ? (Map<String, Object>) x : Map.of();
    }

    static String of(Map<String, Object> json, MariaDbOptions o) {
        Map<String, Object> env = map(json, "environment");
        Map<String, Object> capture = map(json, "capture");
        Map<String, Object> backlog = map(capture, "backlog");
        Map<String, Object> agent = map(capture, "agent");
        Map<String, Object> bare = map(capture, "bare_engine");
        Map<String, Object> starts = map(capture, "start_positions");
        Map<String, Object> restore = map(json, "restore");
        Map<String, Object> toMaria = map(restore, "backtrack_to_mariadb");
        Map<String, Object> toPg = map(restore, "backtrack_to_postgresql");
        Map<String, Object> dump = map(restore, "mariadb_dump_load");
        Map<String, Object> pitr = map(restore, "mariadb_pitr");
        Map<String, Object> lag = map(json, "migration_lag");

        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"figure", "Backtrack", "anchor (same run)", "Backtrack / anchor"});
        rows.add(new String[] {
            "capture: drain a binlog backlog of " + fmt(backlog.get("row_changes")) + " row changes",
            "agent, fsync'd log: " + rate(agent),
            "bare Debezium MariaDB engine, no-op: " + rate(bare),
            ratio(agent.get("rows_per_s"), bare.get("rows_per_s"), "x rate")
        });
        rows.add(new String[] {
            "  same, from the first change on",
            "agent: " + fmt(agent.get("rows_per_s_after_first")) + "/s",
            "bare engine: " + fmt(bare.get("rows_per_s_after_first")) + "/s",
            ratio(agent.get("rows_per_s_after_first"), bare.get("rows_per_s_after_first"), "x rate")
        });
        rows.add(new String[] {
            "  CPU us per row change (JVM w/o JIT + servers)",
            "agent: " + agent.get("cpu_us_per_row"),
            "bare engine: " + bare.get("cpu_us_per_row"),
            ratio(agent.get("cpu_us_per_row"), bare.get("cpu_us_per_row"), "x CPU")
        });
        if (agent.get("log_bytes") instanceof Number lb
                && backlog.get("binlog_bytes") instanceof Number bb
                && backlog.get("row_changes") instanceof Number rc) {
            rows.add(new String[] {
                "bytes per row change",
                "redo log (zstd): " + round(lb.doubleValue() / rc.doubleValue(), 1),
                "binlog (ROW, FULL): " + round(bb.doubleValue() / rc.doubleValue(), 1),
                ratio(lb, bb, "x")
            });
        }
        if (!toMaria.isEmpty() || !dump.isEmpty()) {
            rows.add(new String[] {
                "restore " + fmt(toMaria.get("rows")) + " rows into MariaDB",
                "restore latest: " + restoreRate(toMaria),
                "mariadb-dump | mariadb: " + restoreRate(dump),
                ratio(toMaria.get("rows_per_s"), dump.get("rows_per_s"), "x rate")
            });
        }
        if (!toMaria.isEmpty() && !pitr.isEmpty()) {
            rows.add(new String[] {
                "restore to the end of the backlog into MariaDB",
                "Backtrack " + toMaria.get("seconds") + " s",
                "MariaDB PITR: dump load + mariadb-binlog replay " + pitr.get("seconds") + " s ("
                        + pitr.get("dump_load_seconds") + " + " + pitr.get("binlog_replay_seconds") + ")",
                ratio(toMaria.get("seconds"), pitr.get("seconds"), "x time")
            });
        }
        if (!toPg.isEmpty()) {
            rows.add(new String[] {
                "restore " + fmt(toPg.get("rows")) + " rows into PostgreSQL (cross-engine)",
                "restore latest: " + restoreRate(toPg),
                "mariadb-dump | mariadb: " + restoreRate(dump),
                ratio(toPg.get("rows_per_s"), dump.get("rows_per_s"), "x rate")
            });
        }
        if (lag.get("migration_lag_ms") != null) {
            Map<String, Object> mig = map(lag, "migration_lag_ms");
            Map<String, Object> cap = map(lag, "capture_lag_ms");
            Map<String, Object> rep = map(lag, "reported_lag_seconds");
            rows.add(new String[] {
                "migrate --follow lag, " + lag.get("target_tps") + " tx/s for " + o.lagSeconds()
                        + " s (commit -> in PostgreSQL)",
                "p50 " + mig.get("p50") + " ms, p99 " + mig.get("p99") + " ms",
                "agent capture lag (commit -> in log): p50 " + cap.get("p50") + " ms, p99 " + cap.get("p99") + " ms",
                ratio(mig.get("p50"), cap.get("p50"), "x p50") + ", " + ratio(mig.get("p99"), cap.get("p99"), "x p99")
            });
            rows.add(new String[] {
                "  lagSeconds migrate --json printed meanwhile",
                "p50 " + rep.get("p50") + " s, p99 " + rep.get("p99") + " s (" + rep.get("samples") + " lines)",
                "no anchor",
                ""
            });
        }
        StringBuilder s = new StringBuilder(Figures.table(rows)).append("\n");
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
        s.append("MariaDB ")
                .append(env.get("mariadb"))
                .append(": binlog ROW/FULL, ")
                .append(env.get("mariadb_settings"))
                .append("\n");
        s.append("PostgreSQL: ").append(env.get("postgresql_settings")).append("\n");
        s.append("backlog: ")
                .append(o.clients())
                .append(" writers, ")
                .append(fmt(backlog.get("transactions")))
                .append(" transactions (contact + 3 activities + an update)")
                .append(" at ")
                .append(backlog.get("tps"))
                .append(" tps, machine ")
                .append(backlog.get("machine_cpu_busy_percent"))
                .append("% busy; ")
                .append(fmt(backlog.get("binlog_bytes")))
                .append(" binlog bytes\n");
        s.append("start positions: bare engine ")
                .append(starts.get("bare_engine"))
                .append(" (its offset: the sync transaction it had seen, skipped on resume), agent ")
                .append(starts.get("agent_checkpoint0"))
                .append(" (checkpoint 0), backlog from ")
                .append(starts.get("backlog_start"))
                .append("\n");
        s.append("seen: agent logged ")
                .append(fmt(agent.get("row_changes_logged")))
                .append(" row changes in ")
                .append(fmt(agent.get("transactions_logged")))
                .append(" transactions; bare engine saw ")
                .append(fmt(bare.get("row_changes_seen")))
                .append(" row changes; startup: agent ")
                .append(agent.get("startup_seconds"))
                .append(" s, bare ")
                .append(bare.get("startup_seconds"))
                .append(" s\n");
        s.append("CPU during the agent drain: ").append(cpu(agent)).append("\n");
        s.append("CPU during the bare drain:  ").append(cpu(bare)).append("\n");
        if (!restore.isEmpty()) {
            s.append("restore: one connection each; equal to the source per table (count + row hash): to MariaDB ")
                    .append(toMaria.get("restored_equals_source"))
                    .append(", dump load ")
                    .append(dump.get("restored_equals_source"))
                    .append("; PostgreSQL row counts equal: ")
                    .append(toPg.get("restored_rows_equal_source"))
                    .append("; mariadb-dump took ")
                    .append(dump.get("mariadb_dump_seconds"))
                    .append(" s (not compared)\n");
            s.append("CPU during restore into MariaDB: ").append(cpu(toMaria)).append("\n");
            s.append("CPU during the dump load:        ").append(cpu(dump)).append("\n");
            if (!pitr.isEmpty()) {
                s.append("MariaDB PITR: base dump at binlog ")
                        .append(pitr.get("base_dump_position"))
                        .append(" (checkpoint 0 at ")
                        .append(pitr.get("checkpoint0_position"))
                        .append("), taken in ")
                        .append(pitr.get("base_dump_seconds"))
                        .append(" s (not compared); replayed ")
                        .append(fmt(pitr.get("binlog_bytes")))
                        .append(" binlog bytes to ")
                        .append(pitr.get("replay_to_position"))
                        .append(" with --disable-log-bin; equal to the Backtrack restore per table: ")
                        .append(pitr.get("equals_backtrack_restore"))
                        .append(", to the source: ")
                        .append(pitr.get("restored_equals_source"))
                        .append("\n");
                s.append("CPU during the MariaDB PITR:     ").append(cpu(pitr)).append("\n");
            }
            s.append("CPU during restore into PostgreSQL: ").append(cpu(toPg)).append("\n");
        }
        if (lag.get("migration_lag_ms") != null) {
            s.append("lag: ")
                    .append(lag.get("achieved_tps"))
                    .append(" tx/s achieved; max capture ")
                    .append(map(lag, "capture_lag_ms").get("max"))
                    .append(" ms, max migration ")
                    .append(map(lag, "migration_lag_ms").get("max"))
                    .append(" ms; migrate polls the log every 100 ms (its default)")
                    .append(" and applied ~")
                    .append(fmt(lag.get("migrate_apply_tx_per_s_while_applying")))
                    .append(" tx/s while applying (")
                    .append(lag.get("migrate_applying_percent_of_time"))
                    .append("% of the time; sampled every ~10 ms);")
                    .append(" reported lagSeconds is a commit-time distance with the binlog's 1 s resolution\n");
        } else if (o.lagSeconds() > 0 && json.containsKey("migration_lag")) {
            s.append("lag: did not complete, see migration_lag in the JSON\n");
        }
        return s.toString();
    }

    private static String cpu(Map<String, Object> m) {
        return "machine busy " + m.get("machine_cpu_busy_percent") + "%, JVM " + m.get("jvm_cpu_seconds") + " s (JIT "
                + m.get("jit_threads_cpu_seconds")
                + " s), child processes " + m.get("child_processes_cpu_seconds") + " s, mariadbd "
                + m.get("mariadbd_cpu_seconds") + " s, PostgreSQL "
                + m.get("postgresql_cpu_seconds") + " s";
    }

    private static String rate(Map<String, Object> m) {
        return fmt(m.get("rows_per_s")) + " rows/s (" + m.get("seconds") + " s)";
    }

    private static String restoreRate(Map<String, Object> m) {
        return m.get("seconds") + " s, " + fmt(m.get("rows_per_s")) + " rows/s";
    }
}
