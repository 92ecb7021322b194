package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.repository.model.Micros;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dropped replication slot is a gap: the agent says so, records it, and starts a new recoverable
 * window with a fresh checkpoint; restores before and after the gap are exact, restores into it refused.
 */
class SlotGapTest {
    private static final List<String> TABLES = List.of("public.contacts");

    @Test
    void aDroppedSlotBecomesARecordedGapAndANewWindow(@TempDir Path dir) throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_gap", dir)) {
            f.cluster.execute(f.database, "CREATE TABLE contacts (id int PRIMARY KEY, name text)");
            f.cluster.execute(
                    f.database, "INSERT INTO contacts SELECT g, 'before ' || g FROM generate_series(1, 100) g");
            f.startAgent();
            f.cluster.execute(f.database, "UPDATE contacts SET name = 'captured' WHERE id <= 10");
            long beforeGap = f.sourceNowMicros();
            String atBeforeGap = f.checksums(f.database, TABLES).toString();
            // the gap begins after the last transaction the log holds (here the fixture's probe): when the slot
            // went after that cannot be known, so instants after it are refused
            f.awaitLogged();
            f.stopAgent();

            // the slot goes (a failover, an operator), and changes happen that nothing captures
            f.cluster.execute("postgres", "SELECT pg_drop_replication_slot('crm_gap')");
            f.cluster.execute(f.database, "UPDATE contacts SET name = 'lost in the gap' WHERE id BETWEEN 11 AND 20");
            f.cluster.execute(f.database, "DELETE FROM contacts WHERE id > 90");
            long inGap = f.sourceNowMicros();

            f.startAgent();
            f.cluster.execute(f.database, "INSERT INTO contacts VALUES (500, 'after the gap')");
            f.awaitLogged();
            f.stopAgent();
            assertTrue(f.agentOutput.toString().contains("recorded a gap"), f.agentOutput.toString());

            JsonNode backups = new ObjectMapper()
                    .readTree(CommandLineTest.run("backups", "--repo", f.repository.toString(), "--json")
                            .out());
            assertEquals(1, backups.get("gaps").size(), backups.toString());
            assertTrue(
                    backups.get("gaps").get(0).get("until").isTextual(),
                    "the gap is closed by the fresh checkpoint: " + backups);

            String latest = f.checksums(f.database, TABLES).toString();
            f.restore("latest", "crm_gap_latest");
            assertEquals(
                    latest,
                    f.checksums("crm_gap_latest", TABLES).toString(),
                    "after the gap: the fresh checkpoint and the log");
            f.restore(Micros.format(beforeGap), "crm_gap_before");
            assertEquals(
                    atBeforeGap,
                    f.checksums("crm_gap_before", TABLES).toString(),
                    "before the gap: the old checkpoint and the log");
            f.cluster.createDatabase("crm_gap_inside");
            CommandLineTest.refused(
                    ExitCode.BAD_INPUT,
                    "falls in a gap",
                    "restore",
                    "--repo",
                    f.repository.toString(),
                    "--to",
                    Micros.format(inGap),
                    "--target-url",
                    f.cluster.jdbcUrl("crm_gap_inside"),
                    "--target-user",
                    "postgres");
            CommandLineTest.Run verify = CommandLineTest.run("verify", "--repo", f.repository.toString());
            assertEquals(0, verify.exit(), verify.out());
            assertTrue(verify.out().contains("gap in the recoverable window"), verify.out());
        }
    }
}
