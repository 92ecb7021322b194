package dev.backtrack.bench;

import dev.backtrack.capture.mariadb.MariaDbSettings;
import dev.backtrack.config.BacktrackConfig;
import dev.backtrack.config.ConfigLoader;
import dev.backtrack.config.SourceConfig;
import dev.backtrack.repository.Repository;
import dev.backtrack.testkit.MariaDbServer;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/** A MariaDB database of CRM tables the MariaDB part captures: its agent configuration and repository, and the server id of its bare engine. */
final class MariaDbSource {
    private final MariaDbServer my;
    final String db;
    final Path repo;
    final BacktrackConfig config;
    final int bareServerId;
    List<String> tables = List.of();

    MariaDbSource(MariaDbServer my, Path work, String db, int agentServerId, int bareServerId) throws IOException {
        this.my = my;
        this.db = db;
        this.bareServerId = bareServerId;
        this.repo = work.resolve(db + "-repo");
        Path yaml = work.resolve(db + ".yaml");
        Files.writeString(
                yaml,
                "source:\n  url: " + my.jdbcUrl(db) + "\n  user: root\n  server-id: " + agentServerId
                        + "\nrepository:\n  path: " + repo + "\n");
        this.config = new ConfigLoader(Map.of()).read(yaml);
    }

    /** The CRM tables, the marker table and {@code accounts} accounts (in checkpoint 0). */
    void create(int accounts) throws SQLException {
        my.createDatabase(db);
        my.execute(
                db,
                "CREATE TABLE accounts (id bigint AUTO_INCREMENT PRIMARY KEY, name varchar(200) NOT NULL, industry varchar(60),"
                        + " annual_revenue decimal(16,2), created_at datetime(6) NOT NULL, notes text)",
                "CREATE TABLE contacts (id bigint AUTO_INCREMENT PRIMARY KEY, account_id bigint NOT NULL, first_name varchar(80) NOT NULL,"
                        + " last_name varchar(80) NOT NULL, email varchar(200) NOT NULL, phone varchar(40), lifetime_value decimal(14,2) NOT NULL,"
                        + " created_at datetime(6) NOT NULL, updated_at datetime(6) NOT NULL, attributes json, notes text,"
                        + " KEY contacts_account (account_id), KEY contacts_email (email))",
                "CREATE TABLE activities (id bigint AUTO_INCREMENT PRIMARY KEY, contact_id bigint NOT NULL, account_id bigint NOT NULL,"
                        + " kind varchar(20) NOT NULL, subject varchar(200) NOT NULL, due_at datetime(6), amount decimal(12,2), body text,"
                        + " done tinyint(1) NOT NULL DEFAULT 0, KEY activities_contact (contact_id))",
                "CREATE TABLE bench_marker (id int PRIMARY KEY, note varchar(60), at datetime(6) NOT NULL)");
        try (Connection c = my.connect(db);
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO accounts (name, industry, annual_revenue, created_at, notes) VALUES (?, ?, ?, NOW(6), ?)")) {
            c.setAutoCommit(false);
            SplittableRandom r = new SplittableRandom(7);
            for (int i = 1; i <= accounts; i++) {
                ps.setString(1, Words.pick(r, Words.LAST) + " " + Words.pick(r, Words.COMPANY) + " #" + i);
                ps.setString(2, Words.pick(r, Words.INDUSTRY));
                ps.setBigDecimal(3, BigDecimal.valueOf(r.nextLong(100_000_000_000L), 2));
                ps.setString(4, Words.sentence(r, 20));
                ps.addBatch();
                if (i % 500 == 0) {
                    ps.executeBatch();
                }
            }
            ps.executeBatch();
            c.commit();
        }
        tables = List.of(db + ".accounts", db + ".contacts", db + ".activities", db + ".bench_marker");
    }

    Path logDir() {
        return Repository.open(repo).logDir();
    }

    /** The bare engine's properties: the agent's (MariaDbSettings) with an in-memory offset store and schema history. */
    Properties bareProperties() {
        SourceConfig c = config.source();
        SourceConfig mine = new SourceConfig(
                c.url(),
                c.user(),
                c.password(),
                c.tablesInclude(),
                c.tablesExclude(),
                c.slot(),
                c.publication(),
                c.captureDdl(),
                c.heartbeatInterval(),
                bareServerId);
        Properties p = MariaDbSettings.of(
                mine, tables, repo, KeptOffsets.class.getName(), config.agent().maxBatchSize());
        p.setProperty("name", "bench-bare-" + db);
        p.setProperty("schema.history.internal", KeptHistory.class.getName());
        p.remove("schema.history.internal.backtrack.repository");
        // the schema only: there are no rows to read, the engine streams from the position it records
        p.setProperty("snapshot.mode", "no_data");
        return p;
    }

    Map<String, String> bareChanges() {
        Properties agent = MariaDbSettings.of(
                config.source(),
                tables,
                repo,
                "dev.backtrack.agent.LogOffsetStore",
                config.agent().maxBatchSize());
        Properties p = bareProperties();
        Map<String, String> changed = new LinkedHashMap<>();
        Set<String> keys = new TreeSet<>(p.stringPropertyNames());
        keys.addAll(agent.stringPropertyNames());
        for (String k : keys) {
            if (!String.valueOf(p.getProperty(k)).equals(String.valueOf(agent.getProperty(k)))) {
                changed.put(k, agent.getProperty(k) + " -> " + p.getProperty(k));
            }
        }
        return changed;
    }
}
