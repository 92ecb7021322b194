package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.recovery.RestoreReport;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.gap.Gaps;
import dev.backtrack.testkit.MariaDbCrm;
import dev.backtrack.testkit.MariaDbDumpedSchema;
import dev.backtrack.testkit.MariaDbPitr;
import dev.backtrack.testkit.MariaDbSchemaDump;
import dev.backtrack.testkit.MariaDbServer;
import dev.backtrack.testkit.MariaDbTableChecksums;
import dev.backtrack.testkit.MariaDbTableChecksums.TableChecksum;
import dev.backtrack.testkit.PostgresCluster;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's proof on the MariaDB CRM fixture (triggers writing other tables, cascading foreign keys
 * the workload exercises through parent deletes and key changes, spatial and generated columns, MyISAM
 * and Aria tables, views, routines, an event), changed by DDL while the agent captures: a restore to an
 * instant taken in a quiet gap equals the source as it was then (every table's rows, and
 * {@code mariadb-dump --no-data --routines --triggers --events}), and MariaDB's own point-in-time
 * recovery of the same window row for row; also from a differential and a synthetic full built from the log.
 */
class MariaDbPointInTimeTest {
    private static final MariaDbSchemaDump.Options SCHEMA = MariaDbSchemaDump.Options.defaults()
            .ignoringDefiner()
            .ignoringEventStatus()
            .ignoringClientCharset();

    /** A database's rows and its schema as mariadb-dump writes it. */
    record State(Map<String, TableChecksum> rows, MariaDbDumpedSchema schema) {
        static State of(MariaDbServer server, String database) throws Exception {
            return new State(
                    MariaDbTableChecksums.of(server, database), MariaDbSchemaDump.of(server, database, SCHEMA));
        }

        void assertRestored(State restored, String what) {
            assertEquals(schema, restored.schema, () -> what + ": " + MariaDbSchemaDump.diff(schema, restored.schema));
            assertEquals(rows, restored.rows, () -> what + ": " + MariaDbTableChecksums.diff(rows, restored.rows));
        }
    }

