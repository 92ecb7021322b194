package dev.backtrack.cli;

import dev.backtrack.agent.Agent;
import dev.backtrack.cli.demo.CrmSchema;
import dev.backtrack.cli.demo.CrmWorkload;
import dev.backtrack.config.BacktrackConfig;
import dev.backtrack.config.ConfigLoader;
import dev.backtrack.connectors.SourceException;
import dev.backtrack.connectors.postgres.PostgresTarget;
import dev.backtrack.recovery.Restore;
import dev.backtrack.recovery.RestoreReport;
import dev.backtrack.recovery.RestoreTarget;
import dev.backtrack.recovery.TargetInstant;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.repository.position.Lsn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code backtrack demo}: the whole story on the local PostgreSQL — a CRM under load, an accidental
 * mass delete, and a restore to the instant before it, checked table by table.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Run the whole story on a local PostgreSQL: capture, an accidental DELETE, restore to the "
                + "instant before it.")
final class DemoCommand implements Runnable {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "PostgreSQL host (default ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "5432", description = "PostgreSQL port (default ${DEFAULT-VALUE})")
    int port;

    @Option(
            names = "--user",
            defaultValue = "postgres",
            description = "superuser to create the demo databases (default ${DEFAULT-VALUE})")
    String user;

    @Option(
            names = "--accounts",
            defaultValue = "2000",
            description = "accounts to seed (each with 3 contacts, 2 deals, 2 activities)")
    int accounts;

    @Option(names = "--seconds", defaultValue = "8", description = "seconds of CRM workload before the accident")
    int seconds;

    @Option(names = "--repo", description = "repository directory (default: a new one under the temp directory)")
    Path repo;

    private static final String SOURCE = "backtrack_demo";
    private static final String RESTORED = "backtrack_demo_restored";

    @Override
    public void run() {
        try {
            demo();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new SourceException("demo failed: " + e.getMessage(), e);
        }
    }

    private void demo() throws Exception {
        String base = "jdbc:postgresql://" + host + ":" + port + "/";
        Path repository = repo != null ? repo : Files.createTempDirectory("backtrack-demo-");
        step("1/6 creating the demo CRM database '" + SOURCE + "' on " + host + ":" + port);
        String sourceUrl = createDatabases(base);
        Path data = repository.resolve("repo");
        BacktrackConfig cfg = writeConfig(repository.resolve("backtrack.yaml"), sourceUrl, data);

        step("2/6 starting the agent (first run: checkpoint 0 from a consistent snapshot)");
        Agent agent = new Agent(cfg, System.out);
        AtomicReference<RuntimeException> agentFailure = new AtomicReference<>();
        Thread agentThread = startAgent(agent, agentFailure);
        waitForCheckpoint(data, agentFailure);

        step("3/6 running a CRM workload with 4 clients for " + seconds + " s");
        Noted noted = runWorkload(sourceUrl);
        step("4/6 the accident: DELETE FROM contacts");
        waitUntilLogged(data, deleteContacts(sourceUrl));
        agent.stop();
        agentThread.join();
        if (agentFailure.get() != null) {
            throw agentFailure.get();
        }

        step("5/6 restoring to T = " + Micros.format(noted.t()) + " into '" + RESTORED + "'");
        RestoreReport report = restoreTo(base, data, noted.t());

        step("6/6 comparing the restored database with the source as it was at T");
        boolean same = compare(base, noted.atT());
        dropSlot(base);
        System.out.println();
        if (!same) {
            throw new IllegalStateException("the restored database differs from the source at T: see the table above");
        }
        System.out.println("PROVED: every table and the view of '" + RESTORED + "' equal '" + SOURCE
                + "' as they were at " + Micros.format(noted.t())
                + " (row counts and MD5 of every row); contacts are back after the DELETE, with the trigger, "
                + "the view and the"
                + " partitioned activity feed, ready for the application's next insert.");
        System.out.println("repository: " + data + "   restore time: " + report.millis() + " ms");
    }

    /** The agent on a thread of its own; what it throws is kept in {@code failure}. */
    private static Thread startAgent(Agent agent, AtomicReference<RuntimeException> failure) {
        Thread agentThread = new Thread(
                () -> {
                    try {
                        agent.run();
                    } catch (RuntimeException e) {
                        failure.set(e);
                    }
                },
                "demo-agent");
        agentThread.start();
        return agentThread;
    }

    /** The repository restored to {@code t} into the RESTORED database; prints what was loaded. */
    private RestoreReport restoreTo(String base, Path data, long t) {
        RestoreReport report;
        try (PostgresTarget db = PostgresTarget.connect(base + RESTORED, user, "")) {
            report = new Restore(Repository.open(data), line -> System.out.println("   " + line.trim()))
                    .run(new RestoreTarget.Time(TargetInstant.parse(Micros.format(t))), db);
        }
        System.out.println("   restored " + report.rows() + " rows" + RestoreCommand.objects(report)
                + " from checkpoint " + report.checkpoint() + " + " + report.transactionsApplied() + " transactions in "
                + report.millis() + " ms");
        return report;
    }

    /** The demo's replication slot, which would otherwise hold WAL on this server forever. */
    private void dropSlot(String base) throws SQLException {
        try (Connection admin = DriverManager.getConnection(base + "postgres", user, "")) {
            exec(
                    admin,
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + SOURCE
                            + "'");
        }
    }

