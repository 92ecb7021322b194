package dev.backtrack.cli;

import dev.backtrack.cli.demo.CrmSchema;
import dev.backtrack.cli.demo.CrmWorkload;
import dev.backtrack.recovery.RestoreReport;
import dev.backtrack.repository.model.Micros;
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
            assertTrue(!atStart.equals(atEnd));
        }
    }
}
