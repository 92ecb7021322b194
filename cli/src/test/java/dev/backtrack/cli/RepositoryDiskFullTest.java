package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.backtrack.repository.Repository;
import dev.backtrack.testkit.PostgresCluster;
import dev.backtrack.testkit.SmallFileSystem;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's file system fills up for 20 s while a client writes: the agent says so, stops
 * acknowledging (the slot's confirmed position stands still, so the source keeps the WAL), outlives
 * the source dropping its idle replication connection (wal_sender_timeout 5 s), and resumes by
 * itself when space returns; the log then holds every committed transaction once.
 */
class RepositoryDiskFullTest {

    @Test
    void aFullRepositoryHoldsTheSourcesPositionAndCaptureResumesWhenSpaceReturns(@TempDir Path dir) throws Exception {
        assumeTrue(SmallFileSystem.possible(), "mounting a small file system needs root (CI runs as root)");
        try (PostgresCluster source = PostgresCluster.start(Map.of("wal_sender_timeout", "5s"));
                CaptureFixture f = new CaptureFixture("crm_disk_full", dir, source);
                SmallFileSystem fs = SmallFileSystem.mount(f.repository, 64 << 20)) {
            source.execute(
                    f.database,
                    "CREATE TABLE ledger (id bigserial PRIMARY KEY, account int NOT NULL, amount numeric(12,2) "
                            + "NOT NULL, memo text)");
            f.startAgent();
            f.awaitLogged();
            AtomicBoolean running = new AtomicBoolean(true);
            Thread writer = f.startWriter(
                    running,
                    i -> "INSERT INTO ledger (account, amount, memo) VALUES (" + (i % 17)
                            + ", 3.75, repeat(md5(random()::text), 8))");
            Thread.sleep(1000);

            fs.fill();
            f.awaitSaid("repository disk full at ", 1);
            long loggedWhenFull = Repository.open(f.repository).logSummary().lastPosition();
            String confirmedWhenFull = confirmed(source, f.database);
            Thread.sleep(20_000);
            // nothing logged and nothing acknowledged while full; the status line said why
            assertEquals(
                    loggedWhenFull, Repository.open(f.repository).logSummary().lastPosition());
            assertEquals(
                    confirmedWhenFull,
                    confirmed(source, f.database),
                    "the slot moved on while nothing could be logged");
            assertTrue(f.said(", repository disk full since ") > 0, f.agentOutput.toString());
            long behind = Long.parseLong(source.queryOne(
                    f.database,
                    "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '" + confirmedWhenFull + "')::bigint::text"));

            fs.free();
            long t0 = System.nanoTime();
            f.awaitSaid("repository has space again after", 1);
            f.awaitLogged();
            double caughtUp = (System.nanoTime() - t0) / 1e9;
            running.set(false);
            writer.join();
            f.assertLatestRestoreEquals("crm_disk_full_restored", "public.ledger", "id");
            CommandLineTest.Run verify = CommandLineTest.run("verify", "--repo", f.repository.toString());
            assertEquals(0, verify.exit(), verify.out() + verify.err());
            System.out.printf(
                    Locale.ROOT,
                    "fault repository disk full for 20 s (%.1f MB of WAL held by the slot meanwhile): injected 1 time;"
                            + " caught up %.1f s after space returned; 0 lost, 0 duplicated (restore of latest "
                            + "equals the source)%n",
                    behind / 1048576.0,
                    caughtUp);
        }
    }

    private static String confirmed(PostgresCluster source, String slot) {
        return source.queryOne(
                "postgres",
                "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
    }
}
