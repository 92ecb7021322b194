package dev.backtrack.repository.redolog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Builds transactions for log tests and compares them deeply (RowChange holds arrays). */
final class Txs {
    static final long T0 = 1_735_689_600_000_000L; // 2025-01-01T00:00:00Z in micros

    private Txs() {}

    /** A transaction with one insert whose row carries {@code n}; sequence 0 (the log assigns it). */
    static Transaction insert(long n) {
        return new Transaction(
                0,
                T0 + n * 1000,
                0x1000_0000L + n * 64,
                "tx" + n,
                List.of(new RowChange(1, Op.INSERT, null, new Object[] {n, "row " + n})));
    }

    /** {@code count} single-insert transactions numbered from {@code first}. */
    static List<Transaction> inserts(long first, int count) {
        List<Transaction> out = new ArrayList<>();
        for (long n = first; n < first + count; n++) {
            out.add(insert(n));
        }
        return out;
    }

    static List<Transaction> readAll(Path dir, long from) {
        List<Transaction> out = new ArrayList<>();
        try (LogCursor c = RedoLog.read(dir, null, from)) {
            c.forEachRemaining(out::add);
        }
        return out;
    }

    static void assertSameContent(Transaction expected, Transaction actual) {
        String what = "transaction " + expected.txId();
        assertEquals(expected.commitMicros(), actual.commitMicros(), what + " commit time");
        assertEquals(expected.position(), actual.position(), what + " position");
        assertEquals(expected.txId(), actual.txId(), what + " txId");
        assertEquals(expected.changes().size(), actual.changes().size(), what + " change count");
        for (int i = 0; i < expected.changes().size(); i++) {
            RowChange e = expected.changes().get(i);
            RowChange a = actual.changes().get(i);
            assertEquals(e.schemaId(), a.schemaId(), what + " change " + i + " schema");
            assertEquals(e.op(), a.op(), what + " change " + i + " op");
            assertTrue(
                    Arrays.deepEquals(e.before(), a.before()),
                    what + " change " + i + " before: " + Arrays.deepToString(a.before()));
            assertTrue(
                    Arrays.deepEquals(e.after(), a.after()),
                    what + " change " + i + " after: " + Arrays.deepToString(a.after()));
        }
    }

    static void assertSameTransactions(List<Transaction> expected, List<Transaction> actual) {
        assertEquals(expected.size(), actual.size(), "transaction count");
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).sequence(), actual.get(i).sequence(), "sequence at index " + i);
            assertSameContent(expected.get(i), actual.get(i));
        }
    }
}
