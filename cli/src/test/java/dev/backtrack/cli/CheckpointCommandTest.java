package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.repository.Repository;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 'backtrack checkpoint' writes a synthetic full while the agent runs; a restore from it equals the source. */
class CheckpointCommandTest {

    @Test
    void aCheckpointOnDemandWhileTheAgentCapturesRestoresExactly(@TempDir Path dir) throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_ckpt_cmd", dir)) {
            f.cluster.execute(f.database, "CREATE TABLE contacts (id int PRIMARY KEY, name text)");
            f.cluster.execute(f.database, "INSERT INTO contacts SELECT g, 'c' || g FROM generate_series(1, 300) g");
            f.startAgent();
            f.cluster.execute(f.database, "UPDATE contacts SET name = name || '!' WHERE id % 2 = 0");
            f.cluster.execute(f.database, "DELETE FROM contacts WHERE id % 5 = 0");
            f.awaitLogged();
            // the ticker's sequence values for the probe would otherwise land between the two checkpoints
            f.awaitQuiet(Duration.ofMillis(2500));
            CommandLineTest.Run r = CommandLineTest.run("checkpoint", "--config", f.config.toString(), "--json");
            assertEquals(0, r.exit(), r.err());
            JsonNode j = new ObjectMapper().readTree(r.out());
            assertTrue(j.get("written").asBoolean(), r.out());
            assertEquals(
                    240,
                    j.get("rows").asLong()
                            - Long.parseLong(f.cluster.queryOne(f.database, "SELECT count(*) FROM backtrack_probe")),
                    r.out());
            CommandLineTest.Run again = CommandLineTest.run("checkpoint", "--config", f.config.toString(), "--json");
            assertFalse(
                    new ObjectMapper().readTree(again.out()).get("written").asBoolean(),
                    "nothing new in the log: " + again.out());
            CommandLineTest.refused(
                    ExitCode.BAD_INPUT,
                    "not a checkpoint kind",
                    "checkpoint",
                    "--config",
                    f.config.toString(),
                    "--kind",
                    "weekly");
            f.cluster.execute(f.database, "INSERT INTO contacts VALUES (1000, 'after the checkpoint')");
            f.awaitLogged();
            // an incremental holds the one change since the full; a differential of that full, the same
            for (String kind : List.of("incr", "diff")) {
                CommandLineTest.Run delta =
                        CommandLineTest.run("checkpoint", "--config", f.config.toString(), "--kind", kind, "--json");
                assertEquals(0, delta.exit(), delta.err());
                JsonNode d = new ObjectMapper().readTree(delta.out());
                assertEquals(kind, d.get("kind").asText(), delta.out());
                assertEquals(j.get("id").asText(), d.get("parent").asText(), delta.out());
                assertTrue(
                        d.get("id").asText().startsWith(j.get("id").asText() + "_"),
                        "a delta's label begins with its full's: " + delta.out());
                assertTrue(
                        d.get("rows").asLong() >= 1 && d.get("rows").asLong() <= 3,
                        "changed keys (the probe table may have moved too): " + delta.out());
            }
            f.stopAgent();
            assertEquals(4, Repository.open(f.repository).checkpoints().size());
            String expected =
                    f.checksums(f.database, List.of("public.contacts")).toString();
            f.restore("latest", "crm_ckpt_cmd_restored");
            assertEquals(
                    expected,
                    f.checksums("crm_ckpt_cmd_restored", List.of("public.contacts"))
                            .toString());
        }
    }
}
