package dev.backtrack.cli;

import dev.backtrack.connectors.postgres.Lsn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** While the captured tables are idle and the rest of the cluster writes, heartbeats keep the slot moving, so WAL is not held. */
class SlotAdvanceTest {

    @Test
    void theSlotAdvancesWhileCapturedTablesAreIdle(@TempDir Path dir) throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_idle", dir)) {
            f.cluster.execute(f.database, "CREATE TABLE contacts (id int PRIMARY KEY, name text)");
            f.startAgent();
            f.awaitLogged();
            long before = slotLsn(f);
            // WAL from elsewhere: another database of the cluster, which the slot's publication never sees
            f.cluster.createDatabase("crm_idle_other");
            f.cluster.execute("crm_idle_other", "CREATE TABLE busy AS SELECT g, md5(g::text) FROM generate_series(1, 50000) g");
            long written = Lsn.parse(f.cluster.queryOne("postgres", "SELECT pg_current_wal_lsn()::text"));
            long after = before;
            for (int i = 0; i < 100 && after < written; i++) {
                Thread.sleep(100);
                after = slotLsn(f);
            }
            assertTrue(after >= written, "the slot stayed at " + Lsn.format(after) + " while the cluster wrote up to " + Lsn.format(written)
                    + " (it was at " + Lsn.format(before) + ")");
        }
    }

    private static long slotLsn(CaptureFixture f) {
        return Lsn.parse(f.cluster.queryOne("postgres", "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = 'crm_idle'"));
    }
}
