package dev.backtrack.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.testkit.MariaDbPitr.BinlogCoordinates;
import dev.backtrack.testkit.MariaDbPitr.Recovered;
import dev.backtrack.testkit.MariaDbPitr.Target;
import dev.backtrack.testkit.MariaDbSchemaDump.Options;
import dev.backtrack.testkit.MariaDbTableChecksums.TableChecksum;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(600)
class MariaDbPitrTest {

    /** A database as held at one moment: every table's rows and its schema dump. */
    record Snapshot(Map<String, TableChecksum> rows, MariaDbDumpedSchema schema) {
        static Snapshot of(MariaDbServer server, String database) throws SQLException {
            return new Snapshot(
                    MariaDbTableChecksums.of(server, database),
                    MariaDbSchemaDump.of(server, database, Options.defaults()));
        }

        void assertSameAs(Snapshot recovered, String what) {
            assertEquals(rows, recovered.rows, () -> what + ": " + MariaDbTableChecksums.diff(rows, recovered.rows));
            assertEquals(
                    schema, recovered.schema, () -> what + ": " + MariaDbSchemaDump.diff(schema, recovered.schema));
        }
    }

    @Test
    void recoversToAnInstantAndToAPositionBetweenChangeStepsAsTheSourceHeldThem() throws Exception {
        try (MariaDbServer source = MariaDbServer.start(Map.of())) {
            source.createDatabase("crm");
            Random random = new Random(16);
            work(source, random, 0);
            try (MariaDbPitr pitr = MariaDbPitr.backup(source, "crm")) {
                work(source, random, 1);
                Instant afterStep1 = MariaDbPitr.quietInstant();
                Snapshot atStep1 = Snapshot.of(source, "crm");
                work(source, random, 2);
                BinlogCoordinates afterStep2 = MariaDbPitr.currentPosition(source);
                Snapshot atStep2 = Snapshot.of(source, "crm");
                work(source, random, 3);
                Snapshot last = Snapshot.of(source, "crm");
                assertNotEquals(atStep1.rows(), atStep2.rows());
                assertNotEquals(atStep2.schema(), last.schema());

                try (Recovered byTime = pitr.recoverTo(Target.at(afterStep1))) {
                    assertNotEquals(source.port(), byTime.port());
                    atStep1.assertSameAs(Snapshot.of(byTime.server(), "crm"), "recovered to " + afterStep1);
                    // a second database on the recovering server, renamed by --rewrite-db
                    try (Recovered byPosition =
                            pitr.recoverTo(Target.before(afterStep2), byTime.server(), "crm_step_2")) {
                        atStep2.assertSameAs(
                                Snapshot.of(byPosition.server(), "crm_step_2"), "recovered to " + afterStep2);
                    }
                    atStep1.assertSameAs(Snapshot.of(byTime.server(), "crm"), "the first recovery, after the second");
                }
            }
        }
    }

    @Test
    void anInstantThatIsNotAWholeSecondIsRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Target.at(Instant.parse("2024-05-01T10:00:00.250Z")));
        assertTrue(e.getMessage().contains("whole second"), e.getMessage());
    }

    @Test
    void theSourceServerIsRefusedAsTheRecoveringOne() {
        MariaDbServer shared = MariaDbServer.shared();
        shared.createDatabase("crm_pitr_refused");
        shared.execute("crm_pitr_refused", "CREATE TABLE t (id INT PRIMARY KEY)");
        try (MariaDbPitr pitr = MariaDbPitr.backup(shared, "crm_pitr_refused")) {
            BinlogCoordinates now = MariaDbPitr.currentPosition(shared);
            assertThrows(
                    IllegalArgumentException.class, () -> pitr.recoverTo(Target.before(now), shared, "crm_pitr_copy"));
            assertEquals(
                    null,
                    shared.queryOne(
                            null, "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'crm_pitr_copy'"));
        }
    }

    /** Writes rounds, applies change step {@code step} (0: creates the fixture), writes more rounds. */
    private static void work(MariaDbServer source, Random random, int step) throws SQLException {
        try (Connection c = source.connect("crm")) {
            if (step == 0) {
                MariaDbCrm.create(c);
            }
            for (int i = 0; i < 4; i++) {
                MariaDbCrm.writeSome(c, random);
            }
            if (step > 0) {
                MariaDbCrm.applyChanges(c, step);
                for (int i = 0; i < 4; i++) {
                    MariaDbCrm.writeSome(c, random);
                }
            }
        }
    }
}
