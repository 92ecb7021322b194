package dev.backtrack.bench;

import static dev.backtrack.bench.Figures.fmt;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The objects benchmark's figures as a markdown table, each beside its anchor from the same run;
 * a figure repeated is shown as its median with the min–max of the repeats in brackets.
 */
final class ObjectsTable {
    private ObjectsTable() {}

    @SuppressWarnings("unchecked")
    private static Map<String, Object> at(Map<String, Object> m, String... path) {
        Map<String, Object> x = m;
        for (String p : path) {
            x = x.get(p) instanceof Map<?, ?> y ? (Map<String, Object>) y : Map.of();
        }
        return x;
    }

    /** "median (min–max)" of a spread, each value in {@code pattern}. */
    private static String spread(Map<String, Object> s, String pattern) {
        if (!(s.get("median") instanceof Number median)) {
            return "-";
        }
        return String.format(Locale.ROOT, pattern, median.doubleValue()) + " ("
                + String.format(Locale.ROOT, pattern, ((Number) s.get("min")).doubleValue()) + "–"
                + String.format(Locale.ROOT, pattern, ((Number) s.get("max")).doubleValue()) + ")";
    }

    private static String ratio(Map<String, Object> a, Map<String, Object> b) {
        if (!(a.get("median") instanceof Number x) || !(b.get("median") instanceof Number y) || y.doubleValue() == 0) {
            return "";
        }
        return String.format(Locale.ROOT, "%.2fx", x.doubleValue() / y.doubleValue());
    }

