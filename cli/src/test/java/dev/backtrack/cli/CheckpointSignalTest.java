package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.checkpoint.DataStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to {@code backtrack checkpoint} in a child JVM, for every kind: an incremental, a differential
 * and a synthetic full once they have stored their first data file, and a fresh full while it reads the
 * source and once it stores its data files. Each time the command exits 143 with one line saying it rolled
 * back, and leaves no partial directory, no data file of it, a clean verify and the same backups; run
 * again, it writes the checkpoint, and a restore of latest equals the source. (A signal that takes effect
 * only after the checkpoint is published leaves it, and the command exits 0.)
 */
class CheckpointSignalTest {
    private static final int CONTACTS = 300_000;
    private static final List<String> TABLES = List.of("public.contacts");
    private static final String ROLLED_BACK =
            "backtrack: checkpoint rolled back: stopped by a signal; nothing of it is left (run it again)";
    /** 128 + SIGTERM: the code of a command the signal ended, as restore and migrate exit. */
    private static final int SIGNALLED = 143;

    @Test
    void aCheckpointStoppedBySigtermIsRolledBackWhollyAndWrittenByTheNextRun(@TempDir Path dir) throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_ckpt_sigterm", dir)) {
            f.cluster.execute(
                    f.database,
                    "CREATE TABLE contacts (id int PRIMARY KEY, name text NOT NULL, notes text)",
                    "INSERT INTO contacts SELECT g, 'c' || g, repeat(md5(g::text), 2) FROM generate_series(1, "
                            + CONTACTS + ") g");
            f.startAgent();
            // every row changes: a delta holds 300,000 net states and a full rewrites the table
            f.cluster.execute(f.database, "UPDATE contacts SET name = name || '+'");
            f.awaitLogged();
            f.stopAgent();
            List<String> figures = new ArrayList<>();
            for (String kind : List.of("incr", "diff", "full")) {
                figures.add(stopAndRerun(f, dir, kind, false));
            }
            for (boolean midRead : List.of(true, false)) {
                f.cluster.execute(f.database, "UPDATE contacts SET notes = 'fresh' WHERE id % 1000 = 0");
                figures.add(stopAndRerun(f, dir, "fresh", midRead));
            }
            String target = "crm_ckpt_sigterm_restored";
            f.restore("latest", target);
            assertEquals(f.checksums(f.database, TABLES), f.checksums(target, TABLES), "restore to latest vs source");
            figures.forEach(System.out::println);
        }
    }

    /**
     * One case: {@code checkpoint --kind kind} in a child JVM (1 MiB data files), SIGTERM once it has stored a
     * data file (or, {@code midRead}, once a fresh full reads the source); checks the rollback, runs the
     * command again; returns the figure line.
     */
    private String stopAndRerun(CaptureFixture f, Path dir, String kind, boolean midRead) throws Exception {
        boolean fresh = kind.equals("fresh");
        if (fresh) {
            startAgent(f);
        }
        String before = backups(f, fresh);
        Set<String> files = checkpointFiles(f);
        String name = kind + (midRead ? "-read" : "");
        Path out = dir.resolve(name + ".out"), err = dir.resolve(name + ".err");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-Xmx512m",
                        "-Dbacktrack.chunk-bytes=" + (1 << 20),
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "checkpoint",
                        "--config",
                        f.config.toString(),
                        "--kind",
                        kind,
                        "--json")
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            if (midRead) {
                awaitFreshRead(f, p, err);
            } else {
                awaitFirstDataFile(f, p, err);
            }
            long signal = System.nanoTime();
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "checkpoint --kind " + kind + " still runs 30 s after SIGTERM");
            double stopped = (System.nanoTime() - signal) / 1e9;
            String said = Files.readString(err);
            if (p.exitValue() == ExitCode.OK) {
                // published just before the signal took effect: it stays, and the command ends as without the signal
                JsonNode written = new ObjectMapper().readTree(Files.readString(out));
                assertTrue(written.get("written").asBoolean(), Files.readString(out));
                assertEquals("", said, "stderr");
                if (fresh) {
                    f.stopAgent();
                    awaitNoFreshSlot(f);
                }
                assertClean(f);
                assertTrue(
                        backups(f, true).contains("\"" + written.get("id").asText() + "\""),
                        "backups lists " + written.get("id"));
                return String.format(
                        Locale.ROOT,
                        "SIGTERM %s checkpoint --kind %s: published before the signal took effect, exit 0 %.2f "
                                + "s after it,"
                                + " %s kept (verify clean)",
                        midRead ? "while reading the source," : "after the first data file of",
                        kind,
                        stopped,
                        written.get("id").asText());
            }
            assertEquals(
                    SIGNALLED,
                    p.exitValue(),
                    "exit code after SIGTERM; stdout: " + Files.readString(out) + " stderr: " + said);
            assertEquals(List.of(ROLLED_BACK), said.lines().toList(), "stderr");
            assertEquals("", Files.readString(out), "stdout");
            if (fresh) {
                f.stopAgent();
                awaitNoFreshSlot(f);
            }
            assertNothingLeft(f, files, before, fresh);

            if (fresh) {
                startAgent(f);
            }
            long rerun = System.nanoTime();
            CommandLineTest.Run again =
                    CommandLineTest.run("checkpoint", "--config", f.config.toString(), "--kind", kind, "--json");
            double took = (System.nanoTime() - rerun) / 1e9;
            assertEquals(0, again.exit(), again.err());
            JsonNode written = new ObjectMapper().readTree(again.out());
            assertTrue(written.get("written").asBoolean(), again.out());
            if (fresh) {
                f.awaitLogged();
                f.stopAgent();
            }
            return String.format(
                    Locale.ROOT,
                    "SIGTERM %s checkpoint --kind %s: exit %d %.2f s after the signal, rolled back (no partial "
                            + "directory,"
                            + " no data file, verify clean, backups unchanged); run again: %s, %,d rows, in %.1f s",
                    midRead ? "while reading the source," : "after the first data file of",
                    kind,
                    SIGNALLED,
                    stopped,
                    written.get("id").asText(),
                    written.get("rows").asLong(),
                    took);
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * A fresh full waits until the agent has logged past its snapshot. Once the agent logs, it has also done
     * what it does on starting, which includes removing partial checkpoint directories.
     */
    private static void startAgent(CaptureFixture f) throws Exception {
        f.startAgent();
        f.awaitLogged();
    }

    /**
     * The interrupted checkpoint left nothing: no hidden entry in checkpoints/, the same checkpoint and
     * data files as before, every data file named by a checkpoint, verify without a note, and the same
     * backups (its checkpoints, when the agent ran meanwhile and moved the log on).
     */
    private static void assertNothingLeft(
            CaptureFixture f, Set<String> filesBefore, String backupsBefore, boolean agentRan) throws Exception {
        assertEquals(filesBefore, checkpointFiles(f), "files under checkpoints/ and data/");
        assertClean(f);
        assertEquals(backupsBefore, backups(f, agentRan), "backups --json");
    }

    /** No hidden entry in checkpoints/, every data file named by a checkpoint, and verify without a note. */
    private static void assertClean(CaptureFixture f) throws Exception {
        try (Stream<Path> left = Files.list(f.repository.resolve("checkpoints"))) {
            List<String> hidden = left.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("."))
                    .toList();
            assertTrue(hidden.isEmpty(), "left in checkpoints/: " + hidden);
        }
        Repository repo = Repository.open(f.repository);
        Set<String> named = new HashSet<>();
        repo.checkpoints().forEach(m -> m.dataFiles().forEach(c -> named.add(c.sha256())));
        assertEquals(
                named, DataStore.stored(repo.dataDir()).keySet(), "stored data files vs those the checkpoints name");
        CommandLineTest.Run verify = CommandLineTest.run("verify", "--repo", f.repository.toString(), "--json");
        assertEquals(0, verify.exit(), verify.out() + verify.err());
        JsonNode report = new ObjectMapper().readTree(verify.out());
        assertEquals(0, report.get("notes").size(), "verify notes: " + report.get("notes"));
    }

    /** {@code backups --json}, or only its checkpoints while an agent is logging. */
    private static String backups(CaptureFixture f, boolean checkpointsOnly) throws IOException {
        CommandLineTest.Run r = CommandLineTest.run("backups", "--repo", f.repository.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        return checkpointsOnly
                ? new ObjectMapper().readTree(r.out()).get("checkpoints").toString()
                : r.out();
    }

    /** Every file under checkpoints/ and data/, relative to the repository. */
    private static Set<String> checkpointFiles(CaptureFixture f) throws IOException {
        Set<String> out = new HashSet<>();
        for (String sub : List.of("checkpoints", "data")) {
            Path root = f.repository.resolve(sub);
            if (Files.isDirectory(root)) {
                try (Stream<Path> walk = Files.walk(root)) {
                    walk.filter(Files::isRegularFile)
                            .forEach(p -> out.add(f.repository.relativize(p).toString()));
                }
            }
        }
        return out;
    }

    /**
     * Waits until the checkpoint being written (its partial directory exists) has stored a data file no published
     * checkpoint names.
     */
    private static void awaitFirstDataFile(CaptureFixture f, Process p, Path err) throws Exception {
        Path checkpoints = f.repository.resolve("checkpoints");
        Repository repo = Repository.open(f.repository);
        Set<String> named = new HashSet<>();
        repo.checkpoints().forEach(m -> m.dataFiles().forEach(c -> named.add(c.sha256())));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (System.nanoTime() < deadline) {
            assertTrue(p.isAlive(), () -> "the checkpoint ended before it stored a data file: " + read(err));
            boolean partial;
            try (Stream<Path> list = Files.list(checkpoints)) {
                partial = list.anyMatch(c -> c.getFileName().toString().startsWith(".partial-"));
            }
            if (partial && !named.containsAll(DataStore.stored(repo.dataDir()).keySet())) {
                return;
            }
            Thread.sleep(2);
        }
        throw new AssertionError("no checkpoint stored a data file within 40 s: " + read(err));
    }

    /** Waits until a fresh full reads the contacts from its snapshot, before it has stored any data file. */
    private static void awaitFreshRead(CaptureFixture f, Process p, Path err) throws Exception {
        Set<String> stored = DataStore.stored(f.repository.resolve("data")).keySet();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (System.nanoTime() < deadline) {
            assertTrue(p.isAlive(), () -> "the checkpoint ended before it read the source: " + read(err));
            if (!f.cluster
                    .queryOne(
                            "postgres",
                            "SELECT count(*)::text FROM pg_stat_activity WHERE application_name = "
                                    + "'backtrack-fresh-checkpoint'"
                                    + " AND state = 'active' AND query LIKE 'SELECT ARRAY[%contacts%'")
                    .equals("0")) {
                assertEquals(
                        stored,
                        DataStore.stored(f.repository.resolve("data")).keySet(),
                        "data files stored while the source is read");
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the fresh full did not read the contacts within 40 s: " + read(err));
    }

    /** The fresh full's temporary replication slot goes with its connection. */
    private static void awaitNoFreshSlot(CaptureFixture f) throws InterruptedException {
        String slots = "";
        for (int i = 0; i < 100; i++) {
            slots = f.cluster.queryOne(
                    "postgres",
                    "SELECT coalesce(string_agg(slot_name, ','), '') FROM pg_replication_slots WHERE slot_name "
                            + "LIKE 'backtrack_fresh_%'");
            if (slots == null || slots.isEmpty()) {
                return;
            }
            Thread.sleep(50);
        }
        fail("temporary slots left on the source: " + slots);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
