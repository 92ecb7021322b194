package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.history.SourceHistory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent of a MariaDB source stopped, and killed with SIGKILL, while the source keeps changing
 * (rows and DDL): on restart it resumes from the log's offset with the schema history it keeps in the
 * repository, and the log holds every transaction once — a restore of latest equals the source.
 */
class MariaDbRestartTest {

    @Test
    void resumesAfterStopAndKillWithTheHistoryInTheRepository(@TempDir Path dir) throws Exception {
        try (MariaDbSource source = new MariaDbSource("crm_restart", dir, 5414)) {
            source.execute(
                    "CREATE TABLE ledger (id int AUTO_INCREMENT PRIMARY KEY, account varchar(20) NOT NULL, "
                            + "amount decimal(12,2) NOT NULL)",
                    "INSERT INTO ledger (account, amount) VALUES ('a', 100.00), ('b', 50.00)");
            source.startAgent();
            source.execute("INSERT INTO ledger (account, amount) VALUES ('a', -10.00)");
            source.awaitLogged();
            // the server restarts under the agent: it says so, reconnects and goes on from its offset
            source.awaitSaid("streaming changes from the source", 1);
            source.server.restart();
            source.awaitSaid("source connection back after", 1);
            source.execute("INSERT INTO ledger (account, amount) VALUES ('a', -2.00)");
            source.awaitLogged();
            source.stopAgent();
            int historyRecords = new SourceHistory(Repository.open(source.repository))
                    .records()
                    .size();
            assertTrue(historyRecords > 0, "the connector's schema history is in the repository");

            // while nothing captures: a column is added, rows use it
            source.execute(
                    "ALTER TABLE ledger ADD COLUMN memo varchar(40) NULL",
                    "INSERT INTO ledger (account, amount, memo) VALUES ('c', 7.50, 'while stopped')",
                    "UPDATE ledger SET memo = 'opening' WHERE id <= 2");
            source.startAgent();
            source.awaitLogged();
            assertTrue(
                    new SourceHistory(Repository.open(source.repository))
                                    .records()
                                    .size()
                            > historyRecords,
                    "the ALTER joined the history");
            source.stopAgent();

            // a child agent killed with SIGKILL in the middle of a burst, then restarted
            Path log = dir.resolve("agent.log");
            AgentProcess agent = AgentProcess.start(source.config, log);
            long before = Repository.open(source.repository).logSummary().lastPosition();
            for (int i = 0; i < 300; i++) {
                source.execute("INSERT INTO ledger (account, amount, memo) VALUES ('k" + (i % 7) + "', " + i
                        + ".25, 'burst')");
                if (i == 150) {
                    // killed while it streams: some of the burst is logged, some is not yet
                    for (int w = 0;
                            w < 300
                                    && Repository.open(source.repository)
                                                    .logSummary()
                                                    .lastPosition()
                                            <= before;
                            w++) {
                        Thread.sleep(100);
                    }
                    assertTrue(
                            Repository.open(source.repository).logSummary().lastPosition() > before,
                            "the child agent logged part of the burst:\n" + agent.output());
                    agent.kill();
                    agent = AgentProcess.start(source.config, log);
                }
            }
            source.awaitLogged();
            agent.terminate();

            Map<String, List<String>> expected = source.tables();
            source.server.createDatabase("crm_restart_r");
            source.restore("latest", source.server.jdbcUrl("crm_restart_r"), "root");
            MariaDbSource.assertTables(
                    "restore after stop, DDL while stopped and SIGKILL",
                    expected,
                    MariaDbSource.mariaDbTables(source.server, "crm_restart_r"));
            assertEquals(
                    Integer.toString(2 + 2 + 1 + 300),
                    source.server.queryOne("crm_restart_r", "SELECT COUNT(*) FROM ledger"));
        }
    }
}
