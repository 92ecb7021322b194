package dev.backtrack.cli;

import dev.backtrack.agent.Agent;
import dev.backtrack.config.ConfigLoader;
import dev.backtrack.connectors.mariadb.BinlogPosition;
import dev.backtrack.connectors.target.TargetDatabase;
import dev.backtrack.connectors.target.Targets;
import dev.backtrack.recovery.Progress;
import dev.backtrack.recovery.Restore;
import dev.backtrack.recovery.RestoreReport;
import dev.backtrack.recovery.RestoreTarget;
import dev.backtrack.repository.Repository;
import dev.backtrack.testkit.MariaDbServer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A MariaDB source database on the shared throw-away server, an agent capturing it in this JVM,
 * restores from its repository, and every table read back in one canonical text form per row, so
 * tables of MariaDB and PostgreSQL can be compared value by value.
 */
final class MariaDbSource implements AutoCloseable {
    final MariaDbServer server = MariaDbServer.shared();
    final String database;
    final Path repository;
    final Path config;
    final ByteArrayOutputStream agentOutput = new ByteArrayOutputStream();
    private final AtomicReference<RuntimeException> agentFailure = new AtomicReference<>();
    private Agent agent;
    private Thread agentThread;

    MariaDbSource(String database, Path dir, int serverId) throws Exception {
        this.database = database;
        this.repository = dir.resolve("repo");
        this.config = dir.resolve("backtrack.yaml");
        server.createDatabase(database);
        // a captured table the fixture writes to, so it can tell when everything before it is logged
        server.execute(database, "CREATE TABLE backtrack_probe (id bigint AUTO_INCREMENT PRIMARY KEY)");
        Files.writeString(config, "source:\n  url: " + server.jdbcUrl(database) + "\n  user: root\n  server-id: " + serverId
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
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    void startAgent() throws InterruptedException {
        agent = new Agent(ConfigLoader.load(config), new PrintStream(agentOutput, true));
        agentThread = new Thread(() -> {
            try {
                agent.run();
            } catch (RuntimeException e) {
                agentFailure.set(e);
            }
        }, "test-agent-" + database);
        agentThread.start();
        for (int i = 0; i < 1200; i++) {
            failIfAgentDied();
            if (Files.exists(repository.resolve(Repository.ROOT_FILE)) && !Repository.open(repository).checkpoints().isEmpty()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no checkpoint within 60 s; agent said:\n" + agentOutput);
    }

    void failIfAgentDied() {
        if (agentFailure.get() != null) {
            throw new AssertionError("agent failed: " + agentFailure.get().getMessage() + "\n" + agentOutput, agentFailure.get());
        }
    }

    /** The binlog position where the next transaction will start. */
    long binlogEnd() throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
            rs.next();
            return BinlogPosition.of(rs.getString(1), rs.getLong(2));
        }
    }

    /** Waits until every transaction committed so far is in the log. */
    void awaitLogged() throws Exception {
        long before = binlogEnd();
        execute("INSERT INTO backtrack_probe VALUES ()");
        for (int i = 0; i < 1200; i++) {
            failIfAgentDied();
            if (Repository.open(repository).logSummary().lastPosition() >= before) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("log did not reach binlog " + BinlogPosition.format(before) + " within 60 s\n" + agentOutput);
    }

    void stopAgent() throws InterruptedException {
        if (agent != null) {
            agent.stop();
            agentThread.join(60_000);
            agent = null;
        }
        failIfAgentDied();
    }

    RestoreReport restore(String to, String targetUrl, String user) {
        try (TargetDatabase db = Targets.connect(targetUrl, user, "", "mariadb")) {
            return new Restore(Repository.open(repository), Progress.NONE).run(RestoreTarget.parse(to, null), db);
        }
    }

    /** Every table but the probe, as canonical rows in order. */
    Map<String, List<String>> tables() throws SQLException {
        try (Connection c = connect()) {
            return tables(c, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> 'backtrack_probe' ORDER BY 1", "`");
        }
    }

    static Map<String, List<String>> mariaDbTables(MariaDbServer server, String database) throws SQLException {
        try (Connection c = server.connect(database)) {
            try (Statement st = c.createStatement()) {
                st.execute("SET time_zone = '+00:00'");
            }
            return tables(c, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> 'backtrack_probe' ORDER BY 1", "`");
        }
    }

    static Map<String, List<String>> postgresTables(String url, String schema) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
            try (Statement st = c.createStatement()) {
                st.execute("SET TIME ZONE 'UTC'");
            }
            return tables(c, "SELECT quote_ident('" + schema + "') || '.' || quote_ident(table_name) FROM information_schema.tables WHERE table_schema = '"
                    + schema + "' AND table_name <> 'backtrack_probe' ORDER BY table_name", "");
        }
    }

    private static Map<String, List<String>> tables(Connection c, String list, String quote) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(list)) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String n : names) {
            List<String> rows = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + quote + n + quote)) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        row.append(i == 1 ? "" : " | ").append(md.getColumnLabel(i)).append('=').append(canonical(rs, md, i));
                    }
                    rows.add(row.toString());
                }
            }
            rows.sort(null);
            out.put(n.substring(n.indexOf('.') + 1), rows);
        }
        return out;
    }

    /** One value as text both engines agree on: numbers without trailing zeros, booleans 1/0, bytes in hex, UTC times without zone. */
    private static String canonical(ResultSet rs, ResultSetMetaData md, int i) throws SQLException {
        String type = md.getColumnTypeName(i).toLowerCase(java.util.Locale.ROOT);
        Object v = rs.getObject(i);
        if (v == null) {
            return "NULL";
        }
        if (type.contains("time") || type.contains("date")) {
            String s = rs.getString(i).replace('T', ' ').replaceAll("\\+00(:00)?$", "").replaceAll("Z$", "");
            return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
        }
        if (v instanceof Boolean b) {
            return b ? "1" : "0";
        }
        if (v instanceof byte[] b) {
            return HexFormat.of().formatHex(b);
        }
        if (v instanceof Float || v instanceof Double) {
            return Double.toString(((Number) v).doubleValue());
        }
        if (v instanceof Number n) {
            return new BigDecimal(n.toString()).stripTrailingZeros().toPlainString();
        }
        if (type.equals("year")) {
            return rs.getString(i).substring(0, 4);
        }
        if (type.equals("bpchar")) {
            return rs.getString(i).replaceAll(" +$", "");
        }
        return rs.getString(i);
    }

    @Override
    public void close() throws Exception {
        stopAgent();
    }
}
