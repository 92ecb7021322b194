package dev.backtrack.cli;

import dev.backtrack.cli.demo.CrmSchema;
import dev.backtrack.config.BacktrackConfig;
import dev.backtrack.config.ConfigLoader;
import dev.backtrack.connectors.postgres.PostgresTarget;
import dev.backtrack.recovery.Progress;
import dev.backtrack.recovery.Restore;
import dev.backtrack.recovery.RestoreReport;
import dev.backtrack.recovery.RestoreTarget;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.position.Lsn;
import dev.backtrack.testkit.PostgresCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;

/** A source database on the shared throw-away cluster, an agent capturing it, and restores from its repository. */
final class CaptureFixture implements AutoCloseable {
    final PostgresCluster cluster;
    final String database;
    final Path repository;
    final Path config;
    private final InProcessAgent agent;
    final ByteArrayOutputStream agentOutput;
    /** The repository's passphrase, or null when it is plain. */
    private char[] passphrase;

    CaptureFixture(String database, Path dir) throws Exception {
        this(database, dir, PostgresCluster.shared());
    }

    CaptureFixture(String database, Path dir, PostgresCluster cluster) throws Exception {
        this.cluster = cluster;
        this.database = database;
        this.repository = dir.resolve("repo");
        this.config = dir.resolve("backtrack.yaml");
        this.agent = new InProcessAgent(config, repository, database);
        this.agentOutput = agent.output;
        cluster.createDatabase(database);
        cluster.execute(
                "postgres",
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + database
                        + "'");
        // a captured table the fixture writes to, so it can tell when everything before has been logged
        cluster.execute(
                database, "CREATE TABLE backtrack_probe (id bigserial PRIMARY KEY, at timestamptz DEFAULT now())");
        Files.writeString(
                config,
                "source:\n  url: " + url() + "\n  user: postgres\n  slot: " + database + "\n  publication: " + database
                        + "\n  heartbeat-interval: 1s\nrepository:\n  path: " + repository + "\n");
    }

    /** Waits (up to 60 s) until the agent has printed {@code part} at least {@code times} times. */
    void awaitSaid(String part, int times) throws InterruptedException {
        agent.awaitSaid(part, times);
    }

    /** How many times the agent has printed {@code part}. */
    int said(String part) {
        return agent.said(part);
    }