    @Test
    void restoresToQuietInstantsEqualTheSourceThenAndMariaDbsOwnRecovery(@TempDir Path dir) throws Exception {
        Random random = new Random(16);
        try (MariaDbSource source = new MariaDbSource("crm_pit", dir, 5461)) {
            MariaDbServer server = source.server;
            try (Connection c = source.connect()) {
                MariaDbCrm.create(c);
                MariaDbCrm.writeSome(c, random);
            }
            // the migration's target on a server of its own: DDL into another database of the source's server makes the
            // agent
            // read the definitions again, at that DDL's place (see the README's limits)
            try (MariaDbPitr pitr = MariaDbPitr.backup(server, "crm_pit");
                    MariaDbServer elsewhere = MariaDbServer.start(Map.of())) {
                source.startAgent();
                // a migration into MariaDB follows steps 1 and 2 (the target's own foreign key rules act as it applies
                // the rows), then cuts over
                elsewhere.createDatabase("crm_pit_mig");
                AgentProcess migrate = AgentProcess.startCommand(
                        dir.resolve("migrate.log"),
                        "migrate",
                        "--repo",
                        source.repository.toString(),
                        "--target-url",
                        elsewhere.jdbcUrl("crm_pit_mig"),
                        "--target-user",
                        "root",
                        "--follow",
                        "--poll",
                        "100");
                List<Instant> instants = new ArrayList<>();
                List<State> states = new ArrayList<>();
                for (int step = 1; step <= 4; step++) {
                    try (Connection c = source.connect()) {
                        MariaDbCrm.writeSome(c, random);
                        if (step == 3) {
                            // logged before step 3's unreadable DDL stops the stream, so the gap starts after the
                            // previous instant
                            source.awaitLogged();
                        }
                        if (step <= MariaDbCrm.STEPS) {
                            MariaDbCrm.applyChanges(c, step);
                        }
                        MariaDbCrm.writeSome(c, random);
                        MariaDbCrm.writeSome(c, random);
                    }
                    source.awaitLogged();
                    if (step == 3) {
                        // instants before the fresh checkpoint that closes step 3's gap are not recoverable
                        awaitGapClosed(source);
                        // the fresh checkpoint after the gap took step 3's rows: a synthetic full needs some logged
                        // after it
                        try (Connection c = source.connect()) {
                            MariaDbCrm.writeSome(c, random);
                        }
                        source.awaitLogged();
                    }
                    // checkpoints built from the log: a differential over steps 1-2, a synthetic full over 3
                    if (step == 2 || step == 3) {
                        checkpoint(source, step == 2 ? "diff" : "full");
                    }
                    instants.add(MariaDbPitr.quietInstant());
                    states.add(State.of(server, "crm_pit"));
                    if (step == 2) {
                        assertMigrated(source, elsewhere, migrate, states.get(1));
                    }
                }
                // a transaction after the last instant, so the recoverable window reaches past it
                source.awaitLogged();
                source.stopAgent();
                List<String> checkpoints = Repository.open(source.repository).checkpoints().stream()
                        .map(Manifest::id)
                        .toList();
                // step 3 adds a column with REF_SYSTEM_ID, which Debezium's parser cannot read: a gap, and a fresh
                // checkpoint after it
                assertEquals(
                        4,
                        checkpoints.size(),
                        "checkpoint 0, the differential, the fresh one after the gap, the synthetic full: "
                                + checkpoints + "\n" + source.agentOutput());
                List<Gaps.Gap> gaps = Gaps.list(Repository.open(source.repository));
                assertEquals(1, gaps.size(), gaps.toString());
                assertTrue(
                        gaps.get(0).reason().contains("REF_SYSTEM_ID"),
                        gaps.get(0).reason());
                assertNotEquals(states.get(0).rows(), states.get(3).rows());
                assertNotEquals(states.get(0).schema(), states.get(3).schema());
                for (int i = 0; i < instants.size(); i++) {
                    Instant t = instants.get(i);
                    String restored = "crm_pit_r" + i;
                    server.createDatabase(restored);
                    // step 1 from checkpoint 0 and the log, step 2 from the differential, step 3 from the cheapest,
                    // step 4 from the synthetic full
                    String from = i == 2 ? null : checkpoints.get(i == 3 ? 3 : i);
                    RestoreReport report = source.restore(t.toString(), server.jdbcUrl(restored), "root", from);
                    assertTrue(from == null || from.equals(report.checkpoint()), report.checkpoint());
                    State at = State.of(server, restored);
                    states.get(i).assertRestored(at, "restore to " + t + " from " + report.chain());
                    if (i == 1 || i == 3) {
                        try (MariaDbPitr.Recovered own = pitr.recoverTo(MariaDbPitr.Target.at(t))) {
                            Map<String, TableChecksum> theirs = MariaDbTableChecksums.of(own.server(), own.database());
                            assertEquals(
                                    theirs,
                                    at.rows(),
                                    () -> "MariaDB's own recovery to " + t + " and ours: "
                                            + MariaDbTableChecksums.diff(theirs, at.rows()));
                        }
                    }
                }
                PostgresCluster pg = PostgresCluster.shared();
                for (int i = 0; i < 3; i++) {
                    // the earlier instants into PostgreSQL: the same rows as the MariaDB restore, value by value
                    pg.createDatabase("crm_pit_pg_" + i);
                    pg.execute("crm_pit_pg_" + i, "CREATE EXTENSION postgis");
                    source.restore(instants.get(i).toString(), pg.jdbcUrl("crm_pit_pg_" + i), "postgres");
                    MariaDbSource.assertTables(
                            "restore into PostgreSQL to " + instants.get(i),
                            MariaDbSource.mariaDbTables(server, "crm_pit_r" + i),
                            MariaDbSource.postgresTables(pg.jdbcUrl("crm_pit_pg_" + i), "crm_pit"));
                }
                intoPostgresql(source, instants.get(3), "crm_pit_r3");
            }
        }
    }