    static String of(Map<String, Object> json) {
        Map<String, Object> env = at(json, "environment");
        Map<String, Object> data = at(json, "data");
        Map<String, Object> sum = at(json, "capture", "summary");
        Map<String, Object> on = at(sum, "capture_ddl_on"),
                off = at(sum, "capture_ddl_off"),
                bare = at(sum, "bare_engine");
        Object changes = json.get("capture") instanceof Map<?, ?> c
                        && c.get("rounds") instanceof List<?> r
                        && r.size() > 1
                        && r.get(1) instanceof Map<?, ?> one
                        && one.get("backlog") instanceof Map<?, ?> b
                ? b.get("row_changes")
                : null;
        int rounds = ((Number) at(on, "rows_per_s").getOrDefault("n", 0)).intValue();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {
            "figure (median (min–max) of the repeats)", "with definitions capture", "anchor (same run)", "with / anchor"
        });
        rows.add(new String[] {
            "drain a pgbench backlog of " + fmt(changes) + " row changes, " + rounds + " rounds",
            "capture-ddl on: " + spread(at(on, "rows_per_s"), "%,.0f") + " rows/s",
            "capture-ddl off: " + spread(at(off, "rows_per_s"), "%,.0f") + " rows/s",
            spread(at(sum, "on_over_off_per_round"), "%.2f") + "x per round"
        });
        rows.add(new String[] {
            "  same, from the first change on",
            "on: " + spread(at(on, "rows_per_s_after_first"), "%,.0f") + "/s",
            "off: " + spread(at(off, "rows_per_s_after_first"), "%,.0f") + "/s",
            spread(at(sum, "on_over_off_after_first_per_round"), "%.2f") + "x per round"
        });
        rows.add(new String[] {
            "  start-up to the first change logged",
            "on: " + spread(at(on, "startup_seconds"), "%.2f") + " s",
            "off: " + spread(at(off, "startup_seconds"), "%.2f") + " s",
            ratio(at(on, "startup_seconds"), at(off, "startup_seconds"))
        });
        rows.add(new String[] {
            "  CPU us per row change (this JVM + PG, start-up included)",
            "on: " + spread(at(on, "cpu_us_per_row_change"), "%.1f"),
            "off: " + spread(at(off, "cpu_us_per_row_change"), "%.1f"),
            ratio(at(on, "cpu_us_per_row_change"), at(off, "cpu_us_per_row_change"))
        });
        rows.add(new String[] {
            "",
            "",
            "bare Debezium engine, no-op: " + spread(at(bare, "rows_per_s"), "%,.0f") + " rows/s",
            ratio(at(on, "rows_per_s"), at(bare, "rows_per_s"))
        });
        Map<String, Object> ddl = at(json, "ddl");
        Map<String, Object> read = at(json, "definitions_read");
        if (!ddl.isEmpty()) {
            rows.add(new String[] {
                "DDL on the source, ms per statement (" + ddl.get("statements_per_batch") + " a batch, autocommit)",
                "event triggers: " + spread(at(ddl, "ms_per_statement", "with_triggers"), "%.2f"),
                "no event triggers: " + spread(at(ddl, "ms_per_statement", "without_triggers"), "%.2f"),
                ratio(at(ddl, "ms_per_statement", "with_triggers"), at(ddl, "ms_per_statement", "without_triggers"))
            });
            at(ddl, "ms_per_statement_by_kind").forEach((kind, v) -> {
                Map<String, Object> k = at(ddl, "ms_per_statement_by_kind", kind);
                rows.add(new String[] {
                    "  " + kind,
                    spread(at(k, "with_triggers"), "%.2f"),
                    spread(at(k, "without_triggers"), "%.2f"),
                    ratio(at(k, "with_triggers"), at(k, "without_triggers"))
                });
            });
            rows.add(new String[] {
                "  the trigger's comparison alone (record_objects, nothing changed)",
                spread(at(ddl, "record_objects_unchanged_ms"), "%.2f") + " ms",
                "",
                ""
            });
            rows.add(new String[] {
                "  at an agent's start: install the triggers again; log every definition",
                spread(at(ddl, "agent_start_ms", "install_again"), "%.0f") + " ms; "
                        + spread(at(ddl, "agent_start_ms", "record_every_definition"), "%.0f") + " ms",
                "",
                ""
            });
        }
        if (!read.isEmpty()) {
            rows.add(new String[] {
                "one full read of every definition (" + fmt(read.get("definitions")) + " definitions, "
                        + fmt(read.get("json_bytes")) + " bytes)",
                "pg_temp.object_definitions(): " + spread(at(read, "ms"), "%.1f") + " ms",
                "",
                ""
            });
        }
        Map<String, Object> restore = at(json, "restore");
        if (!restore.isEmpty()) {
            Object made = restore.get("runs") instanceof List<?> runs
                    ? runs.stream()
                            .filter(x -> x instanceof Map<?, ?> m && "with_objects".equals(m.get("mode")))
                            .map(x -> ((Map<?, ?>) x).get("objects_made"))
                            .findFirst()
                            .orElse(null)
                    : null;
            Object restoredRows = restore.get("runs") instanceof List<?> runs
                            && !runs.isEmpty()
                            && runs.get(0) instanceof Map<?, ?> first
                    ? first.get("rows")
                    : null;
            rows.add(new String[] {
                "restore latest --jobs " + at(env, "options").get("jobs") + " (" + fmt(restoredRows) + " rows, "
                        + fmt(made) + " objects)",
                "with the objects: " + spread(at(restore, "seconds", "with_objects"), "%.2f") + " s",
                "rows, keys, indexes alone: " + spread(at(restore, "seconds", "rows_alone"), "%.2f") + " s",
                spread(at(restore, "with_over_alone_per_repeat"), "%.3f") + "x per repeat"
            });
            rows.add(new String[] {
                "  time in the object phases (check, pre, table, post, finish)",
                spread(at(restore, "object_phase_seconds"), "%.2f") + " s",
                "the rest of the same restore",
                "+" + spread(at(restore, "object_phase_percent_added"), "%.1f") + " %"
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
        s.append("PostgreSQL: ").append(env.get("postgresql_settings")).append("\n");
        s.append("database: ").append(data).append("\n");
        if (!read.isEmpty()) {
            s.append("definitions by kind: ")
                    .append(read.get("definitions_by_kind"))
                    .append("\n");
        }
        if (restore.get("runs") instanceof List<?> runs) {
            s.append("object phases, seconds, of each restore with the objects:");
            runs.stream()
                    .filter(x -> x instanceof Map<?, ?> m && "with_objects".equals(m.get("mode")))
                    .forEach(x -> s.append(" ").append(((Map<?, ?>) x).get("object_phase_seconds")));
            s.append("\n");
        }
        int warnings = 0;
        if (ddl.get("batches") instanceof List<?> batches) {
            for (Object b : batches) {
                warnings += b instanceof Map<?, ?> m && m.get("warnings") instanceof Number n ? n.intValue() : 0;
            }
        }
        s.append("DDL batches: every statement its own transaction, triggers enabled/disabled in "
                        + "alternating order; warnings from the trigger: ")
                .append(warnings)
                .append("\n");
        s.append("drains: both agents in this JVM with source.heartbeat-interval 1h; the bare engine "
                        + "with the capture-ddl off agent's connector properties;")
                .append(" a warm-up round first (not counted); order reversed every other round\n");
        return s.toString();
    }
}
