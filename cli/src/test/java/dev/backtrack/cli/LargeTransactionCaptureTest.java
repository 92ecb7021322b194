package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.redolog.LogCursor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions of a million rows, and of more row bytes than the heap, pass through capture and restore with 256 MiB
 * heaps.
 */
class LargeTransactionCaptureTest {
    private static final String TABLE = "public.contacts";

    @Test
    void aMillionRowImportAndAnUpdateLargerThanTheHeapPassThroughAnAgentWith256MiB(@TempDir Path dir) throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_large", dir)) {
            try (Connection c = f.connect();
                    var st = c.createStatement()) {
                st.execute("CREATE TABLE contacts (id bigint PRIMARY KEY, name text NOT NULL, notes text)");
                st.execute("INSERT INTO contacts SELECT g, 'contact ' || g, NULL FROM generate_series(1, 10) g");
            }
            AgentProcess agent = AgentProcess.start(f.config, dir.resolve("agent.log"), "-Xmx256m");
            agent.awaitCheckpoint(f.repository);
            CaptureFixture.Committed bulk;
            CaptureFixture.Committed wide;
            try (Connection c = f.connect()) {
                // the bad import: one transaction, a million rows
                bulk = CaptureFixture.commit(
                        c, "INSERT INTO contacts SELECT g, 'imported ' || g, NULL FROM generate_series(11, 1000010) g");
                // 320 rows of 1 MiB each in one transaction: 320 MiB of row images through a 256 MiB heap
                wide = CaptureFixture.commit(
                        c, "UPDATE contacts SET notes = repeat(md5(id::text), 32768) WHERE id <= 320");
                CaptureFixture.commit(c, "DELETE FROM contacts WHERE id % 100000 = 7");
            }
            agent.awaitLogged(f, 300);
            assertEquals(0, agent.terminate(), "agent exit code after SIGTERM:\n" + agent.output());
            assertFalse(agent.output().contains("OutOfMemoryError"), agent.output());

            Map<String, Integer> parts = new HashMap<>();
            try (LogCursor cursor = Repository.open(f.repository).readLog(1)) {
                while (cursor.hasNext()) {
                    Transaction tx = cursor.next();
                    parts.merge(tx.txId(), 1, Integer::sum);
                }
            }
            assertTrue(
                    parts.getOrDefault(bulk.xid(), 0) > 1,
                    "the million-row transaction is logged in parts: " + parts.get(bulk.xid()));
            assertTrue(
                    parts.getOrDefault(wide.xid(), 0) > 1,
                    "the 320 MiB transaction is logged in parts: " + parts.get(wide.xid()));

            // the restore runs with the same small heap: its fold spills to disk
            f.cluster.createDatabase("crm_large_restored");
            Path restoreLog = dir.resolve("restore.log");
            int exit = AgentProcess.run(
                    restoreLog,
                    "-Xmx256m",
                    "restore",
                    "--repo",
                    f.repository.toString(),
                    "--to",
                    "latest",
                    "--target-url",
                    f.cluster.jdbcUrl("crm_large_restored"),
                    "--target-user",
                    "postgres");
            assertEquals(0, exit, "restore exit code:\n" + Files.readString(restoreLog));
            assertEquals(digest(f, f.database), digest(f, "crm_large_restored"), "restore to latest vs source");
            f.restore("xid:" + bulk.xid(), "crm_large_at_import");
            assertEquals(
                    "1000010:0",
                    f.cluster.queryOne("crm_large_at_import", "SELECT count(*) || ':' || count(notes) FROM contacts"));
        }
    }

    /** Row count and an md5 over per-row md5s in key order: a whole-table string of 320 MiB would be slow to hash. */
    private static String digest(CaptureFixture f, String db) {
        return f.cluster.queryOne(
                db, "SELECT count(*) || ':' || md5(string_agg(md5(t::text), '' ORDER BY id)) FROM " + TABLE + " t");
    }
}
