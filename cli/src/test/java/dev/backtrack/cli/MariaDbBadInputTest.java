package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.testkit.MariaDbServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input around a MariaDB source, each answered with one line naming the problem and its fix, a
 * documented exit code, and nothing written: a column type the binlog connector cannot read (refused
 * when the agent starts, not mid-stream), and a view whose definer the restore target lacks.
 */
class MariaDbBadInputTest {

    @Test
    void aColumnTypeTheConnectorCannotReadIsRefusedAtStart(@TempDir Path dir) throws Exception {
        MariaDbServer server = MariaDbServer.shared();
        server.createDatabase("crm_uuid");
        server.execute(
                "crm_uuid",
                "CREATE TABLE accounts (id int PRIMARY KEY, name varchar(40))",
                "CREATE TABLE devices (id int PRIMARY KEY, account_id int, serial uuid NOT NULL)");
        Path config = dir.resolve("backtrack.yaml");
        Files.writeString(
                config,
                "source:\n  url: " + server.jdbcUrl("crm_uuid")
                        + "\n  user: root\n  server-id: 5414\nrepository:\n  path: " + dir.resolve("repo") + "\n");
        CommandLineTest.Run r = CommandLineTest.run("agent", "--config", config.toString());
        assertEquals(3, r.exit(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(
                r.err().contains("column crm_uuid.devices.serial has type uuid")
                        && r.err().contains("use char(36)")
                        && r.err().contains("source.tables-exclude"),
                r.err());
        assertFalse(Files.exists(dir.resolve("repo")), "nothing written");
        // leaving the table out is the other fix, and capture starts
        Files.writeString(
                config,
                Files.readString(config).replace("  server-id:", "  tables-exclude: [crm_uuid.devices]\n  server-id:"));
        InProcessAgent agent = new InProcessAgent(config, dir.resolve("repo"), "crm_uuid");
        agent.start();
        agent.awaitSaid("capturing 1 tables", 1);
        agent.stop();
    }

    @Test
    void aDefinerTheTargetLacksIsRefusedOnlyWhenKept(@TempDir Path dir) throws Exception {
        try (MariaDbSource source = new MariaDbSource("crm_definer", dir, 5415)) {
            MariaDbServer server = source.server;
            source.execute(
                    "CREATE TABLE accounts (id int PRIMARY KEY, name varchar(40))",
                    "INSERT INTO accounts VALUES (1, 'Acme')",
                    "DROP USER IF EXISTS 'reporting'@'%'",
                    "CREATE USER 'reporting'@'%'",
                    "CREATE DEFINER = 'reporting'@'%' SQL SECURITY DEFINER VIEW account_names AS SELECT name "
                            + "FROM accounts");
            source.startAgent();
            source.awaitLogged();
            source.stopAgent();
            server.execute("crm_definer", "DROP USER 'reporting'@'%'");
            server.createDatabase("crm_definer_r");
            String[] restore = {
                "restore",
                "--repo",
                source.repository.toString(),
                "--to",
                "latest",
                "--target-url",
                server.jdbcUrl("crm_definer_r"),
                "--target-user",
                "root"
            };
            CommandLineTest.Run kept = CommandLineTest.run(CommandLineTest.append(restore, "--definer", "keep"));
            assertEquals(3, kept.exit(), kept.err());
            assertEquals(1, kept.err().strip().lines().count(), kept.err());
            assertTrue(
                    kept.err().contains("DEFINER `reporting`@`%`, which the target lacks")
                            && kept.err().contains("--definer current"),
                    kept.err());
            assertEquals(
                    "0",
                    server.queryOne(
                            "crm_definer_r",
                            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'crm_definer_r'"),
                    "target untouched");
            // by default the view runs as the restoring user
            CommandLineTest.Run current = CommandLineTest.run(restore);
            assertEquals(0, current.exit(), current.err());
            assertEquals("Acme", server.queryOne("crm_definer_r", "SELECT name FROM account_names"));
            assertEquals(
                    "root@%",
                    server.queryOne(
                                    "crm_definer_r",
                                    "SELECT DEFINER FROM information_schema.VIEWS WHERE TABLE_SCHEMA = 'crm_definer_r'")
                            .replace("localhost", "%")
                            .replace("127.0.0.1", "%"));
        }
    }
}
