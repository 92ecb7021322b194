package dev.backtrack.repository.mark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.config.Engine;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.redolog.RedoLog;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mark index is written before its transaction is logged: a mark counts only once the log holds it. */
class MarksTest {
    private static final long T0 = 1_767_225_600_000_000L;

    private static Transaction mark(String name, long position) {
        return new Transaction(
                0, T0 + position, position, "x" + position, List.of(new RowChange(0, Op.MESSAGE, null, new Object[] {
                    Marks.PREFIX, name
                })));
    }

    private static Marks.Mark indexed(String name, long sequence, long position) {
        return new Marks.Mark(name, sequence, T0 + position, position, Micros.format(T0 + position));
    }

    @Test
    void aMarkCountsOnlyWhenTheLogHoldsItsTransactionAtItsSequence(@TempDir Path dir) throws Exception {
        Repository repo = Repository.openOrCreate(dir, Engine.POSTGRESQL, "7000000000000000001", "crm");
        try (RedoLog log = RedoLog.openForAppend(repo.logDir(), repo.sealer(), 1 << 20, 0)) {
            log.append(List.of(mark("a", 100), mark("b", 200)), "");
        }
        Marks.record(repo, indexed("a", 1, 100));
        Marks.record(repo, indexed("b", 2, 200));
        // indexed, then capture stopped before the append: the log never got sequence 3
        Marks.record(repo, indexed("pending", 3, 300));
        // after a gap, the sequence it was given went to another transaction
        Marks.record(repo, indexed("overtaken", 2, 250));

        assertEquals(
                List.of("a", "b", "overtaken", "pending"),
                Marks.list(repo).stream().map(Marks.Mark::name).sorted().toList());
        assertTrue(Marks.isLogged(repo, Marks.find(repo, "a")));
        assertTrue(Marks.isLogged(repo, Marks.find(repo, "b")));
        assertFalse(Marks.isLogged(repo, Marks.find(repo, "pending")));
        assertFalse(Marks.isLogged(repo, Marks.find(repo, "overtaken")));
    }
}
