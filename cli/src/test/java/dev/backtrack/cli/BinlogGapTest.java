package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.gap.Gaps;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.repository.position.BinlogPosition;
import dev.backtrack.testkit.MariaDbServer;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binlog the agent still needed is purged while it is stopped: on restart it records a gap
 * instead of pretending continuity, takes a fresh checkpoint, and restores from there on are exact;
 * an instant inside the gap is refused.
 */
class BinlogGapTest {

    @Test
    void aPurgedBinlogBecomesAGapAndAFreshCheckpoint(@TempDir Path dir) throws Exception {
        try (MariaDbServer own = MariaDbServer.start(Map.of());
                MariaDbSource source = new MariaDbSource(own, "crm_gap", dir, 5415)) {
            source.execute(
                    "CREATE TABLE contacts (id int AUTO_INCREMENT PRIMARY KEY, name varchar(40) NOT NULL)",
                    "INSERT INTO contacts (name) VALUES ('before 1'), ('before 2')");
            source.startAgent();
            source.execute("INSERT INTO contacts (name) VALUES ('logged')");
            source.awaitLogged();
            source.stopAgent();

            // while the agent is stopped: changes it never sees, then their binlog is purged
            source.execute(
                    "INSERT INTO contacts (name) VALUES ('lost')",
                    "UPDATE contacts SET name = 'renamed, lost' WHERE id = 1");
            String current = currentBinlog(own);
            own.execute(null, "FLUSH BINARY LOGS");
            // the server keeps a file a replica's dump thread still reads; the stopped agent's goes away shortly
            for (int i = 0; i < 100 && binlogs(own).contains(current); i++) {
                own.execute(null, "PURGE BINARY LOGS TO '" + currentBinlog(own) + "'");
                Thread.sleep(100);
            }
            assertTrue(!binlogs(own).contains(current), "the binlog the agent read is gone: " + binlogs(own));

            source.startAgent();
            source.execute("INSERT INTO contacts (name) VALUES ('after the gap')");
            source.awaitLogged();
            // and the stream goes on after the fresh checkpoint
            source.execute(
                    "INSERT INTO contacts (name) VALUES ('streamed after the gap')",
                    "DELETE FROM contacts WHERE name = 'before 2'");
            source.awaitLogged();
            assertTrue(
                    Repository.open(source.repository).logSummary().lastPosition()
                            > Repository.open(source.repository)
                                    .checkpoints()
                                    .get(1)
                                    .position(),
                    "logged after the fresh checkpoint");
            source.stopAgent();

            List<Gaps.Gap> gaps = Gaps.list(Repository.open(source.repository));
            assertEquals(1, gaps.size(), "one gap");
            assertTrue(
                    gaps.get(0).reason().contains("was purged from the source"),
                    gaps.get(0).reason());
            assertTrue(!gaps.get(0).open(), "the fresh checkpoint ended the gap");
            assertEquals(
                    2,
                    Repository.open(source.repository).checkpoints().size(),
                    "checkpoint 0 and the one after the gap");

            Map<String, List<String>> expected = source.tables();
            source.server.createDatabase("crm_gap_r");
            source.restore("latest", source.server.jdbcUrl("crm_gap_r"), "root");
            MariaDbSource.assertTables(
                    "restore after the gap", expected, MariaDbSource.mariaDbTables(source.server, "crm_gap_r"));

            CommandLineTest.Run inGap = CommandLineTest.run(
                    "restore",
                    "--repo",
                    source.repository.toString(),
                    "--to",
                    Micros.format(gaps.get(0).afterMicros() + 1),
                    "--target-url",
                    source.server.jdbcUrl("crm_gap_r2"),
                    "--target-user",
                    "root");
            assertEquals(2, inGap.exit(), inGap.err());
            assertTrue(inGap.err().contains("falls in a gap of the log"), inGap.err());
            CommandLineTest.Run inGapPosition = CommandLineTest.run(
                    "restore",
                    "--repo",
                    source.repository.toString(),
                    "--to",
                    "binlog:" + BinlogPosition.format(gaps.get(0).afterPosition() + 1),
                    "--target-url",
                    source.server.jdbcUrl("crm_gap_r2"),
                    "--target-user",
                    "root");
            assertEquals(2, inGapPosition.exit(), inGapPosition.err());
            assertTrue(inGapPosition.err().contains("falls in a gap of the log"), inGapPosition.err());
            CommandLineTest.Run verify = CommandLineTest.run("verify", "--repo", source.repository.toString());
            assertEquals(0, verify.exit(), verify.out() + verify.err());
            assertTrue(verify.out().contains("gap in the recoverable window"), verify.out());
        }
    }

    private static List<String> binlogs(MariaDbServer server) {
        List<String> out = new ArrayList<>();
        try (var c = server.connect(null);
                var st = c.createStatement();
                var rs = st.executeQuery("SHOW BINARY LOGS")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static String currentBinlog(MariaDbServer server) {
        try (var c = server.connect(null);
                var st = c.createStatement();
                var rs = st.executeQuery("SHOW MASTER STATUS")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
