package dev.backtrack.repository.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.config.Engine;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.checkpoint.CheckpointAt;
import dev.backtrack.repository.checkpoint.CheckpointKinds;
import dev.backtrack.repository.checkpoint.CheckpointLabels;
import dev.backtrack.repository.checkpoint.CheckpointWriter;
import dev.backtrack.repository.checkpoint.DataStore;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.mark.Marks;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.redolog.LogCursor;
import dev.backtrack.repository.redolog.RedoLog;
import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.TableSchema;
import dev.backtrack.repository.verify.Verifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention keeps what every kept instant needs, and nothing of the rest. */
class RetentionTest {
    private static final long DAY = 86_400_000_000L;
    private static final long T0 = 1_767_225_600_000_000L; // 2026-01-01T00:00:00Z
    /** Checkpoint i is taken on day i, before transaction 1 + 40 i. */
    private static final int CHECKPOINTS = 5, PER_DAY = 40;

    @TempDir
    Path dir;

    private Repository repo;

    @BeforeEach
    void fiveDaysOfCheckpointsAndLog() throws Exception {
        repo = Repository.openOrCreate(dir, Engine.POSTGRESQL, "7000000000000000001", "crm");
        TableSchema contacts = repo.schemas()
                .register(
                        new TableSchema(
                                0,
                                "public",
                                "contacts",
                                List.of(new Column("id", "bigint", false, null, null, null, null)),
                                List.of("id"),
                                Map.of(),
                                1),
                        1);
        try (RedoLog log = RedoLog.openForAppend(repo.logDir(), repo.sealer(), 2048, 0)) {
            for (int day = 0; day < CHECKPOINTS; day++) {
                CheckpointWriter w = new CheckpointWriter(
                        repo.checkpointsDir(), repo.sealer(), CheckpointLabels.label(T0 + day * DAY, "F"), 3);
                w.declareTable(contacts);
                w.finishFull(CheckpointAt.of(T0 + day * DAY, day, "0/" + day, log.nextSequence()));
                for (int i = 0; i < PER_DAY; i++) {
                    long n = (long) day * PER_DAY + i;
                    log.append(
                            List.of(new Transaction(
                                    0,
                                    T0 + day * DAY + (i + 1) * 1_000_000L,
                                    100 + n,
                                    "x" + n,
                                    List.of(new RowChange(contacts.id(), Op.INSERT, null, new Object[] {n})))),
                            "");
                }
            }
        }
        Marks.record(repo, new Marks.Mark("early", 5, T0 + 6_000_000L, 105, Micros.format(T0 + 6_000_000L)));
        Marks.record(
                repo,
                new Marks.Mark(
                        "late", 150, T0 + 3 * DAY + 31_000_000L, 250, Micros.format(T0 + 3 * DAY + 31_000_000L)));
    }

    @Test
    void keepsTheNewestCheckpointsByCountAndTheLogFromTheOldestKept() {
        Retention.Plan plan = Retention.plan(repo, 2, Duration.ZERO, T0 + 10 * DAY);
        assertEquals(List.of(0, 1, 2), days(plan.checkpoints()));
        assertEquals(T0 + 3 * DAY, plan.oldestKept().timeMicros());
        assertEquals(List.of("early"), plan.marks());
        assertFalse(plan.segments().isEmpty(), "log segments wholly before the oldest kept checkpoint go");
        Retention.apply(repo, plan);
        assertEquals(2, repo.checkpoints().size());
        long firstLogged = repo.logSummary().firstSequence();
        assertTrue(
                firstLogged > 1 && firstLogged <= repo.checkpoints().get(0).nextSequence(),
                "log now begins at " + firstLogged);
        assertTheLogCoversEveryKeptCheckpoint();
        assertTrue(Marks.find(repo, "late") != null);
    }