    /**
     * The migration, once it has applied everything logged, holds the source's rows; cut over (which
     * makes the triggers, held back while following), it equals the source, schema and rows (its own
     * progress table aside). Done before step 3's gap, which a migration cannot cross.
     */
    private static void assertMigrated(MariaDbSource source, MariaDbServer target, AgentProcess migrate, State expected)
            throws Exception {
        long last = Repository.open(source.repository).logSummary().lastSequence();
        for (int i = 0; i < 600 && appliedSequence(target) < last; i++) {
            Thread.sleep(100);
        }
        assertEquals(143, migrate.terminate(), migrate.output());
        assertTrue(
                !migrate.output().contains("refused"), "every statement applied while following:\n" + migrate.output());
        Map<String, TableChecksum> migrated = new TreeMap<>(MariaDbTableChecksums.of(target, "crm_pit_mig"));
        assertTrue(
                migrated.remove("backtrack_migration") != null,
                migrated.keySet().toString());
        long applied = appliedSequence(target);
        assertEquals(
                expected.rows(),
                migrated,
                () -> "migrate --follow through log sequence " + applied + " of " + last + ": "
                        + MariaDbTableChecksums.diff(expected.rows(), migrated) + "\n" + migrate.output());
        assertTrue(
                MariaDbSchemaDump.of(target, "crm_pit_mig", SCHEMA)
                        .ofKind("TRIGGER")
                        .isEmpty(),
                "triggers wait for cutover");
        CommandLineTest.Run cutover = CommandLineTest.run(
                "migrate",
                "cutover",
                "--repo",
                source.repository.toString(),
                "--target-url",
                target.jdbcUrl("crm_pit_mig"),
                "--target-user",
                "root",
                "--config",
                source.config.toString(),
                "--quiet",
                "1");
        assertEquals(0, cutover.exit(), cutover.err() + cutover.out());
        MariaDbDumpedSchema cut = MariaDbSchemaDump.of(target, "crm_pit_mig", SCHEMA);
        MariaDbDumpedSchema schema = new MariaDbDumpedSchema(cut.sections().stream()
                .filter(s -> !s.name().equals("backtrack_migration"))
                .toList());
        assertEquals(
                expected.schema(), schema, () -> "after cutover: " + MariaDbSchemaDump.diff(expected.schema(), schema));
    }

    private static long appliedSequence(MariaDbServer target) {
        try {
            String v = target.queryOne(
                    "crm_pit_mig", "SELECT value FROM backtrack_migration WHERE name = 'applied_sequence'");
            return v == null ? -1 : Long.parseLong(v);
        } catch (IllegalStateException notYet) {
            // the first restore has not committed its progress table yet
            return -1;
        }
    }

