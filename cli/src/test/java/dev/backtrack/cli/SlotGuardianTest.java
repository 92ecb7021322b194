package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.position.Lsn;
import dev.backtrack.repository.redolog.LogCursor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The slot guardian: while the captured tables are idle and another database of the cluster writes,
 * the agent's heartbeat moves its slot past that WAL (logical decoding of another database sends the
 * slot nothing to confirm), so the source can recycle it; the heartbeat is an ordinary logged
 * transaction and restores are unaffected.
 */
class SlotGuardianTest {

    @Test
    void heartbeatsMoveTheSlotPastWalOtherDatabasesWriteWhileCapturedTablesAreIdle(@TempDir Path dir) throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_slot_guard", dir)) {
            f.cluster.execute(
                    f.database,
                    "CREATE TABLE contacts (id int PRIMARY KEY, name text)",
                    "INSERT INTO contacts VALUES (1, 'Ada'), (2, 'Bruno')");
            f.startAgent();
            f.awaitLogged();
            // the ticker's first messages (sequence definitions, the probe's sequence) come within a tick or two: let
            // them pass,
            // so that from here on only a heartbeat can move the slot
            Thread.sleep(3000);
            f.cluster.dropDatabase("crm_slot_guard_other");
            f.cluster.createDatabase("crm_slot_guard_other");
            // ~30 MB of WAL the slot would otherwise hold: nothing in it is for the captured database
            f.cluster.execute(
                    "crm_slot_guard_other",
                    "CREATE TABLE busy AS SELECT g, md5(g::text) AS h FROM generate_series(1, 300000) g");
            long written = Lsn.parse(f.cluster.queryOne("postgres", "SELECT pg_current_wal_lsn()::text"));
            long confirmed = 0;
            for (int i = 0; i < 300 && confirmed < written; i++) {
                Thread.sleep(100);
                confirmed = Lsn.parse(f.cluster.queryOne(
                        "postgres",
                        "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = "
                                + "'crm_slot_guard'"));
            }
            assertTrue(
                    confirmed >= written,
                    "the slot stayed at " + Lsn.format(confirmed) + " behind the other database's WAL up to "
                            + Lsn.format(written) + "; the agent said:\n" + f.agentOutput);
            assertTrue(heartbeats(f) > 0, "the slot moved, but not by a logged heartbeat");
            f.assertLatestRestoreEquals("crm_slot_guard_restored", "public.contacts", "id");
        }
    }

    private static int heartbeats(CaptureFixture f) {
        int n = 0;
        try (LogCursor c = Repository.open(f.repository).readLog(1)) {
            while (c.hasNext()) {
                for (RowChange ch : c.next().changes()) {
                    if (ch.op() == Op.MESSAGE && "backtrack.heartbeat".equals(ch.after()[0])) {
                        n++;
                    }
                }
            }
        }
        return n;
    }
}