    /**
     * Starts a client that executes {@code statement.apply(i)} for i = 0, 1, ... (autocommit, 3 ms
     * apart) until {@code running} is false; a failure stops it and fails the test's thread join check.
     */
    Thread startWriter(AtomicBoolean running, IntFunction<String> statement) {
        Thread writer = new Thread(
                () -> {
                    try (Connection c = connect();
                            Statement st = c.createStatement()) {
                        for (int i = 0; running.get(); i++) {
                            st.execute(statement.apply(i));
                            Thread.sleep(3);
                        }
                    } catch (SQLException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                },
                "writer-" + database);
        writer.start();
        return writer;
    }

    /** Appends YAML sections to the agent's configuration. */
    CaptureFixture withConfig(String yaml) throws IOException {
        Files.writeString(config, Files.readString(config) + yaml);
        return this;
    }

    /** Adds a {@code source} setting, e.g. {@code capture-ddl: off}. */
    CaptureFixture withSourceSetting(String keyAndValue) throws IOException {
        Files.writeString(
                config, Files.readString(config).replaceFirst("\nrepository:", "\n  " + keyAndValue + "\nrepository:"));
        return this;
    }

    /** Encrypts the repository the agent creates with {@code passphrase}. */
    CaptureFixture withPassphrase(String passphrase) throws IOException {
        this.passphrase = passphrase.toCharArray();
        Files.writeString(
                config,
                Files.readString(config).replace("repository:\n", "repository:\n  passphrase: " + passphrase + "\n"));
        return this;
    }

    String url() {
        return cluster.jdbcUrl(database);
    }

    Connection connect() throws SQLException {
        return cluster.connect(database);
    }

    BacktrackConfig config() {
        return ConfigLoader.load(config);
    }

    /** The repository as a reader opens it (with its passphrase when it is encrypted). */
    Repository openRepository() {
        return Repository.open(repository, passphrase);
    }

    void startAgent() throws InterruptedException {
        agent.start();
    }

    void failIfAgentDied() {
        agent.failIfDied();
    }

    /** Waits until every transaction committed so far is in the log. */
    void awaitLogged() throws Exception {
        long lsn;
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            // a probe transaction committing after this LSN: once it is logged, everything before it is
            c.setAutoCommit(false);
            st.execute("INSERT INTO backtrack_probe DEFAULT VALUES");
            var rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text");
            rs.next();
            lsn = Lsn.parse(rs.getString(1));
            c.commit();
        }
        for (int i = 0; i < 1200; i++) {
            failIfAgentDied();
            if (openRepository().logSummary().lastPosition() > lsn) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("log did not reach " + Lsn.format(lsn) + " within 60 s: at "
                + Lsn.format(openRepository().logSummary().lastPosition()) + "\n" + agentOutput);
    }

    /**
     * Waits (up to 60 s) until the log has not grown for {@code quiet}: the agent's sequence ticker
     * logs the values a probe moved on its next tick (every second here), after {@link #awaitLogged}.
     */
    void awaitQuiet(Duration quiet) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long last = openRepository().logSummary().lastSequence();
        long since = System.nanoTime();
        while (System.nanoTime() - since < quiet.toNanos()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the log kept growing for 60 s\n" + agentOutput);
            }
            failIfAgentDied();
            Thread.sleep(50);
            long now = openRepository().logSummary().lastSequence();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            }
        }
    }

    void stopAgent() throws InterruptedException {
        agent.stop();
    }

    /** Where one committed transaction sits: its xid, and the insert LSN right after its commit. */
    record Committed(String xid, String lsnAfter) {}

    /** Runs the statements as one transaction on {@code c}; returns its xid and the LSN after its commit. */
    static Committed commit(Connection c, String... sql) throws SQLException {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
            var rs = st.executeQuery("SELECT txid_current()::text");
            rs.next();
            String xid = rs.getString(1);
            c.commit();
            rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text");
            rs.next();
            return new Committed(xid, rs.getString(1));
        }
    }

    long sourceNowMicros() throws SQLException {
        try (Connection c = connect();
                Statement st = c.createStatement();
                var rs = st.executeQuery("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    Map<String, String> checksums(String db, List<String> tables) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (Connection c = cluster.connect(db)) {
            for (String t : tables) {
                out.put(t, CrmSchema.checksum(c, t));
            }
        }
        return out;
    }

    /**
     * Rows of {@code table} that one database holds and the other does not (at most 20 of each), for failure messages.
     */
    String differingRows(String db, String otherDb, String table) {
        try {
            Set<String> a = rows(db, table), b = rows(otherDb, table);
            Set<String> onlyA = new TreeSet<>(a), onlyB = new TreeSet<>(b);
            onlyA.removeAll(b);
            onlyB.removeAll(a);
            return "only in " + db + ": " + onlyA.stream().limit(20).toList() + "; only in " + otherDb + ": "
                    + onlyB.stream().limit(20).toList();
        } catch (SQLException e) {
            return "(cannot compare: " + e.getMessage() + ")";
        }
    }

    /**
     * Logs everything committed so far, stops the agent, restores the latest state into {@code targetDb}
     * and asserts that {@code table} equals the source's, naming the differing rows by {@code key}.
     */
    void assertLatestRestoreEquals(String targetDb, String table, String key) throws Exception {
        awaitLogged();
        stopAgent();
        String expected = checksums(database, List.of(table)).toString();
        restore("latest", targetDb);
        org.junit.jupiter.api.Assertions.assertEquals(
                expected,
                checksums(targetDb, List.of(table)).toString(),
                () -> differingKeys(database, targetDb, table, key));
    }

    /**
     * Keys of rows whose content differs between the databases, each with its first 200 characters in both, for failure
     * messages.
     */
    String differingKeys(String db, String otherDb, String table, String key) {
        String sql = "SELECT " + key + "::text, md5(backtrack_row::text), left(backtrack_row::text, 200) FROM " + table
                + " backtrack_row";
        try {
            Map<String, String[]> a = new TreeMap<>(), b = new TreeMap<>();
            for (var pair : List.of(Map.entry(db, a), Map.entry(otherDb, b))) {
                try (Connection c = cluster.connect(pair.getKey());
                        Statement st = c.createStatement();
                        var rs = st.executeQuery(sql)) {
                    while (rs.next()) {
                        pair.getValue().put(rs.getString(1), new String[] {rs.getString(2), rs.getString(3)});
                    }
                }
            }
            StringBuilder out = new StringBuilder();
            Set<String> keys = new TreeSet<>(a.keySet());
            keys.addAll(b.keySet());
            for (String k : keys) {
                String[] x = a.get(k), y = b.get(k);
                if (x == null || y == null || !x[0].equals(y[0])) {
                    out.append("\n  ")
                            .append(key)
                            .append('=')
                            .append(k)
                            .append(": ")
                            .append(x == null ? "absent" : x[1])
                            .append("\n   vs ")
                            .append(y == null ? "absent" : y[1]);
                }
            }
            return out.toString();
        } catch (SQLException e) {
            return "(cannot compare: " + e.getMessage() + ")";
        }
    }

    private Set<String> rows(String db, String table) throws SQLException {
        Set<String> out = new HashSet<>();
        try (Connection c = cluster.connect(db);
                Statement st = c.createStatement();
                var rs = st.executeQuery("SELECT t::text FROM " + table + " t")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    RestoreReport restore(String to, String targetDb) {
        return restore(to, targetDb, null);
    }

    /** @param set the checkpoint to start from, or null for the chain restore picks */
    RestoreReport restore(String to, String targetDb, String set) {
        return restore(to, targetDb, set, 1);
    }

    /** @param jobs connections loading tables (1: one transaction) */
    RestoreReport restore(String to, String targetDb, String set, int jobs) {
        cluster.createDatabase(targetDb);
        try (PostgresTarget db = PostgresTarget.connect(cluster.jdbcUrl(targetDb), "postgres", "")) {
            return new Restore(openRepository(), Progress.NONE)
                    .from(set)
                    .jobs(jobs)
                    .run(RestoreTarget.parse(to, null), db);
        }
    }

    @Override
    public void close() throws Exception {
        stopAgent();
    }
}
