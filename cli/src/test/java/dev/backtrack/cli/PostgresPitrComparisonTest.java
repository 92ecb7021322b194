package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.cli.demo.CrmSchema;
import dev.backtrack.cli.demo.CrmWorkload;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.testkit.PostgresCluster;
import dev.backtrack.testkit.PostgresPitr;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The strongest check: for a mixed workload (several clients; inserts, updates, deletes, TRUNCATE,
 * DDL mid-stream) a Backtrack restore to an instant, an xid and an LSN equals PostgreSQL's own
 * point-in-time recovery of the same target, table by table — definitions and every row.
 */
class PostgresPitrComparisonTest {
    private static final String DB = "crm_pitr";

    private record Target(String name, String backtrack, String postgres, boolean inclusive) {}

    @Test
    void restoresEqualPostgresqlsOwnRecoveryOfTheSameTargets(@TempDir Path dir) throws Exception {
        try (PostgresPitr pitr = PostgresPitr.create();
                PostgresCluster source = PostgresCluster.start(pitr.settings());
                CaptureFixture f = new CaptureFixture(DB, dir, source)) {
            try (Connection c = f.connect()) {
                CrmSchema.create(c);
                CrmSchema.seed(c, 120, new Random(17));
            }
            pitr.baseBackup(source);
            f.startAgent();
            List<Target> targets = new ArrayList<>();
            String[][] ddl = {
                {
                    "ALTER TABLE contacts ADD COLUMN tier int DEFAULT 3",
                    "ALTER TABLE contacts ADD COLUMN avatar_unused text",
                    "CREATE INDEX contacts_tier_idx ON contacts (tier)"
                },
                {
                    "CREATE TABLE tasks (id bigserial PRIMARY KEY, account_id bigint REFERENCES accounts (id), "
                            + "due date, done boolean DEFAULT false)",
                    "INSERT INTO tasks (account_id, due) SELECT id, DATE '2026-12-01' + (id % 30)::int FROM "
                            + "accounts WHERE id % 3 = 0"
                },
                {
                    "ALTER TABLE tasks RENAME COLUMN due TO due_on",
                    "ALTER TABLE contacts DROP COLUMN avatar_unused",
                    "TRUNCATE activities",
                    // table rewrites: values PostgreSQL computes for every existing row
                    "ALTER TABLE tasks ADD COLUMN created timestamptz NOT NULL DEFAULT clock_timestamp()",
                    "ALTER TABLE deals ALTER COLUMN probability TYPE numeric(6,4) USING round(probability::numeric, 4)"
                },
            };
            try (CrmWorkload workload = new CrmWorkload(f.url(), "postgres", 3, 5)) {
                workload.start();
                for (int i = 0; i < 3; i++) {
                    Thread.sleep(1500);
                    try (AutoCloseable hold = workload.hold();
                            Connection c = f.connect()) {
                        long t = f.sourceNowMicros();
                        targets.add(new Target(
                                "time " + i,
                                Micros.format(t),
                                "recovery_target_time = '"
                                        + Micros.format(t).replace('T', ' ').replace("Z", "+00") + "'",
                                true));
                        // DDL between instants, in its own transaction, while the clients are held
                        CaptureFixture.Committed done = CaptureFixture.commit(c, ddl[i]);
                        String xid = done.xid();
                        String lsn = done.lsnAfter();
                        if (i == 1) {
                            targets.add(new Target("xid", "xid:" + xid, "recovery_target_xid = '" + xid + "'", true));
                            targets.add(new Target(
                                    "before xid", "--before xid:" + xid, "recovery_target_xid = '" + xid + "'", false));
                            targets.add(new Target("lsn", "lsn:" + lsn, "recovery_target_lsn = '" + lsn + "'", true));
                        }
                    }
                }
                Thread.sleep(1000);
                // an instant after the table rewrites, with the clients writing on top of them
                try (AutoCloseable hold = workload.hold()) {
                    long t = f.sourceNowMicros();
                    targets.add(new Target(
                            "time after rewrites",
                            Micros.format(t),
                            "recovery_target_time = '"
                                    + Micros.format(t).replace('T', ' ').replace("Z", "+00") + "'",
                            true));
                }
                Thread.sleep(500);
            }
            f.awaitLogged();
            f.stopAgent();
            pitr.flush(source);

            int compared = 0;
            List<Map<String, String>> states = new ArrayList<>();
            for (int i = 0; i < targets.size(); i++) {
                Target t = targets.get(i);
                String db = "crm_pitr_bt_" + i;
                source.createDatabase(db);
                String[] to = t.backtrack().startsWith("--before")
                        ? new String[] {"--before", t.backtrack().substring(9)}
                        : new String[] {"--to", t.backtrack()};
                // every other target loads over two connections (--jobs 2), the rest in one transaction
                CommandLineTest.Run r = CommandLineTest.run(
                        "restore",
                        "--repo",
                        f.repository.toString(),
                        to[0],
                        to[1],
                        "--target-url",
                        source.jdbcUrl(db),
                        "--target-user",
                        "postgres",
                        "--jobs",
                        i % 2 == 0 ? "1" : "2");
                assertEquals(0, r.exit(), t.name() + ": " + r.err());
                Map<String, String> ours;
                try (Connection c = source.connect(db)) {
                    ours = SchemaChangeTest.state(c);
                }
                try (PostgresPitr.Recovered pg = pitr.recoverTo(source, t.postgres(), t.inclusive());
                        Connection c = pg.connect(DB)) {
                    Map<String, String> theirs = SchemaChangeTest.state(c);
                    assertEquals(
                            theirs,
                            ours,
                            "Backtrack restore vs PostgreSQL recovery, target " + t.name() + " (" + t.backtrack()
                                    + ")");
                    compared += theirs.size() - 1;
                    states.add(theirs);
                }
            }
            assertTrue(compared >= targets.size() * 4, "compared only " + compared + " tables");
            // writers were held around each DDL transaction: just before it is the instant noted before it, and its LSN
            // is its xid
            assertEquals(
                    states.get(1), states.get(3), "--before xid vs the instant noted just before that transaction");
            assertEquals(states.get(2), states.get(4), "xid vs the LSN right after that transaction");
            assertEquals(
                    5,
                    states.stream().distinct().count(),
                    "the targets should reach five different states, or the comparison proves little");
        }
    }
}
