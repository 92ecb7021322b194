package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.cli.demo.CrmSchema;
import dev.backtrack.cli.demo.CrmWorkload;
import dev.backtrack.recovery.RestoreReport;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.model.Micros;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The foundation's promise: restore to any instant equals the source at that instant, table by table. */
class RestoreToInstantTest {

    @Test
    void restoresFromEveryCheckpointKindBuiltFromTheLogWhileCapturing(@TempDir Path dir) throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_synthetic", dir)
                .withConfig("checkpoint:\n  full-interval: 4s\n  diff-interval: 2s\n  incr-interval: 1s\n")) {
            try (Connection c = f.connect()) {
                CrmSchema.create(c);
                CrmSchema.seed(c, 100, new Random(5));
            }
            f.startAgent();
            List<Noted> noted = new ArrayList<>();
            try (CrmWorkload workload = new CrmWorkload(f.url(), "postgres", 3, 21)) {
                workload.start();
                for (int i = 0; i < 3; i++) {
                    Thread.sleep(2500);
                    try (AutoCloseable hold = workload.hold()) {
                        noted.add(new Noted(f.sourceNowMicros(), f.checksums(f.database, CrmSchema.TABLES)));
                    }
                }
            }
            f.awaitLogged();
            Thread.sleep(2500);
            f.stopAgent();
            List<Manifest> checkpoints = Repository.open(f.repository).checkpoints();
            List<String> kinds =
                    checkpoints.stream().map(Manifest::kind).distinct().toList();
            assertTrue(
                    kinds.containsAll(List.of(Manifest.FULL, Manifest.DIFF, Manifest.INCR)),
                    "kinds written: " + checkpoints.stream().map(Manifest::id).toList());
            int fromDeltas = 0;
            for (int i = 0; i < noted.size(); i++) {
                long at = noted.get(i).micros();
                RestoreReport report = f.restore(Micros.format(at), "crm_synthetic_at_" + i);
                assertEquals(
                        noted.get(i).tables(),
                        f.checksums("crm_synthetic_at_" + i, CrmSchema.TABLES),
                        "restore to " + Micros.format(at) + " from " + report.chain());
                if (i > 0) {
                    assertTrue(
                            !report.checkpoint().equals(checkpoints.get(0).id()),
                            "a later instant should start from a checkpoint built from the log");
                }
                // and from the newest differential and incremental before the instant, each with the chain under it
                for (String kind : List.of(Manifest.DIFF, Manifest.INCR)) {
                    Manifest delta = checkpoints.stream()
                            .filter(m -> m.kind().equals(kind) && m.timeMicros() <= at)
                            .reduce((a, b) -> b)
                            .orElse(null);
                    if (delta != null) {
                        String db = "crm_synthetic_at_" + i + "_" + kind;
                        // incrementals load over two connections, table by table
                        RestoreReport via =
                                f.restore(Micros.format(at), db, delta.id(), kind.equals(Manifest.INCR) ? 2 : 1);
                        assertEquals(
                                noted.get(i).tables(),
                                f.checksums(db, CrmSchema.TABLES),
                                "restore to " + Micros.format(at) + " from " + via.chain());
                        assertTrue(
                                via.chain().size() >= 2
                                        && via.chain()
                                                .get(via.chain().size() - 1)
                                                .equals(delta.id()),
                                via.chain().toString());
                        fromDeltas++;
                    }
                }
            }
            assertTrue(fromDeltas >= 3, "restores through a differential or incremental: " + fromDeltas);
        }
    }

    private record Noted(long micros, Map<String, String> tables) {}

    @Test
    void restoresEveryNotedInstantOfAConcurrentCrmWorkloadRowByRow(@TempDir Path dir) throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_instants", dir)) {
            try (Connection c = f.connect()) {
                CrmSchema.create(c);
                CrmSchema.seed(c, 150, new Random(1));
            }
            Map<String, String> atStart = f.checksums(f.database, CrmSchema.TABLES);
            f.startAgent();
            List<Noted> noted = new ArrayList<>();
            try (CrmWorkload workload = new CrmWorkload(f.url(), "postgres", 4, 11)) {
                workload.start();
                for (int i = 0; i < 4; i++) {
                    Thread.sleep(1500);
                    try (AutoCloseable hold = workload.hold()) {
                        noted.add(new Noted(f.sourceNowMicros(), f.checksums(f.database, CrmSchema.TABLES)));
                    }
                }
                Thread.sleep(500);
                assertTrue(
                        workload.committed() > 100,
                        "the workload committed only " + workload.committed() + " transactions");
            }
            Map<String, String> atEnd = f.checksums(f.database, CrmSchema.TABLES);
            f.awaitLogged();
            f.stopAgent();

            for (int i = 0; i < noted.size(); i++) {
                Noted n = noted.get(i);
                RestoreReport report = f.restore(Micros.format(n.micros()), "crm_instants_at_" + i);
                assertEquals(
                        n.tables(),
                        f.checksums("crm_instants_at_" + i, CrmSchema.TABLES),
                        "restore to " + Micros.format(n.micros()) + " (" + report.transactionsApplied()
                                + " transactions replayed)");
                assertTrue(
                        i == 0 || !n.tables().equals(noted.get(i - 1).tables()),
                        "the workload changed nothing between instants " + (i - 1) + " and " + i);
            }
            assertEquals(atEnd, f.checksums(f.database, CrmSchema.TABLES));
            f.restore("latest", "crm_instants_latest");
            assertEquals(atEnd, f.checksums("crm_instants_latest", CrmSchema.TABLES), "restore to latest");
            try (Connection source = f.connect();
                    Connection restored = f.cluster.connect("crm_instants_latest")) {
                for (String table : CrmSchema.TABLES) {
                    assertEquals(
                            CrmSchema.definition(source, table),
                            CrmSchema.definition(restored, table),
                            "columns, indexes and constraints of " + table);
                }
            }
            assertTrue(!atStart.equals(atEnd));
        }
    }
}
