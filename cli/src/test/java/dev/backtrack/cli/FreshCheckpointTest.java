package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.recovery.RestoreReport;
import dev.backtrack.repository.model.Micros;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fresh full read from the source while writers and the agent run is exactly consistent with the log that follows it.
 */
class FreshCheckpointTest {
    private static final List<String> TABLES = List.of("public.accounts", "public.ledger");

    @Test
    void aFreshCheckpointTakenUnderLoadRestoresExactly(@TempDir Path dir) throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_fresh", dir)) {
            try (Statement st = f.connect().createStatement()) {
                st.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance numeric(12,2) NOT NULL, tags "
                        + "text[], since date, seen timestamp)");
                st.execute("CREATE TABLE ledger (n bigserial PRIMARY KEY, account int NOT NULL, amount "
                        + "numeric(12,2), at timestamptz DEFAULT clock_timestamp())");
                st.execute("INSERT INTO accounts SELECT g, 0, ARRAY['a', NULL, 'b c'], DATE '2026-01-01' + g, "
                        + "TIMESTAMP '2026-01-01 10:00:00.123456' + g * interval '1 hour' FROM "
                        + "generate_series(1, 50) g");
            }
            f.startAgent();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Object gate = new Object();
            Thread writer = new Thread(
                    () -> {
                        try (Connection c = f.connect();
                                Statement st = c.createStatement()) {
                            c.setAutoCommit(false);
                            for (int i = 0; running.get(); i++) {
                                synchronized (gate) {
                                    int account = 1 + i % 50;
                                    st.executeUpdate("INSERT INTO ledger (account, amount) VALUES (" + account + ", "
                                            + (i % 7 - 3) + ")");
                                    st.executeUpdate("UPDATE accounts SET balance = balance + " + (i % 7 - 3)
                                            + " WHERE id = " + account);
                                    c.commit();
                                }
                            }
                        } catch (Throwable e) {
                            failure.set(e);
                        }
                    },
                    "fresh-writer");
            writer.start();
            Thread.sleep(500);
            CommandLineTest.Run r =
                    CommandLineTest.run("checkpoint", "--config", f.config.toString(), "--kind", "fresh", "--json");
            assertEquals(0, r.exit(), r.err());
            JsonNode j = new ObjectMapper().readTree(r.out());
            String freshId = j.get("id").asText();
            assertTrue(freshId.endsWith("-fresh"), r.out());
            Thread.sleep(500);
            long t;
            String atT;
            synchronized (gate) {
                t = f.sourceNowMicros();
                atT = f.checksums(f.database, TABLES).toString();
            }
            Thread.sleep(300);
            running.set(false);
            writer.join();
            if (failure.get() != null) {
                throw new AssertionError("writer failed", failure.get());
            }
            f.awaitLogged();
            f.stopAgent();
            RestoreReport report = f.restore(Micros.format(t), "crm_fresh_at_t");
            assertEquals(freshId, report.checkpoint(), "the restore to T starts from the fresh checkpoint");
            assertEquals(atT, f.checksums("crm_fresh_at_t", TABLES).toString());
            String latest = f.checksums(f.database, TABLES).toString();
            f.restore("latest", "crm_fresh_latest");
            assertEquals(latest, f.checksums("crm_fresh_latest", TABLES).toString());
        }
    }
}
