package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.model.Micros;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent applies retention after each checkpoint, and every instant it keeps still restores exactly. */
class RetentionAgentTest {
    private static final List<String> TABLES = List.of("public.contacts");

    @Test
    void theAgentExpiresOldCheckpointsAndKeepsTheWindowRestorable(@TempDir Path dir) throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_retention", dir)) {
            f.withConfig("checkpoint:\n  full-interval: 1s\n  diff-interval: 0s\n  incr-interval: 0s\nretention:\n  "
                    + "checkpoints: 2\n");
            try (Statement st = f.connect().createStatement()) {
                st.execute("CREATE TABLE contacts (id bigint PRIMARY KEY, name text)");
            }
            f.startAgent();
            for (int round = 0; round < 6; round++) {
                try (Statement st = f.connect().createStatement()) {
                    st.execute("INSERT INTO contacts SELECT g, 'round " + round + "' FROM generate_series("
                            + round * 100 + ", " + (round * 100 + 99) + ") g");
                    st.execute("UPDATE contacts SET name = name || '+' WHERE id % 7 = " + round);
                }
                f.awaitLogged();
                Thread.sleep(1300);
            }
            f.stopAgent();
            assertTrue(f.agentOutput.toString().contains("retention: expired"), f.agentOutput.toString());
            Repository repo = Repository.open(f.repository);
            assertEquals(2, repo.checkpoints().size(), "checkpoints kept: " + repo.checkpoints());
            // (segments: this log fits one; RetentionTest covers their removal)

            String expected = f.checksums(f.database, TABLES).toString();
            f.restore("latest", "crm_retention_latest");
            assertEquals(expected, f.checksums("crm_retention_latest", TABLES).toString());
            // the oldest instant kept is restorable too
            f.restore(Micros.format(repo.checkpoints().get(0).timeMicros()), "crm_retention_earliest");
            assertTrue(
                    Long.parseLong(f.cluster.queryOne("crm_retention_earliest", "SELECT count(*) FROM contacts")) > 0);
        }
    }
}