    @Test
    void aKeptDeltaKeepsTheFullItIsReadOnTopOfAndUnnamedDataFilesAreSwept() throws Exception {
        Manifest diff =
                CheckpointKinds.build(repo, Manifest.DIFF, repo.logSummary().lastSequence(), 3, Long::toString);
        assertEquals(repo.checkpoints().get(CHECKPOINTS - 1).id(), diff.parent());
        assertTrue(diff.id().startsWith(diff.parent() + "_") && diff.id().endsWith("D"), diff.id());
        // what a writer killed between its data files and its manifest leaves
        Path orphan = dir.resolve("data").resolve("ab").resolve("ab" + "0".repeat(62));
        Files.createDirectories(orphan.getParent());
        Files.write(orphan, new byte[] {1, 2, 3});
        Retention.Plan plan = Retention.plan(repo, 1, Duration.ZERO, T0 + 10 * DAY);
        assertEquals(
                List.of(0, 1, 2, 3),
                days(plan.checkpoints()),
                "the newest is the differential; its full stays with it");
        Retention.apply(repo, plan);
        assertEquals(
                List.of(diff.parent(), diff.id()),
                repo.checkpoints().stream().map(Manifest::id).toList());
        assertFalse(Files.exists(orphan), "a data file no manifest names is swept");
        assertEquals(
                diff.tables().stream()
                        .flatMap(t -> t.chunks().stream())
                        .map(Manifest.Chunk::sha256)
                        .collect(Collectors.toSet()),
                DataStore.stored(repo.dataDir()).keySet());
        assertTrue(Verifier.run(repo, 100, s -> {}).ok());
    }

    @Test
    void aWindowKeepsTheCheckpointItsStartNeeds() {
        // now is day 4 noon; the window of 2 days starts at day 2 noon, which needs the checkpoint of day 2
        Retention.Plan plan = Retention.plan(repo, 0, Duration.ofDays(2), T0 + 4 * DAY + DAY / 2);
        assertEquals(List.of(0, 1), days(plan.checkpoints()));
        Retention.apply(repo, plan);
        assertEquals(T0 + 2 * DAY, repo.checkpoints().get(0).timeMicros());
        assertTheLogCoversEveryKeptCheckpoint();
    }

    @Test
    void bothRulesKeepWhatEitherKeeps() {
        Retention.Plan plan = Retention.plan(repo, 4, Duration.ofDays(2), T0 + 4 * DAY + DAY / 2);
        assertEquals(List.of(0), days(plan.checkpoints()));
    }

    @Test
    void withoutRulesOrWithFewCheckpointsNothingGoes() {
        assertTrue(Retention.plan(repo, 0, Duration.ZERO, T0 + 100 * DAY).isEmpty());
        assertTrue(Retention.plan(repo, 9, Duration.ZERO, T0 + 100 * DAY).isEmpty());
        // the newest checkpoint stays even when the window holds none
        Retention.Plan plan = Retention.plan(repo, 0, Duration.ofDays(1), T0 + 100 * DAY);
        assertEquals(List.of(0, 1, 2, 3), days(plan.checkpoints()));
    }

    @Test
    void aPlanAloneChangesNothing() throws Exception {
        long before;
        try (var files = Files.walk(dir)) {
            before = files.count();
        }
        assertFalse(Retention.plan(repo, 1, Duration.ZERO, T0 + 10 * DAY).isEmpty());
        try (var files = Files.walk(dir)) {
            assertEquals(before, files.count());
        }
    }

    private static List<Integer> days(List<Manifest> checkpoints) {
        return checkpoints.stream()
                .map(m -> (int) ((m.timeMicros() - T0) / DAY))
                .toList();
    }

    /** The log reads without a gap from every kept checkpoint to the end, and verify proves the window. */
    private void assertTheLogCoversEveryKeptCheckpoint() {
        for (Manifest m : repo.checkpoints()) {
            long expected = m.nextSequence();
            try (LogCursor c = repo.readLog(m.nextSequence())) {
                while (c.hasNext()) {
                    assertEquals(expected++, c.next().sequence());
                }
            }
            assertEquals(CHECKPOINTS * PER_DAY + 1, expected, "log from checkpoint " + m.id());
        }
        Verifier.Report r = Verifier.run(repo, 100, line -> {});
        assertTrue(r.ok(), String.valueOf(r.problems()));
    }
}
