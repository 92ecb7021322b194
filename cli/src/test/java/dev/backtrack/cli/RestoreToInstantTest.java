package dev.backtrack.cli;

import dev.backtrack.cli.demo.CrmSchema;
import dev.backtrack.cli.demo.CrmWorkload;
import dev.backtrack.recovery.RestoreReport;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.checkpoint.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The foundation's promise: restore to any instant equals the source at that instant, table by table. */
class RestoreToInstantTest {

    @Test
    void restoresFromSyntheticCheckpointsBuiltFromTheLogWhileCapturing(@TempDir Path dir) throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_synthetic", dir).withConfig("checkpoint:\n  interval: 1s\n")) {
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
            assertTrue(checkpoints.size() >= 3, "expected synthetic checkpoints besides checkpoint 0, got " + checkpoints.size());
            for (int i = 0; i < noted.size(); i++) {
                RestoreReport report = f.restore(Micros.format(noted.get(i).micros()), "crm_synthetic_at_" + i);
                assertEquals(noted.get(i).tables(), f.checksums("crm_synthetic_at_" + i, CrmSchema.TABLES),
                        "restore to " + Micros.format(noted.get(i).micros()) + " from checkpoint " + report.checkpoint());
                if (i > 0) {
                    assertTrue(!report.checkpoint().equals(checkpoints.get(0).id()), "a later instant should start from a synthetic checkpoint");
                }
            }
        }
    }

    private record Noted(long micros, Map<String, String> tables) {
    }

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
                assertTrue(workload.committed() > 100, "the workload committed only " + workload.committed() + " transactions");
            }
            Map<String, String> atEnd = f.checksums(f.database, CrmSchema.TABLES);
            f.awaitLogged();
            f.stopAgent();

            for (int i = 0; i < noted.size(); i++) {
                Noted n = noted.get(i);
                RestoreReport report = f.restore(Micros.format(n.micros()), "crm_instants_at_" + i);
                assertEquals(n.tables(), f.checksums("crm_instants_at_" + i, CrmSchema.TABLES),
                        "restore to " + Micros.format(n.micros()) + " (" + report.transactionsApplied() + " transactions replayed)");
                assertTrue(i == 0 || !n.tables().equals(noted.get(i - 1).tables()), "the workload changed nothing between instants " + (i - 1) + " and " + i);
            }
            assertEquals(atEnd, f.checksums(f.database, CrmSchema.TABLES));
            f.restore("latest", "crm_instants_latest");
            assertEquals(atEnd, f.checksums("crm_instants_latest", CrmSchema.TABLES), "restore to latest");
            try (Connection source = f.connect(); Connection restored = f.cluster.connect("crm_instants_latest")) {
                for (String table : CrmSchema.TABLES) {
                    assertEquals(CrmSchema.definition(source, table), CrmSchema.definition(restored, table), "columns, indexes and constraints of " + table);
                }
            }
            assertTrue(!atStart.equals(atEnd));
        }
    }
}
