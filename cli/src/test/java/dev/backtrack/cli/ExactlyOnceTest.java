package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the agent at random moments (mid-snapshot, mid-checkpoint, mid-batch) loses and duplicates no committed
 * transaction.
 */
class ExactlyOnceTest {
    private static final List<String> TABLES = List.of("public.ledger", "public.balances");

    @Test
    void killDashNineAtRandomMomentsLosesAndDuplicatesNoTransaction(@TempDir Path dir) throws Exception {
        Random random = new Random(2026);
        try (CaptureFixture f = new CaptureFixture("crm_kill9", dir)) {
            // a checkpoint of some kind every second or so, so kills also land while one is being written
            f.withConfig("checkpoint:\n  full-interval: 3s\n  diff-interval: 2s\n  incr-interval: 1s\n");
            try (Connection c = f.connect();
                    Statement st = c.createStatement()) {
                st.execute("CREATE TABLE ledger (n bigserial PRIMARY KEY, account int NOT NULL, amount "
                        + "numeric(12,2) NOT NULL, at timestamptz DEFAULT clock_timestamp())");
                st.execute("CREATE TABLE balances (account int PRIMARY KEY, balance numeric(14,2) NOT NULL)");
                st.execute("INSERT INTO balances SELECT g, 0 FROM generate_series(1, 50) g");
                st.execute(
                        "INSERT INTO ledger (account, amount) SELECT 1 + g % 50, 1 FROM generate_series(1, 20000) g");
            }
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong committed = new AtomicLong();
            AtomicReference<Throwable> writerFailure = new AtomicReference<>();
            Thread[] writers = new Thread[3];
            for (int w = 0; w < writers.length; w++) {
                int seed = w;
                writers[w] = new Thread(
                        () -> LedgerClient.run(f, running, committed, writerFailure, new Random(seed), null),
                        "ledger-writer-" + w);
            }
            AgentProcess agent = AgentProcess.start(f.config, dir.resolve("agent-0.log"));
            // the first kill lands during or right after the first snapshot
            Thread.sleep(1500 + random.nextInt(1500));
            agent.kill();
            int kills = 1;
            // 20 kills by default (-Dbacktrack.kills=N for more or fewer)
            int wanted = Integer.getInteger("backtrack.kills", 20);
            for (int i = 1; i < wanted; i++) {
                agent = AgentProcess.start(f.config, dir.resolve("agent-" + i + ".log"));
                if (i == 1) {
                    // writers start once checkpoint 0 exists, so each of their transactions belongs in the log
                    agent.awaitCheckpoint(f.repository);
                    for (Thread t : writers) {
                        t.start();
                    }
                }
                // past the JVM's start (about a second), then anywhere in capture, a batch or a checkpoint
                Thread.sleep(1200 + random.nextInt(2500));
                agent.kill();
                kills++;
            }
            running.set(false);
            for (Thread t : writers) {
                t.join();
            }
            if (writerFailure.get() != null) {
                throw new AssertionError("a ledger writer failed", writerFailure.get());
            }
            long restarted = System.nanoTime();
            agent = AgentProcess.start(f.config, dir.resolve("agent-last.log"));
            agent.awaitLogged(f, 120);
            double recoverySeconds = (System.nanoTime() - restarted) / 1e9;
            assertEquals(0, agent.terminate(), "agent exit code after SIGTERM:\n" + agent.output());

            long txs = LedgerClient.rowTransactionsLoggedOnce(f.repository);
            assertTrue(committed.get() > 200, "writers committed only " + committed.get());
            f.restore("latest", "crm_kill9_restored");
            assertEquals(
                    f.checksums(f.database, TABLES),
                    f.checksums("crm_kill9_restored", TABLES),
                    () -> "restore to latest vs source; ledger rows differing: "
                            + f.differingRows(f.database, "crm_kill9_restored", "public.ledger") + "\nagent outputs in "
                            + dir);
            long probes = Long.parseLong(f.cluster.queryOne(f.database, "SELECT count(*) FROM backtrack_probe"));
            // every ledger transaction plus the fixture's probes is logged exactly once
            assertEquals(
                    committed.get() + probes,
                    txs,
                    "logged transactions vs committed ledger transactions + " + probes + " probes, after " + kills
                            + " kills");
            System.out.printf(
                    Locale.ROOT,
                    "fault kill -9 of the agent: injected %d times; %d ledger transactions committed, lost 0, "
                            + "duplicated 0;"
                            + " the last restart had the log complete in %.1f s%n",
                    kills,
                    committed.get(),
                    recoverySeconds);
        }
    }
}
