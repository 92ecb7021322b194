package dev.backtrack.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.config.Engine;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.checkpoint.CheckpointAt;
import dev.backtrack.repository.checkpoint.CheckpointLabels;
import dev.backtrack.repository.checkpoint.CheckpointWriter;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.gap.Gaps;
import dev.backtrack.repository.mark.Marks;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.redolog.RedoLog;
import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.TableSchema;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Planning reads only the repository: a full at T0, ten logged transactions one second apart (xid
 * 1001.., position 110..200), and a second full after the fifth.
 */
class RestorePlannerTest {
    private static final long T0 = 1_767_225_600_000_000L;
    private static final long SECOND = 1_000_000L;

    @TempDir
    Path dir;

    private Repository repo;
    private String first, second;

    @BeforeEach
    void twoFullsAndTenTransactions() throws Exception {
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
        try (RedoLog log = RedoLog.openForAppend(repo.logDir(), repo.sealer(), 1 << 20, 0)) {
            first = full(contacts, T0, 100, log.nextSequence());
            for (int n = 1; n <= 10; n++) {
                log.append(
                        List.of(new Transaction(
                                0,
                                T0 + n * SECOND,
                                100 + n * 10L,
                                Long.toString(1000 + n),
                                List.of(new RowChange(contacts.id(), Op.INSERT, null, new Object[] {(long) n})))),
                        "");
                if (n == 5) {
                    second = full(contacts, T0 + 5 * SECOND + SECOND / 2, 155, log.nextSequence());
                }
            }
        }
    }

    private String full(TableSchema table, long micros, long position, long nextSequence) {
        CheckpointWriter w =
                new CheckpointWriter(repo.checkpointsDir(), repo.sealer(), CheckpointLabels.label(micros, "F"), 3);
        w.declareTable(table);
        return w.finishFull(CheckpointAt.of(micros, position, "0/" + Long.toHexString(position), nextSequence))
                .id();
    }

    private RestorePlan plan(RestoreTarget target) {
        return new RestorePlanner(repo).plan(target, null);
    }

    private static RestoreTarget.Time at(long micros) {
        return new RestoreTarget.Time(TargetInstant.parse(Micros.format(micros)));
    }

    private static Transaction tx(int n) {
        return new Transaction(n, T0 + n * SECOND, 100 + n * 10L, Long.toString(1000 + n), List.of());
    }

    private String refused(RestoreTarget target, String set) {
        return assertThrows(RestoreException.class, () -> new RestorePlanner(repo).plan(target, set))
                .getMessage();
    }

    @Test
    void aTimeStartsFromTheNewestFullAtOrBeforeItAndStopsAtTheFirstLaterCommit() {
        RestorePlan late = plan(at(T0 + 7 * SECOND));
        assertEquals(second, late.checkpoint().id(), "the second full reads less log");
        assertFalse(late.stop().test(tx(7)));
        assertTrue(late.stop().test(tx(8)));
        assertEquals(first, plan(at(T0 + 3 * SECOND)).checkpoint().id(), "the second full holds changes after 3 s");
        assertFalse(plan(RestoreTarget.parse("latest", null)).stop().test(tx(10)));
    }

    @Test
    void setNamesTheCheckpointWhenItHoldsNothingBeyondTheTarget() {
        assertEquals(
                first,
                new RestorePlanner(repo)
                        .plan(at(T0 + 7 * SECOND), first)
                        .checkpoint()
                        .id());
        assertTrue(refused(at(T0 + 3 * SECOND), second).contains("holds changes after"));
        assertTrue(refused(at(T0 + 3 * SECOND), "20990101-000000F").contains("names no checkpoint"));
    }

    @Test
    void anInstantOutsideTheWindowOrInAGapIsRefused() {
        assertTrue(refused(at(T0 - SECOND), null).contains("outside the recoverable window"));
        assertTrue(refused(at(T0 + 11 * SECOND), null).contains("outside the recoverable window"));
        Gaps.record(
                repo,
                new Gaps.Gap(
                        3,
                        T0 + 3 * SECOND,
                        130,
                        "now",
                        "replication slot was gone",
                        T0 + 5 * SECOND + SECOND / 2,
                        6L,
                        second));
        assertTrue(refused(at(T0 + 4 * SECOND), null).contains("falls in a gap"));
        assertTrue(refused(new RestoreTarget.AtLsn(140), null).contains("falls in a gap"));
        assertEquals(second, plan(at(T0 + 6 * SECOND)).checkpoint().id());
    }

    @Test
    void aTransactionIdIncludesItOrStopsJustBeforeIt() {
        RestorePlan through4 = plan(new RestoreTarget.AtXid("1004", true));
        assertEquals(first, through4.checkpoint().id());
        assertFalse(through4.stop().test(tx(4)));
        assertTrue(through4.stop().test(tx(5)));
        RestorePlan before7 = plan(new RestoreTarget.AtXid("1007", false));
        assertEquals(second, before7.checkpoint().id());
        assertTrue(before7.stop().test(tx(7)));
        assertTrue(refused(new RestoreTarget.AtXid("999", true), null).contains("is not in the log"));
    }

    @Test
    void anLsnOfThisEngineInsideTheLogAndNoBinlogPosition() {
        RestorePlan at165 = plan(new RestoreTarget.AtLsn(165));
        assertEquals(second, at165.checkpoint().id());
        assertFalse(at165.stop().test(tx(6)));
        assertTrue(at165.stop().test(tx(7)));
        assertTrue(refused(new RestoreTarget.AtLsn(500), null).contains("outside the recoverable positions"));
        assertTrue(refused(new RestoreTarget.AtBinlog(165), null).contains("holds a PostgreSQL source"));
    }

    @Test
    void aMarkCountsOnceItsTransactionIsLogged() {
        Marks.record(repo, new Marks.Mark("before-import", 7, T0 + 7 * SECOND, 170, Micros.format(T0 + 7 * SECOND)));
        RestorePlan mark = plan(new RestoreTarget.AtMark("before-import"));
        assertEquals(second, mark.checkpoint().id());
        assertFalse(mark.stop().test(tx(7)));
        assertTrue(mark.stop().test(tx(8)));
        Marks.record(repo, new Marks.Mark("pending", 11, T0 + 11 * SECOND, 210, Micros.format(T0 + 11 * SECOND)));
        assertTrue(refused(new RestoreTarget.AtMark("pending"), null).contains("not in the log yet"));
        assertTrue(refused(new RestoreTarget.AtMark("nope"), null).contains("no mark named"));
    }

    @Test
    void noCheckpointYetIsRefused(@TempDir Path empty) {
        Repository none = Repository.openOrCreate(empty, Engine.POSTGRESQL, "7000000000000000001", "crm");
        RestoreException e = assertThrows(RestoreException.class, () -> new RestorePlanner(none).plan(at(T0), null));
        assertTrue(e.getMessage().contains("no checkpoint yet"), e.getMessage());
        assertEquals(2, repo.checkpoints().stream().map(Manifest::id).distinct().count());
    }
}
