package dev.backtrack.bench;

import static dev.backtrack.bench.Figures.fmt;
import static dev.backtrack.bench.Harness.step;

import dev.backtrack.connectors.postgres.PostgresTarget;
import dev.backtrack.recovery.RestoreTarget;
import dev.backtrack.repository.Repository;
import dev.backtrack.testkit.PostgresCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What making the object definitions adds to a restore: restore latest of one repository with the
 * objects and with none of them ({@link ObjectPhaseTarget}), alternating which goes first, each into
 * a new database of the same cluster (dropped after), and the time the restore spent in the object
 * phases, which run on its critical path (before the parallel load and after it). Not thread-safe.
 */
final class ObjectRestoreTimings {
    private ObjectRestoreTimings() {}

    static Map<String, Object> measure(PostgresCluster pg, Path repo, int repeats, int jobs) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Map<String, Object>> runs = new ArrayList<>();
        Map<String, List<Double>> seconds =
                new LinkedHashMap<>(Map.of("with_objects", new ArrayList<>(), "rows_alone", new ArrayList<>()));
        List<Double> objectSeconds = new ArrayList<>(), share = new ArrayList<>(), adds = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            for (boolean with : r % 2 == 0 ? new boolean[] {true, false} : new boolean[] {false, true}) {
                String mode = with ? "with_objects" : "rows_alone";
                String db = "restored_" + mode + "_" + r;
                pg.execute("postgres", "CHECKPOINT");
                pg.createDatabase(db);
                ObjectPhaseTarget[] target = new ObjectPhaseTarget[1];
                Harness.Restored restored = Harness.timedRestore(
                        Repository.open(repo),
                        RestoreTarget.parse("latest", null),
                        () -> target[0] =
                                new ObjectPhaseTarget(PostgresTarget.connect(pg.jdbcUrl(db), "postgres", ""), with),
                        jobs);
                Map<String, Object> f = new LinkedHashMap<>(restored.figures());
                f.put("mode", mode);
                f.put(
                        "objects_made",
                        restored.report().objects().values().stream()
                                .mapToInt(Integer::intValue)
                                .sum());
                f.put("object_phase_seconds", target[0].seconds());
                f.put("notes", restored.report().notes().size());
                runs.add(f);
                double total = ((Number) f.get("seconds")).doubleValue();
                seconds.get(mode).add(total);
                if (with) {
                    double inObjects = target[0].seconds().get("total");
                    objectSeconds.add(inObjects);
                    share.add(100 * inObjects / total);
                    adds.add(100 * inObjects / (total - inObjects));
                }
                step("  " + mode.replace('_', ' ') + " (" + (r + 1) + "/" + repeats + "): " + f.get("seconds") + " s, "
                        + fmt(f.get("rows")) + " rows, " + f.get("objects_made") + " objects made; object phases "
                        + target[0].seconds());
                pg.dropDatabase(db);
            }
        }
        m.put(
                "seconds",
                Map.of(
                        "with_objects",
                        Harness.spread(seconds.get("with_objects"), 2),
                        "rows_alone",
                        Harness.spread(seconds.get("rows_alone"), 2)));
        m.put("object_phase_seconds", Harness.spread(objectSeconds, 2));
        m.put("object_phase_percent_of_restore", Harness.spread(share, 1));
        // the phases are serial: what they add to the rest of the same restore
        m.put("object_phase_percent_added", Harness.spread(adds, 1));
        List<Double> ratio = new ArrayList<>();
        for (int i = 0; i < seconds.get("with_objects").size(); i++) {
            ratio.add(seconds.get("with_objects").get(i)
                    / seconds.get("rows_alone").get(i));
        }
        m.put("with_over_alone_per_repeat", Harness.spread(ratio, 3));
        m.put("runs", runs);
        return m;
    }
}
