package dev.backtrack.repository.redolog;

import static dev.backtrack.repository.redolog.Txs.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.config.Engine;
import dev.backtrack.repository.fold.LogFold;
import dev.backtrack.repository.fold.LogSource;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.SchemaHistory;
import dev.backtrack.repository.schema.TableSchema;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A transaction larger than one batch is logged as a run of parts, read back whole, and cut whole when torn. */
class LargeTransactionTest {
    private static final int ROWS = 60_000;

    @TempDir
    Path dir;

    @TempDir
    Path schemasDir;

    /** {@code ROWS} inserts of about 100 bytes each: about 6 MiB of payload, so at least two parts. */
    private static Transaction bulkImport(long n, List<RowChange> changes) {
        for (int i = 0; i < ROWS; i++) {
            changes.add(new RowChange(
                    1, Op.INSERT, null, new Object[] {(long) i, "imported contact " + i + " ".repeat(80)}));
        }
        return new Transaction(0, T0 + n * 1000, 0x1000_0000L + n * 64, "tx" + n, changes);
    }

    /**
     * Reads every part of every transaction; returns the sequences seen per part and all changes of {@code sequence}.
     */
    private List<RowChange> changesOf(long sequence, List<Long> partSequences, List<Boolean> continued) {
        List<RowChange> out = new ArrayList<>();
        try (LogCursor c = RedoLog.read(dir, null, 1)) {
            while (c.hasNext()) {
                Transaction t = c.next();
                partSequences.add(t.sequence());
                continued.add(t.continued());
                if (t.sequence() == sequence) {
                    out.addAll(t.changes());
                }
            }
        }
        return out;
    }

    @Test
    void aLargeTransactionIsLoggedInPartsAndReadBackWhole() throws IOException {
        Transaction big = bulkImport(2, new ArrayList<>());
        try (RedoLog log = RedoLog.openForAppend(dir, null, 1 << 20, 3)) {
            log.append(List.of(Txs.insert(1), big, Txs.insert(3)), "after-3");
            assertEquals(4, log.nextSequence());
        }
        List<Long> seqs = new ArrayList<>();
        List<Boolean> continued = new ArrayList<>();
        List<RowChange> read = changesOf(2, seqs, continued);
        assertTrue(seqs.stream().filter(s -> s == 2).count() >= 2, "parts of transaction 2: " + seqs);
        assertEquals(1L, seqs.get(0));
        assertEquals(3L, seqs.get(seqs.size() - 1));
        assertFalse(continued.get(continued.size() - 2), "the last part of transaction 2 does not continue");
        assertEquals(ROWS, read.size());
        for (int i = 0; i < ROWS; i += 997) {
            assertTrue(
                    Arrays.deepEquals(big.changes().get(i).after(), read.get(i).after()), "row " + i);
        }
        try (RedoLog again = RedoLog.openForAppend(dir, null, 1 << 20, 3)) {
            assertEquals(4, again.nextSequence());
            assertEquals("after-3", again.lastSourceOffset());
        }
        LogSummary summary = LogSummary.of(dir);
        assertEquals(3, summary.lastSequence());
        SchemaHistory schemas = new SchemaHistory(schemasDir, null);
        List<Column> columns = List.of(
                new Column("id", "bigint", false, null, null, null, null),
                new Column("name", "text", true, null, null, null, null));
        TableSchema contacts =
                schemas.register(new TableSchema(0, "public", "contacts", columns, List.of("id"), Map.of(), 1), 1);
        assertEquals(1, contacts.id());
        LogFold.Result fold =
                LogFold.fold(new LogSource(dir, null, schemas, Engine.POSTGRESQL), 1, Map.of(), t -> false, x -> {});
        assertEquals(3, fold.transactions(), "a transaction in parts counts once");
    }

    @Test
    void aSpilledTransactionPassesThroughTheLogAndItsSpillFileIsReadInOrder() throws IOException {
        Path spillDir = schemasDir.resolve("spill");
        ChangeSpill spill = ChangeSpill.create(spillDir, "tx-7", null);
        List<RowChange> expected = new ArrayList<>();
        Transaction source = bulkImport(7, expected);
        expected.forEach(spill::add);
        ChangeSpill.Changes spilled = spill.finish();
        assertEquals(ROWS, spilled.size());
        try (RedoLog log = RedoLog.openForAppend(dir, null, 1 << 20, 3)) {
            log.append(
                    List.of(new Transaction(0, source.commitMicros(), source.position(), source.txId(), spilled)), "o");
        }
        spilled.delete();
        List<RowChange> read = changesOf(1, new ArrayList<>(), new ArrayList<>());
        assertEquals(ROWS, read.size());
        assertTrue(Arrays.deepEquals(
                expected.get(ROWS - 1).after(), read.get(ROWS - 1).after()));
        ChangeSpill.clear(spillDir);
        try (var files = Files.list(spillDir)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void aRunWhoseLastPartIsMissingIsNotReadAndIsCutWholeOnRecovery() throws IOException {
        long before;
        try (RedoLog log = RedoLog.openForAppend(dir, null, 1 << 20, 3)) {
            log.append(List.of(Txs.insert(1)), "after-1");
            before = Files.size(SegmentName.log(dir, 1));
            log.append(List.of(bulkImport(2, new ArrayList<>())), "after-2");
        }
        Path segment = SegmentName.log(dir, 1);
        long end = Files.size(segment);
        // cut into the last part, as a crash during the write would
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(end - 100);
        }
        // a reader meanwhile sees the log end before the unfinished transaction
        List<Long> seqs = new ArrayList<>();
        changesOf(2, seqs, new ArrayList<>());
        assertEquals(List.of(1L), seqs);
        assertEquals(1, LogSummary.of(dir).lastSequence());
        try (RedoLog log = RedoLog.openForAppend(dir, null, 1 << 20, 3)) {
            assertEquals(2, log.nextSequence(), "the unfinished transaction is gone, its sequence free again");
            assertEquals("after-1", log.lastSourceOffset());
            assertEquals(before, Files.size(segment), "cut back to where the transaction's first part began");
            log.append(List.of(Txs.insert(9)), "after-9");
        }
        List<Long> after = new ArrayList<>();
        changesOf(2, after, new ArrayList<>());
        assertEquals(List.of(1L, 2L), after);
        assertTrue(LogCheck.run(dir, s -> {}).problems().isEmpty());
    }

    @Test
    void aReaderRacingTheWriterNeverSeesHalfATransaction() throws IOException {
        try (RedoLog log = RedoLog.openForAppend(dir, null, 1 << 20, 3)) {
            log.append(List.of(Txs.insert(1)), "after-1");
            // only the first parts are on disk while the reader runs
            Transaction big = bulkImport(2, new ArrayList<>()).withSequence(2);
            Iterator<RowChange> it = big.changes().iterator();
            byte[] first = LogBatch.encodePart(big, it, RedoLog.PART_BYTES, "", 3);
            assertTrue(it.hasNext());
            try (FileChannel ch =
                    FileChannel.open(SegmentName.log(dir, 1), StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ch.write(ByteBuffer.wrap(first));
            }
            List<Long> seqs = new ArrayList<>();
            changesOf(2, seqs, new ArrayList<>());
            assertEquals(List.of(1L), seqs);
        }
    }
}
