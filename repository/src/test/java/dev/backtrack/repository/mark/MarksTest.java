package dev.backtrack.repository.mark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        Path logDir = dir.resolve("log");
        try (RedoLog log = RedoLog.openForAppend(logDir, 1 << 20, 0)) {
            log.append(List.of(mark("a", 100), mark("b", 200)), "");
        }
        Marks.record(dir, indexed("a", 1, 100));
        Marks.record(dir, indexed("b", 2, 200));
        // indexed, then capture stopped before the append: the log never got sequence 3
        Marks.record(dir, indexed("pending", 3, 300));
        // after a gap, the sequence it was given went to another transaction
        Marks.record(dir, indexed("overtaken", 2, 250));

        assertEquals(
                List.of("a", "b", "overtaken", "pending"),
                Marks.list(dir).stream().map(Marks.Mark::name).sorted().toList());
        assertTrue(Marks.isLogged(Marks.find(dir, "a"), logDir));
        assertTrue(Marks.isLogged(Marks.find(dir, "b"), logDir));
        assertFalse(Marks.isLogged(Marks.find(dir, "pending"), logDir));
        assertFalse(Marks.isLogged(Marks.find(dir, "overtaken"), logDir));
    }
}
