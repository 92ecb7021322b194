package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.mark.Marks;
import dev.backtrack.repository.position.Lsn;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exact targets: a transaction id (inclusive or just before it), an LSN, a named mark. */
class RestoreTargetsTest {
    private static final List<String> TABLES = List.of("public.items");

    private record Point(String xid, String lsn, String state) {}

    private static Point commit(CaptureFixture f, String... sql) throws Exception {
        try (Connection c = f.connect()) {
            CaptureFixture.Committed done = CaptureFixture.commit(c, sql);
            return new Point(
                    done.xid(), done.lsnAfter(), f.checksums(f.database, TABLES).toString());
        }
    }

    private static String restored(CaptureFixture f, String db, String... args) {
        f.cluster.createDatabase(db);
        String[] all = new String[args.length + 8];
        System.arraycopy(
                new String[] {
                    "restore",
                    "--repo",
                    f.repository.toString(),
                    "--target-url",
                    f.cluster.jdbcUrl(db),
                    "--target-user",
                    "postgres"
                },
                0,
                all,
                0,
                7);
        System.arraycopy(args, 0, all, 7, args.length);
        all[all.length - 1] = "--json";
        CommandLineTest.Run r = CommandLineTest.run(all);
        assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.err());
        try {
            return f.checksums(db, TABLES).toString();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void restoresToATransactionJustBeforeItToAnLsnAndToANamedMark(@TempDir Path dir) throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_targets", dir)) {
            f.cluster.execute(
                    f.database,
                    "CREATE TABLE items (id int PRIMARY KEY, v text)",
                    "INSERT INTO items SELECT g, 'seed' FROM generate_series(1, 10) g");
            f.startAgent();
            Point first = commit(f, "INSERT INTO items VALUES (100, 'first')");
            assertEquals(
                    0,
                    CommandLineTest.run("mark", "before-import", "--config", f.config.toString())
                            .exit());
            Point bad = commit(
                    f,
                    "INSERT INTO items SELECT g, 'imported' FROM generate_series(200, 249) g",
                    "UPDATE items SET v = 'clobbered' WHERE id <= 5");
            Point third = commit(f, "DELETE FROM items WHERE id BETWEEN 6 AND 8");
            f.awaitLogged();
            f.stopAgent();
            assertTrue(CommandLineTest.run("backups", "--repo", f.repository.toString(), "--json")
                    .out()
                    .contains("before-import"));

            assertEquals(first.state(), restored(f, "t_xid1", "--to", "xid:" + first.xid()));
            assertEquals(first.state(), restored(f, "t_before2", "--before", "xid:" + bad.xid()));
            assertEquals(first.state(), restored(f, "t_mark", "--to", "mark:before-import"));
            assertEquals(first.state(), restored(f, "t_lsn1", "--to", "lsn:" + first.lsn()));
            assertEquals(bad.state(), restored(f, "t_xid2", "--to", "xid:" + bad.xid()));
            assertEquals(bad.state(), restored(f, "t_lsn2", "--to", "lsn:" + bad.lsn()));
            assertEquals(bad.state(), restored(f, "t_before3", "--before", "xid:" + third.xid()));
            assertEquals(third.state(), restored(f, "t_latest", "--to", "latest"));

            String url = f.cluster.jdbcUrl("t_never");
            CommandLineTest.refused(
                    ExitCode.BAD_INPUT,
                    "not in the log",
                    "restore",
                    "--repo",
                    f.repository.toString(),
                    "--to",
                    "xid:999999999",
                    "--target-url",
                    url);
            CommandLineTest.refused(
                    ExitCode.BAD_INPUT,
                    "no mark named",
                    "restore",
                    "--repo",
                    f.repository.toString(),
                    "--to",
                    "mark:nope",
                    "--target-url",
                    url);
            // indexed just before its transaction was to be logged, and capture stopped in between
            Marks.record(
                    Repository.open(f.repository),
                    new Marks.Mark("pending", 999_999, 0, Lsn.parse(third.lsn()) + 1, "2026-01-01T00:00:00Z"));
            CommandLineTest.refused(
                    ExitCode.BAD_INPUT,
                    "not in the log yet",
                    "restore",
                    "--repo",
                    f.repository.toString(),
                    "--to",
                    "mark:pending",
                    "--target-url",
                    url);
            CommandLineTest.refused(
                    ExitCode.BAD_INPUT,
                    "conflict",
                    "restore",
                    "--repo",
                    f.repository.toString(),
                    "--to",
                    "latest",
                    "--before",
                    "xid:1",
                    "--target-url",
                    url);
            CommandLineTest.refused(
                    ExitCode.BAD_INPUT,
                    "not an LSN",
                    "restore",
                    "--repo",
                    f.repository.toString(),
                    "--to",
                    "lsn:zz",
                    "--target-url",
                    url);
            CommandLineTest.refused(
                    ExitCode.BAD_INPUT, "exists already", "mark", "before-import", "--config", f.config.toString());
            CommandLineTest.refused(
                    ExitCode.BAD_INPUT, "not valid", "mark", "no spaces", "--config", f.config.toString());
        }
    }
}
