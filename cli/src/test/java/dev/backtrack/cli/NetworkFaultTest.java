package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.testkit.TcpProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent reaches its source through a TCP proxy the test controls: every connection is cut three
 * times, then refused for 20 s, then delayed while a client writes; the agent reports each loss and
 * return, reconnects, and the log holds every committed transaction once — a restore of latest
 * equals the source's own table.
 */
class NetworkFaultTest {

    @Test
    void cutAndDelayedConnectionsLoseAndDuplicateNothing(@TempDir Path dir) throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_network_fault", dir);
                TcpProxy proxy = TcpProxy.to(f.cluster.port())) {
            f.cluster.execute(
                    f.database,
                    "CREATE TABLE ledger (id bigserial PRIMARY KEY, account int NOT NULL, amount numeric(12,2) "
                            + "NOT NULL)");
            // the agent (its catalog, the replication stream, the ticker) goes through the proxy; the test's own client
            // does not
            Files.writeString(
                    f.config,
                    Files.readString(f.config).replace(":" + f.cluster.port() + "/", ":" + proxy.port() + "/"));
            f.startAgent();
            f.awaitLogged();
            f.awaitSaid("streaming changes from the source", 1);
            AtomicBoolean running = new AtomicBoolean(true);
            Thread writer =
                    f.startWriter(running, i -> "INSERT INTO ledger (account, amount) VALUES (" + (i % 17) + ", 2.50)");
            StringBuilder faults = new StringBuilder();
            for (int cut = 1; cut <= 3; cut++) {
                Thread.sleep(1500);
                proxy.cut();
                long t0 = System.nanoTime();
                f.awaitSaid("source connection back after", cut);
                f.awaitLogged();
                faults.append(String.format(
                        Locale.ROOT,
                        "fault connection cut %d of 3: caught up %.1f s later%n",
                        cut,
                        (System.nanoTime() - t0) / 1e9));
            }
            proxy.refuse(true);
            long outage = System.nanoTime();
            Thread.sleep(20_000);
            proxy.refuse(false);
            f.awaitSaid("source connection back after", 4);
            f.awaitLogged();
            faults.append(String.format(
                    Locale.ROOT,
                    "fault source unreachable for 20 s: caught up %.1f s after it was back%n",
                    (System.nanoTime() - outage) / 1e9 - 20));
            proxy.delay(100);
            long t0 = System.nanoTime();
            Thread.sleep(3000);
            f.awaitLogged();
            faults.append(String.format(
                    Locale.ROOT,
                    "fault 100 ms added to every chunk for %.1f s: the log kept up%n",
                    (System.nanoTime() - t0) / 1e9));
            proxy.delay(0);
            running.set(false);
            writer.join();
            long rows = Long.parseLong(f.cluster.queryOne(f.database, "SELECT count(*)::text FROM ledger"));
            assertTrue(rows > 500, "the writer committed only " + rows + " rows");
            f.assertLatestRestoreEquals("crm_network_fault_restored", "public.ledger", "id");
            // the agent said so itself, each time, and while the source was unreachable its status line did too
            assertEquals(4, f.said("source connection lost: nothing is acknowledged"), f.agentOutput.toString());
            assertEquals(4, f.said("source connection back after"), f.agentOutput.toString());
            assertTrue(f.said(", source disconnected since ") > 0, f.agentOutput.toString());
            System.out.print(faults);
        }
    }
}
