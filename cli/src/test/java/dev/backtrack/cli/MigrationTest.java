package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live migration from MariaDB to PostgreSQL: {@code migrate --follow} follows a running workload,
 * is killed with SIGKILL twice and resumed, and {@code migrate cutover} validates every table against
 * the source. A tampered target row makes cutover refuse (exit 7) and name the key.
 */
class MigrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void followsKillsResumesAndCutsOverIntoPostgres(@TempDir Path dir) throws Exception {
        try (MariaDbSource source = new MariaDbSource("crm_mig", dir, 5412)) {
            source.execute(
                    "CREATE TABLE accounts (id bigint unsigned AUTO_INCREMENT PRIMARY KEY, name varchar(120) "
                            + "CHARACTER SET utf8mb4 NOT NULL, balance decimal(14,2) NOT NULL DEFAULT 0)",
                    "CREATE TABLE contacts (id bigint unsigned AUTO_INCREMENT PRIMARY KEY, account_id bigint "
                            + "unsigned NOT NULL, email varchar(200) NOT NULL,"
                            + " active tinyint(1) NOT NULL DEFAULT 1, seen_at timestamp(6) NULL, meta json, note text,"
                            + " CONSTRAINT fk_acc FOREIGN KEY (account_id) REFERENCES accounts (id))",
                    "CREATE TABLE events (at datetime(6) NOT NULL, kind varchar(20), payload blob)",
                    "INSERT INTO accounts (name, balance) VALUES ('Acme', 10.00), ('Globex', 0.50)",
                    "INSERT INTO contacts (account_id, email, seen_at, meta) VALUES (1, 'a@acme.test', "
                            + "'2026-01-01 00:00:00.000001', '{\"k\": 1}')");
            source.startAgent();

            PostgresCluster pg = PostgresCluster.shared();
            pg.createDatabase("crm_mig_pg");
            String target = pg.jdbcUrl("crm_mig_pg");
            String[] migrate = {
                "migrate",
                "--repo",
                source.repository.toString(),
                "--target-url",
                target,
                "--target-user",
                "postgres",
                "--follow",
                "--json",
                "--poll",
                "100"
            };

            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong committed = new AtomicLong();
            AtomicReference<Throwable> writerFailure = new AtomicReference<>();
            Thread writer = new Thread(() -> workload(source, writing, committed, writerFailure), "crm-writer");
            writer.start();

            Random random = new Random(42);
            List<Double> lags = new ArrayList<>();
            for (int run = 0; run < 3; run++) {
                Path log = dir.resolve("migrate-" + run + ".log");
                AgentProcess m = AgentProcess.startCommand(log, migrate);
                Thread.sleep(3000 + random.nextInt(2000));
                if (run < 2) {
                    m.kill();
                } else {
                    writing.set(false);
                    writer.join(30_000);
                    source.awaitLogged();
                    Thread.sleep(2000);
                    assertEquals(
                            143,
                            m.terminate(),
                            "migrate --follow stops on SIGTERM (128 + 15, after finishing its transaction):\n"
                                    + m.output());
                }
                for (String line : Files.readAllLines(log)) {
                    if (line.startsWith("{")) {
                        lags.add(JSON.readTree(line).path("lagSeconds").asDouble());
                    }
                }
            }
            if (writerFailure.get() != null) {
                throw new AssertionError("the workload failed", writerFailure.get());
            }
            assertTrue(committed.get() > 50, "the workload committed " + committed.get() + " transactions");
            assertTrue(!lags.isEmpty(), "migrate --json printed progress");

            String[] cutover = {
                "migrate",
                "cutover",
                "--repo",
                source.repository.toString(),
                "--target-url",
                target,
                "--target-user",
                "postgres",
                "--config",
                source.config.toString(),
                "--quiet",
                "1"
            };
            // a row changed in the target behind the migration's back: validation finds it and refuses
            pg.execute("crm_mig_pg", "UPDATE crm_mig.accounts SET name = 'tampered' WHERE id = 2");
            Path refusedLog = dir.resolve("cutover-refused.log");
            int refused = AgentProcess.run(refusedLog, "-Xmx512m", CommandLineTest.append(cutover, "--timeout", "4"));
            String refusal = Files.readString(refusedLog);
            assertEquals(7, refused, refusal);
            assertTrue(refusal.contains("DIFFERS crm_mig.accounts") && refusal.contains("(id=2) differs"), refusal);

            pg.execute("crm_mig_pg", "UPDATE crm_mig.accounts SET name = 'Globex' WHERE id = 2");
            Path cutLog = dir.resolve("cutover.log");
            int code = AgentProcess.run(cutLog, "-Xmx512m", CommandLineTest.append(cutover, "--json"));
            String out = Files.readString(cutLog);
            assertEquals(0, code, out);
            JsonNode report = JSON.readTree(out.substring(out.indexOf('{')));
            assertTrue(report.path("cutOver").asBoolean(), out);
            for (JsonNode t : report.path("tables")) {
                assertEquals(
                        t.path("sourceChecksum").asText(),
                        t.path("targetChecksum").asText(),
                        t.toString());
                assertEquals(t.path("sourceRows").asLong(), t.path("targetRows").asLong(), t.toString());
            }
            assertEquals(4, report.path("tables").size(), out);
            // AUTO_INCREMENT became the identity's next value: a new row in the target does not collide
            long next = Long.parseLong(source.server.queryOne(
                    "crm_mig",
                    "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                            + "'crm_mig' AND TABLE_NAME = 'contacts'"));
            assertEquals(
                    Long.toString(next),
                    pg.queryOne(
                            "crm_mig_pg",
                            "INSERT INTO crm_mig.contacts (account_id, email) VALUES (1, 'new@x') RETURNING id::text"));

            int again = AgentProcess.run(dir.resolve("after.log"), "-Xmx512m", migrate);
            assertEquals(2, again, Files.readString(dir.resolve("after.log")));
            assertTrue(Files.readString(dir.resolve("after.log")).contains("cut over already"));
            System.out.println("migration lag while following: max "
                    + lags.stream().mapToDouble(Double::doubleValue).max().orElse(0) + " s over " + lags.size()
                    + " reports; " + committed.get() + " source transactions");
        }
    }

    /** A steady CRM workload: new contacts, updates, deletes, keyless events, balance moves. */
    private static void workload(
            MariaDbSource source, AtomicBoolean writing, AtomicLong committed, AtomicReference<Throwable> failure) {
        Random r = new Random(7);
        try (Connection c = source.connect();
                Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            int i = 0;
            while (writing.get()) {
                i++;
                st.execute("INSERT INTO contacts (account_id, email, active, seen_at, meta, note) VALUES ("
                        + (1 + r.nextInt(2)) + ", 'c" + i + "@x.test', " + (i % 2) + ", NOW(6), '{\"i\": " + i
                        + "}', REPEAT('n', " + r.nextInt(300) + "))");
                st.execute("UPDATE contacts SET note = CONCAT(IFNULL(note, ''), '+') WHERE id = " + (1 + r.nextInt(i)));
                if (i % 5 == 0) {
                    st.execute("DELETE FROM contacts WHERE id = " + (1 + r.nextInt(i)));
                }
                st.execute("UPDATE accounts SET balance = balance + 1.25 WHERE id = 1");
                st.execute("INSERT INTO events VALUES (NOW(6), 'tick', x'00" + String.format("%02x", i % 256) + "')");
                c.commit();
                committed.incrementAndGet();
                Thread.sleep(20);
            }
        } catch (Throwable e) {
            failure.set(e);
        }
    }
}
