package dev.backtrack.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class MariaDbServerTest {

    @Test
    @Timeout(60)
    void startsWithRowBinlogKeepsDataAcrossRestartAndCleansUp() throws Exception {
        Path dir;
        try (MariaDbServer server = MariaDbServer.start(Map.of("max-connections", "50"))) {
            dir = server.dir();
            assertTrue(dir.getFileName().toString().startsWith("backtrack-mariadb-"), dir.toString());
            assertEquals("jdbc:mariadb://127.0.0.1:" + server.port() + "/shop", server.jdbcUrl("shop"));

            server.execute(
                    "shop",
                    "CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(40))",
                    "INSERT INTO item VALUES (1, 'anvil')");
            try (Connection c = server.connect("shop");
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery(
                            "SELECT @@log_bin, @@binlog_format, @@binlog_row_image, @@max_connections")) {
                assertTrue(rs.next());
                assertEquals("1", rs.getString(1));
                assertEquals("ROW", rs.getString(2));
                assertEquals("FULL", rs.getString(3));
                assertEquals("50", rs.getString(4), "extra options reach mariadbd");
            }

            int port = server.port();
            server.stop();
            assertFalse(server.isRunning());
            server.start();
            assertEquals(port, server.port());
            assertEquals("anvil", server.queryOne("shop", "SELECT name FROM item WHERE id = 1"));

            // the clean stop closed binlog.000001 and the restart opened binlog.000002
            List<Path> binlogs = server.binlogFiles();
            assertEquals(
                    List.of(Path.of(server.binlogBasename() + ".000001"), Path.of(server.binlogBasename() + ".000002")),
                    binlogs);
            String decoded = server.run(
                    "mariadb-binlog",
                    "--base64-output=decode-rows",
                    "--verbose",
                    binlogs.get(0).toString());
            assertTrue(decoded.contains("### INSERT INTO `shop`.`item`"), decoded);
            assertTrue(decoded.contains("@2='anvil'"), decoded);
            assertEquals(
                    "1\n",
                    server.run("mariadb", "--batch", "--skip-column-names", "-e", "SELECT COUNT(*) FROM shop.item"));

            assertThrows(IllegalStateException.class, server::start, "already running");
        }
        assertFalse(Files.exists(dir), "temp directory deleted: " + dir);
    }
}
