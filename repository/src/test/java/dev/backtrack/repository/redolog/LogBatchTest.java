package dev.backtrack.repository.redolog;

import static dev.backtrack.repository.redolog.Txs.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.model.Unavailable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LogBatchTest {

    /** Five transactions in commit order: times go backwards twice, positions once; every op and image shape. */
    private static List<Transaction> varied() {
        return List.of(
                new Transaction(
                        100, T0 + 5_000, 0x2_0000_0000L, "501", List.of(new RowChange(3, Op.INSERT, null, new Object[] {
                            1L, "Zoë", null, 2.5d
                        }))),
                new Transaction(
                        101,
                        T0 + 1_000,
                        0x2_0000_0100L,
                        "502",
                        List.of(
                                new RowChange(3, Op.UPDATE, new Object[] {1L, "Zoë", null, 2.5d}, new Object[] {
                                    1L, "Zoe", Unavailable.VALUE, 3.5d
                                }),
                                new RowChange(
                                        7, Op.DELETE, new Object[] {new byte[] {0, -1, 7}, List.of("a", "b")}, null))),
                new Transaction(
                        102, T0 + 9_000_000, 0x1_FFFF_0000L, "", List.of(new RowChange(7, Op.TRUNCATE, null, null))),
                new Transaction(103, T0 - 86_400_000_000L, 0x2_0000_0200L, "4294967296", List.of()),
                new Transaction(
                        104,
                        T0 + 9_000_000,
                        0x2_0000_0300L,
                        "504",
                        List.of(new RowChange(
                                Integer.MAX_VALUE, Op.INSERT, null, new Object[] {Long.MIN_VALUE, Float.NaN, true}))));
    }

    @ParameterizedTest(name = "compression level {0}")
    @ValueSource(ints = {0, 3})
    void roundTripsSeveralTransactionsWithTheirHeader(int level) {
        List<Transaction> txs = varied();
        String offset = "{\"lsn_proc\":8589934592,\"txId\":504,\"ts_usec\":1735689600000000}";
        byte[] bytes = LogBatch.encode(txs, offset, level);
        assertTrue(LogBatch.crcMatches(bytes));
        assertEquals(level > 0 ? LogBatch.ZSTD : LogBatch.NONE, bytes[LogBatch.COMPRESSION]);

        LogBatch.Decoded d = LogBatch.decode(bytes);
        assertEquals(100, d.baseSequence());
        assertEquals(5, d.count());
        assertEquals(104, d.lastSequence());
        assertEquals(T0 - 86_400_000_000L, d.minCommitMicros());
        assertEquals(T0 + 9_000_000, d.maxCommitMicros());
        assertEquals(0x2_0000_0300L, d.lastPosition());
        assertEquals(offset, d.sourceOffset());
        Txs.assertSameTransactions(txs, d.transactions());
    }

    @Test
    void roundTripsASingleTransactionWhoseTimeIsNotTheSmallestPossible() {
        Transaction only = new Transaction(1, 42, 7, "only", List.of());
        LogBatch.Decoded d = LogBatch.decode(LogBatch.encode(List.of(only), "", 0));
        Txs.assertSameTransactions(List.of(only), d.transactions());
        assertEquals(42, d.minCommitMicros());
        assertEquals(42, d.maxCommitMicros());
    }

    @Test
    void roundTripsWhenTheEarliestCommitIsInTheMiddleOfTheBatch() {
        List<Transaction> txs = List.of(
                new Transaction(1, T0 + 30, 10, "a", List.of()),
                new Transaction(2, T0 + 10, 20, "b", List.of()),
                new Transaction(3, T0 + 20, 5, "c", List.of()));
        for (int level : new int[] {0, 3}) {
            Txs.assertSameTransactions(
                    txs, LogBatch.decode(LogBatch.encode(txs, "x", level)).transactions());
        }
    }

    @Test
    void storesANullSourceOffsetAsEmpty() {
        byte[] bytes = LogBatch.encode(List.of(Txs.insert(1).withSequence(1)), null, 0);
        assertEquals("", LogBatch.decode(bytes).sourceOffset());
    }

    @Test
    void compressionShrinksARepetitiveBatch() {
        List<Transaction> numbered = new ArrayList<>();
        for (Transaction tx : Txs.inserts(1, 200)) {
            numbered.add(tx.withSequence(numbered.size() + 1));
        }
        int plain = LogBatch.encode(numbered, "", 0).length;
        int packed = LogBatch.encode(numbered, "", 3).length;
        assertTrue(packed < plain / 2, "zstd batch " + packed + " bytes vs plain " + plain);
    }

    @Test
    void headerLengthCountsEveryByteAfterTheLengthPrefix() {
        for (int level : new int[] {0, 3}) {
            byte[] bytes = LogBatch.encode(varied(), "offset", level);
            assertEquals(
                    bytes.length - LogBatch.LENGTH_PREFIX,
                    ByteBuffer.wrap(bytes).getInt(LogBatch.LENGTH));
            assertEquals(LogBatch.VERSION, bytes[LogBatch.VERSION_AT]);
        }
    }

    @ParameterizedTest(name = "compression level {0}")
    @ValueSource(ints = {0, 3})
    void aFlippedByteAnywhereAfterOffset16FailsTheCrc(int level) {
        byte[] good = LogBatch.encode(varied(), "offset", level);
        for (int at = LogBatch.VERSION_AT; at < good.length; at++) {
            for (int mask : new int[] {0x01, 0x80, 0xFF}) {
                byte[] bad = Arrays.copyOf(good, good.length);
                bad[at] ^= (byte) mask;
                assertFalse(
                        LogBatch.crcMatches(bad),
                        "flip 0x" + Integer.toHexString(mask) + " at offset " + at + " went unnoticed");
            }
        }
    }

    @Test
    void aFlippedCrcFieldFailsTheCrc() {
        byte[] bad = LogBatch.encode(varied(), "offset", 0);
        bad[LogBatch.CRC + 2] ^= 0x10;
        assertFalse(LogBatch.crcMatches(bad));
    }
}
