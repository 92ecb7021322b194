package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM in the middle of {@code restore --jobs 2} (whose tables are committed before they are
 * loaded) leaves the target empty, and the re-run gives the same result as an uninterrupted restore.
 */
class RestoreSignalTest {
    private static final List<String> TABLES = List.of("public.notes", "public.events");

    @Test
    void aRestoreStoppedBySigtermLeavesTheTargetEmptyAndTheRerunEqualsTheSource(@TempDir Path dir) throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_restore_sigterm", dir)) {
            f.cluster.execute(
                    f.database,
                    "CREATE TABLE notes (id int PRIMARY KEY, body text)",
                    "INSERT INTO notes SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 400000) g",
                    "CREATE TABLE events (id int PRIMARY KEY, note_id int REFERENCES notes, kind text)",
                    "INSERT INTO events SELECT g, g, 'call' FROM generate_series(1, 200000) g");
            f.startAgent();
            f.awaitLogged();
            f.stopAgent();
            String expected = f.checksums(f.database, TABLES).toString();
            String target = "crm_restore_sigterm_target";
            f.cluster.createDatabase(target);
            Path log = dir.resolve("restore.out");
            AgentProcess restore = AgentProcess.startCommand(
                    log,
                    "restore",
                    "--repo",
                    f.repository.toString(),
                    "--to",
                    "latest",
                    "--target-url",
                    f.cluster.jdbcUrl(target),
                    "--target-user",
                    "postgres",
                    "--jobs",
                    "2");
            // SIGTERM once the restore has created its tables, while they load
            for (int i = 0; i < 600 && tables(f, target) == 0; i++) {
                Thread.sleep(20);
            }
            assertTrue(tables(f, target) > 0, "the restore never created its tables: " + Files.readString(log));
            int exit = restore.terminate();
            String said = Files.readString(log);
            if (tables(f, target) > 0) {
                // it had got past the loading when the signal came: then it finished, whole (the exit code is the
                // signal's, 143)
                assertEquals(expected, f.checksums(target, TABLES).toString(), "exit " + exit + ": " + said);
                return;
            }
            assertTrue(exit != 0 && said.contains("interrupted"), "exit " + exit + ": " + said);
            assertEquals(
                    0,
                    AgentProcess.run(
                            dir.resolve("rerun.out"),
                            "-Xmx512m",
                            "restore",
                            "--repo",
                            f.repository.toString(),
                            "--to",
                            "latest",
                            "--target-url",
                            f.cluster.jdbcUrl(target),
                            "--target-user",
                            "postgres",
                            "--jobs",
                            "2"),
                    () -> read(dir.resolve("rerun.out")));
            assertEquals(expected, f.checksums(target, TABLES).toString());
        }
    }

    private static int tables(CaptureFixture f, String db) {
        return Integer.parseInt(
                f.cluster.queryOne(db, "SELECT count(*)::text FROM pg_tables WHERE schemaname = 'public'"));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
