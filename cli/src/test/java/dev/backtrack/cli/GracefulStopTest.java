package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.checkpoint.DataStore;
import dev.backtrack.repository.checkpoint.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a {@code backtrack agent} child process while it takes checkpoint 0, while it captures
 * under load, and while it stores the data files of a scheduled checkpoint: each time it exits 0 with
 * one "stopped cleanly" line, leaves no torn log tail, no partial checkpoint and no data file of one,
 * and the next start resumes, with every committed transaction logged exactly once.
 */
class GracefulStopTest {
    private static final List<String> TABLES = List.of("public.contacts", "public.ledger", "public.balances");
    private static final int CONTACTS = 300_000;
    /** A signal must end the agent well within what a service manager waits before SIGKILL (systemd: 90 s). */
    private static final double STOP_BOUND_SECONDS = 10;

    private final AtomicLong committed = new AtomicLong();
    private final AtomicReference<Throwable> writerFailure = new AtomicReference<>();
    private AtomicBoolean running = new AtomicBoolean();
    private List<Thread> writers = List.of();
    private AgentProcess agent;
    private int restores;

    @Test
    void sigtermDuringCheckpointZeroCaptureAndACheckpointStopsCleanlyAndLosesNothing(@TempDir Path dir)
            throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_sigterm", dir)) {
            try (Connection c = f.connect();
                    Statement st = c.createStatement()) {
                st.execute("CREATE TABLE contacts (id int PRIMARY KEY, name text NOT NULL, notes text)");
                st.execute("INSERT INTO contacts SELECT g, 'c' || g, repeat(md5(g::text), 2) FROM generate_series(1, "
                        + CONTACTS + ") g");
                st.execute("CREATE TABLE ledger (n bigserial PRIMARY KEY, account int NOT NULL, amount "
                        + "numeric(12,2) NOT NULL,"
                        + " at timestamptz DEFAULT clock_timestamp())");
                st.execute("CREATE TABLE balances (account int PRIMARY KEY, balance numeric(14,2) NOT NULL)");
                st.execute("INSERT INTO balances SELECT g, 0 FROM generate_series(1, 50) g");
            }
            List<String> figures = new ArrayList<>();

            // 1. checkpoint 0: SIGTERM while the first run's snapshot reads the contacts
            agent = AgentProcess.start(f.config, dir.resolve("agent-snapshot.log"), "-Xmx256m");
            awaitSnapshotReading(f);
            double snapshotStop = terminate();
            assertTrue(
                    Repository.open(f.repository).checkpoints().isEmpty(),
                    "checkpoint 0 is listed although its snapshot was cut short:\n" + agent.output());
            assertNothingHalfWritten(f);
            long retake = System.nanoTime();
            agent = AgentProcess.start(f.config, dir.resolve("agent-1.log"), "-Xmx256m");
            agent.awaitCheckpoint(f.repository);
            figures.add(String.format(
                    Locale.ROOT,
                    "SIGTERM mid-snapshot (checkpoint 0 of %,d rows): stopped in %.1f s, exit 0, checkpoint 0 "
                            + "rolled back"
                            + " (nothing listed or left), taken again by the next start in %.1f s",
                    CONTACTS + 50,
                    snapshotStop,
                    (System.nanoTime() - retake) / 1e9));

            // 2. capture: SIGTERM while three clients write
            startWriters(f);
            Thread.sleep(3000);
            long before = committed.get();
            double captureStop = terminate();
            assertNothingHalfWritten(f);
            agent = AgentProcess.start(f.config, dir.resolve("agent-2.log"), "-Xmx256m");
            int[] ledger = assertExactlyOnce(f);
            figures.add(String.format(
                    Locale.ROOT,
                    "SIGTERM during capture (3 clients, %,d transactions committed before it): stopped in %.1f "
                            + "s, exit 0,"
                            + " log tail clean; resumed: %d lost / %d duplicated",
                    before,
                    captureStop,
                    ledger[0],
                    ledger[1]));
            terminate();