    /** The source and the restore's target made anew (the demo's slot dropped first); returns the source's URL. */
    private String createDatabases(String base) throws SQLException {
        dropSlot(base);
        try (Connection admin = DriverManager.getConnection(base + "postgres", user, "")) {
            exec(admin, "DROP DATABASE IF EXISTS " + SOURCE + " WITH (FORCE)");
            exec(admin, "DROP DATABASE IF EXISTS " + RESTORED + " WITH (FORCE)");
            exec(admin, "CREATE DATABASE " + SOURCE);
            exec(admin, "CREATE DATABASE " + RESTORED);
        }
        String sourceUrl = base + SOURCE;
        try (Connection c = DriverManager.getConnection(sourceUrl, user, "")) {
            CrmSchema.create(c);
            CrmSchema.seed(c, accounts, new Random(42));
            System.out.println("   seeded " + counts(c));
        }
        return sourceUrl;
    }

    private BacktrackConfig writeConfig(Path config, String sourceUrl, Path data) throws IOException {
        Files.writeString(
                config,
                "source:\n  url: " + sourceUrl + "\n  user: " + user + "\n  slot: " + SOURCE + "\n  publication: "
                        + SOURCE + "\n  heartbeat-interval: 1s\nrepository:\n  path: " + data + "\n");
        return ConfigLoader.load(config);
    }

    /** The instant T noted between the workload's transactions, and every table's checksum then. */
    private record Noted(long t, Map<String, String> atT) {}

    /** Runs the workload, holds it still to note T and the tables' checksums, then lets it run a second more. */
    private Noted runWorkload(String sourceUrl) throws Exception {
        try (CrmWorkload workload = new CrmWorkload(sourceUrl, user, 4, 7)) {
            workload.start();
            Thread.sleep(seconds * 1000L);
            Noted noted;
            try (AutoCloseable hold = workload.hold();
                    Connection c = DriverManager.getConnection(sourceUrl, user, "")) {
                noted = new Noted(instant(c), checksums(c));
                System.out.println("   noted T = " + Micros.format(noted.t()) + " after " + workload.committed()
                        + " transactions: " + counts(c));
            }
            Thread.sleep(1000);
            return noted;
        }
    }

    /** The accident; returns the WAL position the agent must have logged past. */
    private long deleteContacts(String sourceUrl) throws SQLException {
        try (Connection c = DriverManager.getConnection(sourceUrl, user, "")) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                int gone = st.executeUpdate("DELETE FROM contacts");
                long lsnBefore = Lsn.parse(one(c, "SELECT pg_current_wal_insert_lsn()::text"));
                c.commit();
                System.out.println("   deleted " + gone + " contacts; now " + counts(c));
                return lsnBefore;
            }
        }
    }

    /**
     * Every table's checksum in the restored database against the source's at T, printed; and the application's next
     * writes.
     */
    private boolean compare(String base, Map<String, String> atT) throws SQLException {
        boolean same = true;
        try (Connection c = DriverManager.getConnection(base + RESTORED, user, "")) {
            Map<String, String> restored = checksums(c);
            for (String table : atT.keySet()) {
                boolean eq = restored.get(table).equals(atT.get(table));
                same &= eq;
                System.out.printf(
                        "   %-20s at T %-44s restored %-44s %s%n",
                        table, atT.get(table), restored.get(table), eq ? "same" : "DIFFERENT");
            }
            same &= applicationWorks(c);
        }
        return same;
    }

    private static void waitForCheckpoint(Path data, AtomicReference<RuntimeException> agentFailure)
            throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            if (agentFailure.get() != null) {
                throw agentFailure.get();
            }
            if (Files.exists(data.resolve(Repository.ROOT_FILE))) {
                Repository r = Repository.open(data);
                if (!r.checkpoints().isEmpty()) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the agent wrote no checkpoint within 60 s");
    }

    /** Waits until the log holds a transaction that committed after {@code lsn}. */
    static void waitUntilLogged(Path data, long lsn) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            if (Repository.open(data).logSummary().lastPosition() > lsn) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(
                "the agent did not log the transaction after " + Lsn.format(lsn) + " within 60 s");
    }

    /**
     * What the application does next, tried in the restored database and rolled back: a contact
     * inserted with its default key (the sequence is past every restored row), updated (the trigger
     * stamps it), and an activity for today (routed to its partition).
     */
    private static boolean applicationWorks(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            String id = one(
                    c,
                    "INSERT INTO contacts (account_id, first_name) SELECT min(id), 'Demo' FROM accounts RETURNING id");
            st.execute("UPDATE contacts SET updated_at = NULL WHERE id = " + id);
            boolean stamped = one(c, "SELECT updated_at IS NOT NULL FROM contacts WHERE id = " + id)
                    .equals("t");
            st.execute("INSERT INTO activities VALUES (1, 'call', now(), 'demo')");
            String partition = one(c, "SELECT tableoid::regclass::text FROM activities WHERE detail = 'demo'");
            System.out.println("   next insert: contact " + id + " (its key from the restored sequence); the trigger "
                    + (stamped ? "stamped" : "did NOT stamp") + " its updated_at; a new activity went to partition "
                    + partition + " (rolled back)");
            return stamped && !partition.equals("activities");
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    private static long instant(Connection c) throws SQLException {
        return Long.parseLong(one(c, "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint::text"));
    }

    private static Map<String, String> checksums(Connection c) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String table : CrmSchema.TABLES) {
            out.put(table, CrmSchema.checksum(c, table));
        }
        out.put("public.open_deals", CrmSchema.checksum(c, "public.open_deals"));
        return out;
    }

    private static String counts(Connection c) throws SQLException {
        StringBuilder b = new StringBuilder();
        for (String table : CrmSchema.TABLES) {
            b.append(b.length() == 0 ? "" : ", ")
                    .append(table.substring(7))
                    .append(' ')
                    .append(CrmSchema.count(c, table));
        }
        return b.toString();
    }

    private static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement();
                var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static void step(String line) {
        System.out.println();
        System.out.println("== " + line);
    }
}
