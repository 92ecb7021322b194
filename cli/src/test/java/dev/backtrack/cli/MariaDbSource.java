package dev.backtrack.cli;

import dev.backtrack.config.Engine;
import dev.backtrack.connectors.target.TableContents;
import dev.backtrack.connectors.target.TargetDatabase;
import dev.backtrack.connectors.target.Targets;
import dev.backtrack.recovery.Progress;
import dev.backtrack.recovery.Restore;
import dev.backtrack.recovery.RestoreReport;
import dev.backtrack.recovery.RestoreTarget;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.position.BinlogPosition;
import dev.backtrack.testkit.MariaDbServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A MariaDB source database on the shared throw-away server, an agent capturing it in this JVM,
 * restores from its repository, and every table read back in one canonical text form per row, so
 * tables of MariaDB and PostgreSQL can be compared value by value.
 */
final class MariaDbSource implements AutoCloseable {
    final MariaDbServer server;
    final String database;
    final Path repository;
    final Path config;
    private final InProcessAgent agent;

    MariaDbSource(String database, Path dir, int serverId) throws Exception {
        this(MariaDbServer.shared(), database, dir, serverId);
    }

    MariaDbSource(MariaDbServer server, String database, Path dir, int serverId) throws Exception {
        this.server = server;
        this.database = database;
        this.repository = dir.resolve("repo");
        this.config = dir.resolve("backtrack.yaml");
        server.createDatabase(database);
        // a captured table the fixture writes to, so it can tell when everything before it is logged
        server.execute(database, "CREATE TABLE backtrack_probe (id bigint AUTO_INCREMENT PRIMARY KEY)");
        this.agent = new InProcessAgent(config, repository, database);
        Files.writeString(
                config,
                "source:\n  url: " + server.jdbcUrl(database) + "\n  user: root\n  server-id: " + serverId
                        + "\n  heartbeat-interval: 1s\nrepository:\n  path: " + repository + "\n");
    }

    Connection connect() throws SQLException {
        Connection c = server.connect(database);
        try (Statement st = c.createStatement()) {
            st.execute("SET time_zone = '+00:00'");
        }
        return c;
    }

    void execute(String... sql) throws SQLException {
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    void startAgent() throws InterruptedException {
        agent.start();
    }

    /** Waits (up to 60 s) until the agent has printed {@code part} at least {@code times} times. */
    void awaitSaid(String part, int times) throws InterruptedException {
        agent.awaitSaid(part, times);
    }

    /** The binlog position where the next transaction will start. */
    long binlogEnd() throws SQLException {
        try (Connection c = connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
            rs.next();
            return BinlogPosition.of(rs.getString(1), rs.getLong(2));
        }
    }

    /** Waits until every transaction committed so far is in the log. */
    void awaitLogged() throws Exception {
        long before = binlogEnd();
        execute("INSERT INTO backtrack_probe VALUES ()");
        for (int i = 0; i < 1200; i++) {
            agent.failIfDied();
            Repository repo = Repository.open(repository);
            // logged, or inside a checkpoint taken after it (a fresh one after a gap)
            long covered = Math.max(
                    repo.logSummary().lastPosition(),
                    repo.checkpoints().stream()
                            .mapToLong(m -> m.position())
                            .max()
                            .orElse(-1));
            if (covered >= before) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(
                "log did not reach binlog " + BinlogPosition.format(before) + " within 60 s\n" + agent.output);
    }

    /** What the agent printed so far. */
    String agentOutput() {
        return agent.output.toString();
    }

    void stopAgent() throws InterruptedException {
        agent.stop();
    }

    RestoreReport restore(String to, String targetUrl, String user) {
        return restore(to, targetUrl, user, null);
    }

    /** @param checkpoint the checkpoint to start from (--set), or null for the cheapest */
    RestoreReport restore(String to, String targetUrl, String user, String checkpoint) {
        try (TargetDatabase db = Targets.connect(targetUrl, user, "", Engine.MARIADB)) {
            return new Restore(Repository.open(repository), Progress.NONE)
                    .from(checkpoint)
                    .run(RestoreTarget.parse(to, null), db);
        }
    }

    /** Every table but the probe, as canonical rows in order. */
    Map<String, List<String>> tables() throws SQLException {
        try (Connection c = connect()) {
            return tables(
                    c,
                    "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
                            + "TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME <> 'backtrack_probe' ORDER BY 1",
                    "`");
        }
    }

    static Map<String, List<String>> mariaDbTables(MariaDbServer server, String database) throws SQLException {
        try (Connection c = server.connect(database)) {
            try (Statement st = c.createStatement()) {
                st.execute("SET time_zone = '+00:00'");
            }
            return tables(
                    c,
                    "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
                            + "TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME <> 'backtrack_probe' ORDER BY 1",
                    "`");
        }
    }

    static Map<String, List<String>> postgresTables(String url, String schema) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
            try (Statement st = c.createStatement()) {
                st.execute("SET TIME ZONE 'UTC'");
            }
            return tables(
                    c,
                    "SELECT quote_ident('" + schema
                            + "') || '.' || quote_ident(table_name) FROM information_schema.tables WHERE "
                            + "table_schema = '"
                            + schema
                            + "' AND table_type = 'BASE TABLE' AND table_name <> 'backtrack_probe' ORDER BY table_name",
                    "");
        }
    }

    private static Map<String, List<String>> tables(Connection c, String list, String quote) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(list)) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String n : names) {
            List<String> rows = new ArrayList<>();
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT * FROM " + quote + n + quote)) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        row.append(i == 1 ? "" : " | ")
                                .append(md.getColumnLabel(i))
                                .append('=')
                                .append(TableContents.canonical(rs, md, i));
                    }
                    rows.add(row.toString());
                }
            }
            rows.sort(null);
            out.put(n.substring(n.indexOf('.') + 1), rows);
        }
        return out;
    }

    /** Every table equal, row by row in canonical order, and some rows compared. */
    static void assertTables(String what, Map<String, List<String>> expected, Map<String, List<String>> actual) {
        org.junit.jupiter.api.Assertions.assertEquals(expected.keySet(), actual.keySet(), what + ": tables");
        for (String table : expected.keySet()) {
            List<String> e = expected.get(table);
            List<String> a = actual.get(table);
            for (int i = 0; i < Math.min(e.size(), a.size()); i++) {
                org.junit.jupiter.api.Assertions.assertEquals(e.get(i), a.get(i), what + ": " + table + " row " + i);
            }
            org.junit.jupiter.api.Assertions.assertEquals(e.size(), a.size(), what + ": " + table + " rows");
        }
        org.junit.jupiter.api.Assertions.assertFalse(
                expected.values().stream().allMatch(List::isEmpty), what + ": some rows");
    }

    @Override
    public void close() throws Exception {
        stopAgent();
    }
}
