package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.testkit.PostgresCluster;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source restarts under a writing client, cleanly (fast shutdown) and as after a crash (immediate
 * shutdown, recovered from its WAL): the agent reconnects by itself and the log ends up holding every
 * committed transaction once — a restore of latest equals the source's own table, row for row.
 */
class SourceRestartTest {

    @Test
    void theAgentReconnectsAfterFastAndImmediateRestartsAndLosesNothing(@TempDir Path dir) throws Exception {
        try (PostgresCluster source = PostgresCluster.start(Map.of());
                CaptureFixture f = new CaptureFixture("crm_source_restart", dir, source)) {
            source.execute(
                    f.database,
                    "CREATE TABLE ledger (id bigserial PRIMARY KEY, account int NOT NULL, amount numeric(12,2) "
                            + "NOT NULL)");
            f.startAgent();
            f.awaitLogged();
            f.awaitSaid("streaming changes from the source", 1);
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong committed = new AtomicLong();
            Thread writer = new Thread(
                    () -> {
                        while (running.get()) {
                            try (Connection c = f.connect();
                                    Statement st = c.createStatement()) {
                                while (running.get()) {
                                    st.execute("INSERT INTO ledger (account, amount) VALUES (" + (committed.get() % 17)
                                            + ", 1.25)");
                                    committed.incrementAndGet();
                                    Thread.sleep(2);
                                }
                            } catch (InterruptedException e) {
                                return;
                            } catch (SQLException down) {
                                // the source is restarting: connect again (a commit cut off here is judged by the
                                // source's own table)
                                sleep(100);
                            }
                        }
                    },
                    "ledger-writer");
            writer.start();
            StringBuilder faults = new StringBuilder();
            int restarts = 0;
            for (String mode : List.of("fast", "immediate")) {
                Thread.sleep(1500);
                long before = committed.get();
                source.restart(mode);
                long t0 = System.nanoTime();
                // the agent says it is back, and is once a transaction committed after the restart is in the log
                f.awaitSaid("source connection back after", ++restarts);
                f.awaitLogged();
                faults.append(String.format(
                        Locale.ROOT,
                        "fault source restart (%s shutdown): injected 1 time; caught up %.1f s after the "
                                + "server was back;"
                                + " %d inserts before it%n",
                        mode,
                        (System.nanoTime() - t0) / 1e9,
                        before));
            }
            Thread.sleep(1000);
            running.set(false);
            writer.join();
            long rows = Long.parseLong(source.queryOne(f.database, "SELECT count(*)::text FROM ledger"));
            assertTrue(rows > 100, "the writer committed only " + rows + " rows");
            f.assertLatestRestoreEquals("crm_source_restart_restored", "public.ledger", "id");
            System.out.print(faults);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
