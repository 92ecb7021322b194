package dev.backtrack.bench;

import static dev.backtrack.bench.Figures.round;
import static dev.backtrack.bench.Harness.step;

import dev.backtrack.connectors.postgres.DdlCapture;
import dev.backtrack.connectors.postgres.PostgresCatalog;
import dev.backtrack.connectors.postgres.PostgresObjects;
import dev.backtrack.repository.objects.ObjectDefinition;
import dev.backtrack.repository.objects.ObjectSet;
import dev.backtrack.testkit.PostgresCluster;
import java.sql.Connection;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What following object definitions costs the source: DDL statements timed through JDBC with
 * Backtrack's event triggers enabled and disabled ({@code ALTER EVENT TRIGGER ... DISABLE}, which
 * PostgreSQL treats as no trigger at all), in alternating order; the trigger's own comparison of
 * every definition when nothing changed; and one full read of every definition, as an agent without
 * the triggers makes each heartbeat interval. Not thread-safe.
 */
final class DdlTimings {
    private static final List<String> TRIGGERS = List.of("backtrack_ddl", "backtrack_drop", "backtrack_rewrite");

    private DdlTimings() {}

    /**
     * Installs the event triggers in {@code db} as an agent with {@code source.capture-ddl: on} does,
     * then runs {@code repeats} rounds of a batch of {@code statements} DDL statements with them and
     * one without (which first is alternated), every statement in its own transaction.
     */
    static Map<String, Object> statements(
            PostgresCluster pg, String db, ManyObjects.Size size, int statements, int repeats) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        try (PostgresCatalog catalog = PostgresCatalog.connect(pg.jdbcUrl(db), "postgres", "")) {
            DdlCapture.install(catalog, "backtrack", List.of(), List.of());
            DdlCapture.recordAllObjects(catalog);
            // what an agent with the triggers does at each start: install them again (its statements are DDL too), log
            // every definition
            List<Double> install = new ArrayList<>(), record = new ArrayList<>();
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                DdlCapture.install(catalog, "backtrack", List.of(), List.of());
                install.add((System.nanoTime() - t0) / 1e6);
                t0 = System.nanoTime();
                DdlCapture.recordAllObjects(catalog);
                record.add((System.nanoTime() - t0) / 1e6);
            }
            m.put(
                    "agent_start_ms",
                    Map.of(
                            "install_again",
                            Harness.spread(install, 1),
                            "record_every_definition",
                            Harness.spread(record, 1)));
            step("  at an agent's start: installing the triggers again " + Harness.spread(install, 1)
                    + " ms, logging every definition " + Harness.spread(record, 1) + " ms");
        }
        List<Map<String, Object>> batches = new ArrayList<>();
        Map<String, List<Double>> perStatement =
                new LinkedHashMap<>(Map.of("with_triggers", new ArrayList<>(), "without_triggers", new ArrayList<>()));
        Map<String, Map<String, List<Double>>> perKind = new LinkedHashMap<>();
        List<Double> compare = new ArrayList<>();
        int version = 1;
        try (Connection c = pg.connect(db);
                Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            for (int r = 0; r < repeats; r++) {
                for (boolean with : r % 2 == 0 ? new boolean[] {true, false} : new boolean[] {false, true}) {
                    String mode = with ? "with_triggers" : "without_triggers";
                    for (String t : TRIGGERS) {
                        st.execute("ALTER EVENT TRIGGER " + t + (with ? " ENABLE" : " DISABLE"));
                    }
                    if (with) {
                        // what the batch without them changed, recorded now (as the next DDL would) so this batch logs
                        // its own changes only
                        st.execute("SELECT backtrack.record_objects(false)");
                        // the trigger's comparison of every definition with what it recorded, when nothing changed
                        long t0 = System.nanoTime();
                        st.execute("SELECT backtrack.record_objects(false)");
                        compare.add((System.nanoTime() - t0) / 1e6);
                    }
                    Map<String, Object> b = batch(st, size, statements, ++version);
                    b.put("repeat", r + 1);
                    b.put("mode", mode);
                    batches.add(b);
                    perStatement.get(mode).add((Double) b.get("ms_per_statement"));
                    @SuppressWarnings("unchecked")
                    Map<String, Double> kinds = (Map<String, Double>) b.get("ms_per_statement_by_kind");
                    kinds.forEach((k, v) -> perKind.computeIfAbsent(k, x -> new LinkedHashMap<>())
                            .computeIfAbsent(mode, x -> new ArrayList<>())
                            .add(v));
                    step(String.format(
                            Locale.ROOT,
                            "  repeat %d, %s: %d statements in %.2f s, %.2f ms each%s",
                            r + 1,
                            mode.replace('_', ' '),
                            statements,
                            (Double) b.get("seconds"),
                            (Double) b.get("ms_per_statement"),
                            (Integer) b.get("warnings") > 0 ? "; WARNINGS: " + b.get("first_warning") : ""));
                }
            }
            for (String t : TRIGGERS) {
                st.execute("ALTER EVENT TRIGGER " + t + " ENABLE");
            }
        }
        m.put("statements_per_batch", statements);
        m.put(
                "ms_per_statement",
                Map.of(
                        "with_triggers",
                        Harness.spread(perStatement.get("with_triggers"), 3),
                        "without_triggers",
                        Harness.spread(perStatement.get("without_triggers"), 3)));
        Map<String, Object> kinds = new LinkedHashMap<>();
        perKind.forEach((k, modes) -> {
            Map<String, Object> x = new LinkedHashMap<>();
            modes.forEach((mode, v) -> x.put(mode, Harness.spread(v, 3)));
            kinds.put(k, x);
        });
        m.put("ms_per_statement_by_kind", kinds);
        m.put("record_objects_unchanged_ms", Harness.spread(compare, 2));
        m.put("batches", batches);
        return m;
    }

    /** One batch: each statement timed on its own; the mean per statement, overall and by kind. */
    private static Map<String, Object> batch(Statement st, ManyObjects.Size size, int statements, int version)
            throws Exception {
        Map<String, List<Double>> byKind = new LinkedHashMap<>();
        int warnings = 0;
        String firstWarning = null;
        long begun = System.nanoTime();
        for (int n = 0; n < statements; n++) {
            ManyObjects.Ddl d = ManyObjects.ddl(size, n, version);
            st.clearWarnings();
            long t0 = System.nanoTime();
            st.execute(d.sql());
            double ms = (System.nanoTime() - t0) / 1e6;
            // the trigger never fails a DDL: it warns instead, and then did less than its work
            SQLWarning w = st.getWarnings();
            if (w != null) {
                warnings++;
                firstWarning = firstWarning == null ? w.getMessage() : firstWarning;
            }
            byKind.computeIfAbsent(d.kind(), k -> new ArrayList<>()).add(ms);
        }
        double seconds = (System.nanoTime() - begun) / 1e9;
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("version", version);
        b.put("seconds", round(seconds, 3));
        b.put("ms_per_statement", round(seconds * 1e3 / statements, 3));
        Map<String, Double> kinds = new LinkedHashMap<>();
        byKind.forEach((k, v) -> kinds.put(
                k, round(v.stream().mapToDouble(Double::doubleValue).average().orElse(0), 3)));
        b.put("ms_per_statement_by_kind", kinds);
        b.put("warnings", warnings);
        b.put("first_warning", firstWarning);
        return b;
    }

    /**
     * One full read of every object definition of {@code db} ({@code pg_temp.object_definitions()},
     * through {@link PostgresObjects}), {@code repeats} times after one read not timed; with the
     * number of definitions by kind.
     */
    static Map<String, Object> definitionsRead(PostgresCluster pg, String db, int repeats) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        try (Connection c = pg.connect(db)) {
            long t0 = System.nanoTime();
            PostgresObjects.install(c, List.of(), List.of());
            m.put("install_ms", round((System.nanoTime() - t0) / 1e6, 1));
            ObjectSet set = PostgresObjects.read(c);
            List<Double> ms = new ArrayList<>();
            for (int r = 0; r < repeats; r++) {
                t0 = System.nanoTime();
                set = PostgresObjects.read(c);
                ms.add((System.nanoTime() - t0) / 1e6);
            }
            Map<String, Integer> kinds = new TreeMap<>();
            long bytes = 0;
            for (ObjectDefinition d : set.all()) {
                kinds.merge(d.kind(), 1, Integer::sum);
                bytes += ObjectSet.toJson(d).length;
            }
            m.put("definitions", set.size());
            m.put("definitions_by_kind", kinds);
            m.put("json_bytes", bytes);
            m.put("ms", Harness.spread(ms, 1));
        }
        return m;
    }
}