            // 3. a scheduled synthetic full (the contacts change, so their 300,000 rows are written anew, in 4 MiB data
            // files):
            //    SIGTERM once it has stored its first data file and before it is published
            f.withConfig("checkpoint:\n  full-interval: 2s\n");
            int published = Repository.open(f.repository).checkpoints().size();
            agent = AgentProcess.start(
                    f.config, dir.resolve("agent-3.log"), "-Xmx256m", "-Dbacktrack.chunk-bytes=" + (4 << 20));
            String partial = awaitFirstDataFile(f);
            double checkpointStop = terminate();
            List<String> listed = Repository.open(f.repository).checkpoints().stream()
                    .map(Manifest::id)
                    .toList();
            boolean finished = listed.stream().anyMatch(id -> partial.equals(".partial-" + id));
            assertEquals(published + (finished ? 1 : 0), listed.size(), listed.toString());
            assertTrue(
                    finished || agent.output().contains("checkpoint rolled back: the agent is stopping"),
                    agent.output());
            assertNothingHalfWritten(f);
            long resumed = System.nanoTime();
            agent = AgentProcess.start(f.config, dir.resolve("agent-4.log"), "-Xmx256m");
            awaitCheckpoints(f, listed.size() + 1);
            double again = (System.nanoTime() - resumed) / 1e9;
            ledger = assertExactlyOnce(f);
            figures.add(String.format(
                    Locale.ROOT,
                    "SIGTERM mid-checkpoint (synthetic full of %,d rows, after its first data file): stopped in %.1f s,"
                            + " checkpoint %s; the next start wrote one in %.1f s; %d lost / %d duplicated",
                    CONTACTS,
                    checkpointStop,
                    finished ? "finished before exit" : "rolled back (no partial directory, no data file left)",
                    again,
                    ledger[0],
                    ledger[1]));
            stopWriters();
            terminate();
            assertNothingHalfWritten(f);
            figures.forEach(System.out::println);
        } finally {
            running.set(false);
            if (agent != null && agent.isAlive()) {
                agent.kill();
            }
        }
    }

    /**
     * SIGTERM: the agent exits 0 within {@link #STOP_BOUND_SECONDS}, saying once that it stopped cleanly; returns the
     * seconds it took.
     */
    private double terminate() throws InterruptedException {
        long t0 = System.nanoTime();
        int exit = agent.terminate();
        double seconds = (System.nanoTime() - t0) / 1e9;
        String out = agent.output();
        assertEquals(0, exit, "exit code after SIGTERM (" + seconds + " s):\n" + out);
        assertTrue(seconds < STOP_BOUND_SECONDS, "the stop took " + seconds + " s:\n" + out);
        assertEquals(
                1, out.lines().filter(l -> l.equals("stopped cleanly")).count(), "one 'stopped cleanly' line:\n" + out);
        return seconds;
    }

    /**
     * Nothing half-written: no partial checkpoint directory, no data file that no checkpoint names, verify
     * exits 0 without a note (a torn log tail, a partial checkpoint, unnamed data files would each be one),
     * and {@code backups} lists exactly the published checkpoints.
     */
    private static void assertNothingHalfWritten(CaptureFixture f) throws Exception {
        Path checkpoints = f.repository.resolve("checkpoints");
        if (Files.isDirectory(checkpoints)) {
            try (Stream<Path> left = Files.list(checkpoints)) {
                List<String> hidden = left.map(p -> p.getFileName().toString())
                        .filter(n -> n.startsWith("."))
                        .toList();
                assertTrue(hidden.isEmpty(), "left in " + checkpoints + ": " + hidden);
            }
        }
        Repository repo = Repository.open(f.repository);
        Set<String> named = new HashSet<>();
        repo.checkpoints().forEach(m -> m.dataFiles().forEach(c -> named.add(c.sha256())));
        assertEquals(
                named, DataStore.stored(repo.dataDir()).keySet(), "stored data files vs those the checkpoints name");
        if (repo.checkpoints().isEmpty()) {
            return; // verify refuses a repository without a checkpoint, and the next start takes checkpoint 0 again
        }
        CommandLineTest.Run verify = CommandLineTest.run("verify", "--repo", f.repository.toString(), "--json");
        assertEquals(0, verify.exit(), verify.out() + verify.err());
        JsonNode report = new ObjectMapper().readTree(verify.out());
        assertEquals(0, report.get("notes").size(), "verify notes: " + report.get("notes"));
        CommandLineTest.Run backups = CommandLineTest.run("backups", "--repo", f.repository.toString(), "--json");
        assertEquals(0, backups.exit(), backups.err());
        List<String> listed = new ArrayList<>();
        new ObjectMapper()
                .readTree(backups.out())
                .get("checkpoints")
                .forEach(c -> listed.add(c.get("id").asText()));
        assertEquals(repo.checkpoints().stream().map(Manifest::id).toList(), listed, backups.out());
    }

    /**
     * With the writers paused and everything logged by the running agent: each transaction is in the log
     * once and none is missing, and a restore to latest equals the source table by table. Returns
     * {lost, duplicated}; the writers then go on.
     */
    private int[] assertExactlyOnce(CaptureFixture f) throws Exception {
        stopWriters();
        agent.awaitLogged(f, 60);
        long txs = LedgerClient.rowTransactionsLoggedOnce(f.repository);
        long probes = Long.parseLong(f.cluster.queryOne(f.database, "SELECT count(*) FROM backtrack_probe"));
        assertEquals(
                committed.get() + probes,
                txs,
                "logged transactions vs " + committed.get() + " committed by the clients + " + probes + " probes");
        String target = "crm_sigterm_restored_" + ++restores;
        f.restore("latest", target);
        assertEquals(
                f.checksums(f.database, TABLES),
                f.checksums(target, TABLES),
                () -> "restore to latest vs source; ledger rows differing: "
                        + f.differingRows(f.database, target, "public.ledger"));
        startWriters(f);
        return new int[] {(int) (committed.get() + probes - txs), 0};
    }

    private void startWriters(CaptureFixture f) {
        AtomicBoolean go = new AtomicBoolean(true);
        running = go;
        List<Thread> started = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            Random random = new Random(restores * 10L + w);
            Thread t = new Thread(
                    () -> LedgerClient.run(
                            f,
                            go,
                            committed,
                            writerFailure,
                            random,
                            r -> "UPDATE contacts SET name = name || '+' WHERE id = " + (1 + r.nextInt(CONTACTS))),
                    "ledger-writer-" + w);
            t.start();
            started.add(t);
        }
        writers = started;
    }

    private void stopWriters() throws InterruptedException {
        running.set(false);
        for (Thread t : writers) {
            t.join();
        }
        writers = List.of();
        if (writerFailure.get() != null) {
            throw new AssertionError("a writer failed", writerFailure.get());
        }
    }

    /** Waits (up to a minute) until the first run's snapshot is reading the contacts table. */
    private void awaitSnapshotReading(CaptureFixture f) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!agent.isAlive()) {
                throw new AssertionError("agent died during its snapshot:\n" + agent.output());
            }
            // between two fetches of its cursor the snapshot's connection is idle in its transaction
            if (!f.cluster
                    .queryOne(
                            "postgres",
                            "SELECT count(*)::text FROM pg_stat_activity WHERE datname = '" + f.database
                                    + "' AND state IN ('active', 'idle in transaction') AND query LIKE "
                                    + "'SELECT%contacts%'")
                    .equals("0")) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the snapshot never read the contacts:\n" + agent.output());
    }

    /**
     * Waits until a checkpoint being written (its partial directory exists) has stored a data file that
     * no published checkpoint names; returns the partial directory's name.
     */
    private String awaitFirstDataFile(CaptureFixture f) throws Exception {
        Path checkpoints = f.repository.resolve("checkpoints");
        Repository repo = Repository.open(f.repository);
        Set<String> named = new HashSet<>();
        repo.checkpoints().forEach(m -> m.dataFiles().forEach(c -> named.add(c.sha256())));
        for (int i = 0; i < 30_000; i++) {
            if (!agent.isAlive()) {
                throw new AssertionError("agent died:\n" + agent.output());
            }
            String partial;
            try (Stream<Path> list = Files.list(checkpoints)) {
                partial = list.map(p -> p.getFileName().toString())
                        .filter(n -> n.startsWith(".partial-"))
                        .findFirst()
                        .orElse(null);
            }
            if (partial != null
                    && !named.containsAll(DataStore.stored(repo.dataDir()).keySet())) {
                return partial;
            }
            Thread.sleep(2);
        }
        throw new AssertionError("no checkpoint stored a data file within a minute:\n" + agent.output());
    }

    private void awaitCheckpoints(CaptureFixture f, int count) throws InterruptedException {
        for (int i = 0; i < 1200; i++) {
            if (Repository.open(f.repository).checkpoints().size() >= count) {
                return;
            }
            if (!agent.isAlive()) {
                throw new AssertionError("agent died:\n" + agent.output());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no new checkpoint within 60 s:\n" + agent.output());
    }
}
