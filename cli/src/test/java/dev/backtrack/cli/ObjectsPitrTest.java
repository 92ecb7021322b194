package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.recovery.TargetInstant;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.testkit.AgentObjects;
import dev.backtrack.testkit.CrmObjects;
import dev.backtrack.testkit.DumpedSchema;
import dev.backtrack.testkit.PostgresCluster;
import dev.backtrack.testkit.PostgresPitr;
import dev.backtrack.testkit.SchemaDump;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole database, not only its rows: a CRM schema holding every object kind pg_dump dumps (an
 * extension-typed and a composite-typed column, partitioned tables with a default and a
 * sub-partitioned partition, a materialized view, row-level security, a procedure, an aggregate, a
 * sequence no column owns, ...), each kind created, replaced, altered and dropped while the agent
 * captures. At instants before, between and after the changes, `pg_dump --schema-only` of a restore
 * equals that of PostgreSQL's own point-in-time recovery to the same instant, every table holds the
 * same rows, and the application's inserts with default keys succeed on the restore.
 */
class ObjectsPitrTest {
    private static final String DB = "crm_objects";

    @Test
    void everyObjectAndRowAtEachInstantEqualsPostgresqlsOwnRecovery(@TempDir Path dir) throws Exception {
        Random random = new Random(15);
        try (PostgresPitr pitr = PostgresPitr.create();
                PostgresCluster source = PostgresCluster.start(pitr.settings());
                CaptureFixture f = new CaptureFixture(DB, dir, source)) {
            // checkpoints of every kind while the schema changes: a restore starts from whichever reads the least
            f.withConfig("checkpoint:\n  full-interval: 3s\n  diff-interval: 2s\n  incr-interval: 1s\n");
            try (Connection c = f.connect()) {
                CrmObjects.create(c);
                write(c, random, 3);
            }
            pitr.baseBackup(source);
            f.startAgent();
            List<String> instants = new ArrayList<>();
            try (Connection c = f.connect()) {
                for (int step = 1; step <= CrmObjects.STEPS; step++) {
                    write(c, random, 2);
                    instants.add(Micros.format(f.sourceNowMicros()));
                    CrmObjects.applyChanges(c, step);
                    write(c, random, 2);
                    Thread.sleep(1500);
                }
                instants.add(Micros.format(f.sourceNowMicros()));
                write(c, random, 1);
            }
            f.awaitLogged();
            f.stopAgent();
            pitr.flush(source);
            SchemaDump.Options dump = SchemaDump.Options.defaults()
                    .withAgent(AgentObjects.defaults().withPublications(DB));
            List<DumpedSchema> schemas = new ArrayList<>();
            Set<String> startedFrom = new TreeSet<>();
            for (int i = 0; i < instants.size(); i++) {
                String at = instants.get(i);
                String restored = DB + "_at_" + i;
                source.createDatabase(restored);
                // every other instant loads over two connections, the rest in one transaction
                List<String> args = new ArrayList<>(List.of(
                        "restore",
                        "--repo",
                        f.repository.toString(),
                        "--to",
                        at,
                        "--target-url",
                        source.jdbcUrl(restored),
                        "--target-user",
                        "postgres",
                        "--jobs",
                        i % 2 == 0 ? "1" : "2",
                        "--json"));
                // every other instant starts from the newest delta checkpoint before it, whose definitions the log
                // continues
                newestDelta(f, at)
                        .filter(d -> at.equals(instants.get(1)) || at.equals(instants.get(3)))
                        .ifPresent(d -> args.addAll(List.of("--set", d)));
                CommandLineTest.Run r = CommandLineTest.run(args.toArray(String[]::new));
                assertEquals(0, r.exit(), "restore to " + at + ": " + r.err());
                startedFrom.add(
                        new ObjectMapper().readTree(r.out()).path("checkpoint").asText());
                DumpedSchema ours = SchemaDump.of(source, restored, dump);
                try (PostgresPitr.Recovered pg = pitr.recoverTo(
                                source,
                                "recovery_target_time = '"
                                        + at.replace('T', ' ').replace("Z", "+00") + "'",
                                true);
                        Connection theirs = pg.connect(DB);
                        Connection mine = source.connect(restored)) {
                    DumpedSchema oracle = SchemaDump.of(source, pg.port(), DB, dump);
                    assertEquals(oracle, ours, () -> "instant " + at + ": " + SchemaDump.diff(oracle, ours));
                    assertEquals(SchemaChangeTest.state(theirs), SchemaChangeTest.state(mine), "rows at " + at);
                    assertEquals(populated(theirs), populated(mine), "materialized views populated at " + at);
                    write(mine, new Random(i), 2);
                }
                schemas.add(ours);
            }
            assertEquals(
                    instants.size(),
                    schemas.stream().distinct().count(),
                    "each instant should see another schema, or the comparison proves little");
            // the definitions a delta or a synthetic full stores are the ones its restores start from
            assertTrue(
                    startedFrom.size() >= 2 && startedFrom.stream().anyMatch(id -> id.contains("_")),
                    "restores started from " + startedFrom);
        }
    }

    /** The newest differential or incremental checkpoint at or before the instant. */
    private static Optional<String> newestDelta(CaptureFixture f, String instant) {
        long at = TargetInstant.parse(instant).micros();
        return Repository.open(f.repository).checkpoints().stream()
                .filter(m -> m.delta() && m.timeMicros() <= at)
                .reduce((a, b) -> b)
                .map(Manifest::id);
    }

    private static void write(Connection c, Random random, int rounds) throws SQLException {
        for (int i = 0; i < rounds; i++) {
            CrmObjects.writeSome(c, random);
        }
    }

    /** Which materialized views hold rows (a schema dump writes every one WITH NO DATA). */
    private static Map<String, Boolean> populated(Connection c) throws SQLException {
        Map<String, Boolean> out = new TreeMap<>();
        try (Statement st = c.createStatement();
                var rs = st.executeQuery("SELECT schemaname || '.' || matviewname, ispopulated FROM pg_matviews")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getBoolean(2));
            }
        }
        assertTrue(!out.isEmpty(), "the fixture has a materialized view");
        return out;
    }
}