    /**
     * The same instant into PostgreSQL (with PostGIS, which the spatial columns need): rows equal to
     * the MariaDB restore's, value by value, and what PostgreSQL cannot take in MariaDB's dialect
     * (views, routines, triggers, events, FULLTEXT indexes) reported as left out, each one.
     */
    private static void intoPostgresql(MariaDbSource source, Instant t, String restoredInMariaDb) throws Exception {
        PostgresCluster pg = PostgresCluster.shared();
        pg.createDatabase("crm_pit_pg");
        pg.execute("crm_pit_pg", "CREATE EXTENSION postgis");
        String[] restore = {
            "restore",
            "--repo",
            source.repository.toString(),
            "--to",
            t.toString(),
            "--target-url",
            pg.jdbcUrl("crm_pit_pg"),
            "--target-user",
            "postgres"
        };
        CommandLineTest.Run strict = CommandLineTest.run(CommandLineTest.append(restore, "--strict"));
        assertEquals(2, strict.exit(), strict.err());
        assertTrue(
                strict.err().strip().lines().count() == 1
                        && strict.err().contains("--strict: a postgresql target would leave out"),
                strict.err());
        assertEquals(
                "0",
                pg.queryOne(
                        "crm_pit_pg",
                        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
                                + "n.nspname = 'crm_pit'"),
                "--strict wrote nothing");
        CommandLineTest.Run run = CommandLineTest.run(CommandLineTest.append(restore, "--json"));
        assertEquals(0, run.exit(), run.err());
        RestoreReport report = new ObjectMapper().readValue(run.out(), RestoreReport.class);
        MariaDbSource.assertTables(
                "restore into PostgreSQL to " + t,
                MariaDbSource.mariaDbTables(source.server, restoredInMariaDb),
                MariaDbSource.postgresTables(pg.jdbcUrl("crm_pit_pg"), "crm_pit"));
        Map<String, Integer> expected = new TreeMap<>();
        for (String[] kind : new String[][] {
            {"view", "SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = '%s'"},
            {
                "procedure",
                "SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '%s' AND ROUTINE_TYPE "
                        + "= 'PROCEDURE'"
            },
            {
                "function",
                "SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '%s' AND ROUTINE_TYPE "
                        + "= 'FUNCTION'"
            },
            {"trigger", "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '%s'"},
            {"event", "SELECT COUNT(*) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = '%s'"}
        }) {
            int n = Integer.parseInt(source.server.queryOne(restoredInMariaDb, kind[1].formatted(restoredInMariaDb)));
            if (n > 0) {
                expected.put("skipped " + kind[0], n);
            }
        }
        Map<String, Integer> skipped = new TreeMap<>(report.objects());
        skipped.keySet().removeIf(k -> !k.startsWith("skipped "));
        assertEquals(expected, skipped, "objects reported as left out; notes: " + report.notes());
        long fulltext = Long.parseLong(source.server.queryOne(
                restoredInMariaDb,
                ("SELECT COUNT(DISTINCT TABLE_NAME, INDEX_NAME) FROM information_schema.STATISTICS"
                                + " WHERE TABLE_SCHEMA = '%s' AND INDEX_TYPE = 'FULLTEXT'")
                        .formatted(restoredInMariaDb)));
        assertEquals(
                fulltext,
                report.notes().stream().filter(n -> n.contains("FULLTEXT")).count(),
                "FULLTEXT indexes reported: " + report.notes());
        assertTrue(fulltext > 0 && expected.size() == 5, "the fixture has every kind: " + expected);
        // without --json, everything left out is said before the restore writes
        pg.createDatabase("crm_pit_pg2");
        pg.execute("crm_pit_pg2", "CREATE EXTENSION postgis");
        restore[restore.length - 3] = pg.jdbcUrl("crm_pit_pg2");
        CommandLineTest.Run said = CommandLineTest.run(restore);
        assertEquals(0, said.exit(), said.err());
        assertEquals(
                report.notes().size(),
                said.err().lines().filter(l -> l.startsWith("will leave out: ")).count(),
                said.err());
    }

    /** Waits (up to 60 s) until every gap of the log is closed by its fresh checkpoint. */
    private static void awaitGapClosed(MariaDbSource source) throws Exception {
        for (int i = 0; i < 1200; i++) {
            List<Gaps.Gap> gaps = Gaps.list(Repository.open(source.repository));
            if (!gaps.isEmpty() && gaps.stream().noneMatch(Gaps.Gap::open)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("step 3's gap was not closed within 60 s\n" + source.agentOutput());
    }

    private static void checkpoint(MariaDbSource source, String kind) {
        CommandLineTest.Run r = CommandLineTest.run("checkpoint", "--config", source.config.toString(), "--kind", kind);
        assertEquals(0, r.exit(), () -> "checkpoint --kind " + kind + ": " + r.err() + r.out());
    }
}
