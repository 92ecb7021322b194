package dev.backtrack.repository.redolog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.model.Transaction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedoLogDamageTest {
    private static final long KIB = 1024;

    @TempDir
    Path dir;

    /** Writes {@code batches} batches of two transactions, one segment unless {@code segmentBytes} is small. */
    private List<Transaction> write(int batches, long segmentBytes) throws IOException {
        List<Transaction> out = new ArrayList<>();
        try (RedoLog log = RedoLog.openForAppend(dir, null, segmentBytes, 0)) {
            for (int b = 0; b < batches; b++) {
                out.addAll(log.append(Txs.inserts(out.size() + 1, 2), "offset-" + b));
            }
        }
        return out;
    }

    private Path segment(long base) {
        return SegmentName.log(dir, base);
    }

    /** File positions of the batches of a segment, from its (freshly written) index. */
    private List<Long> batchStarts(long base) throws IOException {
        List<SegmentIndex.Entry> idx = SegmentIndex.read(SegmentName.index(dir, base), Files.size(segment(base)));
        assertNotNull(idx, "the writer leaves a usable index");
        return idx.stream().map(SegmentIndex.Entry::filePosition).toList();
    }

    private static void flip(Path file, long at, int mask) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[(int) at] ^= (byte) mask;
        Files.write(file, b);
    }

    private void appendBytes(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.APPEND);
    }

    private void assertTornTailIsDroppedAndTheLogContinues(List<Transaction> durable, long expectedSize)
            throws IOException {
        Txs.assertSameTransactions(durable, Txs.readAll(dir, 1));
        List<Transaction> all = new ArrayList<>(durable);
        try (RedoLog log = RedoLog.openForAppend(dir, null, 64 * KIB, 0)) {
            assertEquals(durable.size() + 1, log.nextSequence());
            assertEquals(durable.get(durable.size() - 1).position(), log.lastPosition());
            assertEquals(expectedSize, Files.size(segment(1)), "the torn bytes are cut off");
            all.addAll(log.append(Txs.inserts(100, 3), "after"));
        }
        Txs.assertSameTransactions(all, Txs.readAll(dir, 1));
        assertEquals(all.size(), LogSummary.of(dir).lastSequence());
    }

    @Test
    void truncatesATornLastBatchOnOpen() throws IOException {
        List<Transaction> written = write(5, 64 * KIB);
        long lastStart = batchStarts(1).get(4);
        try (FileChannel ch = FileChannel.open(segment(1), StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 3);
        }
        assertTornTailIsDroppedAndTheLogContinues(written.subList(0, 8), lastStart);
    }

    @Test
    void truncatesALastBatchCutInsideItsLengthPrefix() throws IOException {
        List<Transaction> written = write(3, 64 * KIB);
        long lastStart = batchStarts(1).get(2);
        try (FileChannel ch = FileChannel.open(segment(1), StandardOpenOption.WRITE)) {
            ch.truncate(lastStart + 5);
        }
        assertTornTailIsDroppedAndTheLogContinues(written.subList(0, 4), lastStart);
    }

    @Test
    void truncatesAPartialBatchAppendedAfterTheLastWholeOne() throws IOException {
        List<Transaction> written = write(4, 64 * KIB);
        long size = Files.size(segment(1));
        List<Transaction> more =
                List.of(Txs.insert(50).withSequence(9), Txs.insert(51).withSequence(10));
        byte[] batch = LogBatch.encode(more, "never acknowledged", 0);
        appendBytes(segment(1), Arrays.copyOf(batch, batch.length / 2));
        assertTornTailIsDroppedAndTheLogContinues(written, size);
    }

    @Test
    void truncatesAWholeLengthLastBatchWhoseTailNeverReachedTheDisk() throws IOException {
        List<Transaction> written = write(4, 64 * KIB);
        long size = Files.size(segment(1));
        byte[] batch = LogBatch.encode(List.of(Txs.insert(50).withSequence(9)), "x", 0);
        Arrays.fill(batch, batch.length - 10, batch.length, (byte) 0);
        appendBytes(segment(1), batch);
        assertTornTailIsDroppedAndTheLogContinues(written, size);
    }

    @Test
    void truncatesAZeroFilledTail() throws IOException {
        List<Transaction> written = write(4, 64 * KIB);
        long size = Files.size(segment(1));
        appendBytes(segment(1), new byte[4096]);
        assertTornTailIsDroppedAndTheLogContinues(written, size);
    }

    @Test
    void aFlippedByteInABatchThatIsNotTheLastMakesTheCursorThrowNamingFileAndOffset() throws IOException {
        write(4, 64 * KIB);
        Path file = segment(1);
        byte[] good = Files.readAllBytes(file);
        List<Long> starts = batchStarts(1);
        long from = starts.get(1), to = starts.get(2);
        for (long at = from; at < to; at++) {
            if (at >= from + LogBatch.LENGTH && at < from + LogBatch.CRC) {
                continue; // the length prefix is not covered by the CRC (see report)
            }
            flip(file, at, 0x04);
            RepositoryException e = assertThrows(RepositoryException.class, () -> Txs.readAll(dir, 1), "flip at " + at);
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("offset"), e.getMessage());
            Files.write(file, good);
        }
    }

    @Test
    void openForAppendRefusesDamageBeforeTheLastBatchInsteadOfTruncating() throws IOException {
        write(4, 64 * KIB);
        Path file = segment(1);
        flip(file, batchStarts(1).get(1) + LogBatch.HEADER + 2, 0xFF);
        long size = Files.size(file);
        RepositoryException e =
                assertThrows(RepositoryException.class, () -> RedoLog.openForAppend(dir, null, 64 * KIB, 0));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertEquals(size, Files.size(file), "nothing was cut");
    }

    @Test
    void aDamagedLastBatchOfASealedSegmentMakesTheCursorThrow() throws IOException {
        write(20, KIB);
        List<Long> bases = RedoLog.segmentBases(dir);
        assertTrue(bases.size() >= 2, "needs a sealed segment");
        Path sealed = segment(bases.get(0));
        flip(sealed, Files.size(sealed) - 1, 0x01);
        RepositoryException e = assertThrows(RepositoryException.class, () -> Txs.readAll(dir, 1));
        assertTrue(e.getMessage().contains(sealed.toString()) && e.getMessage().contains("offset"), e.getMessage());
    }

    @Test
    void aMissingSegmentInTheMiddleIsReportedAsAGap() throws IOException {
        write(30, KIB);
        List<Long> bases = RedoLog.segmentBases(dir);
        assertTrue(bases.size() >= 3, "needs three segments, got " + bases);
        Files.delete(segment(bases.get(1)));
        Files.delete(SegmentName.index(dir, bases.get(1)));
        RepositoryException e = assertThrows(RepositoryException.class, () -> Txs.readAll(dir, 1));
        assertTrue(e.getMessage().contains("gap"), e.getMessage());
    }

    @Test
    void deletedIndexesAreIgnoredByReadersAndRebuiltOnOpen() throws IOException {
        List<Transaction> written = write(30, KIB);
        List<Long> bases = RedoLog.segmentBases(dir);
        for (long base : bases) {
            Files.delete(SegmentName.index(dir, base));
        }
        for (long from : new long[] {1, 2, 17, 31, written.size(), written.size() + 1}) {
            Txs.assertSameTransactions(
                    written.subList((int) Math.min(from - 1, written.size()), written.size()), Txs.readAll(dir, from));
        }
        long last = bases.get(bases.size() - 1);
        try (RedoLog log = RedoLog.openForAppend(dir, null, KIB, 0)) {
            assertEquals(written.size() + 1, log.nextSequence());
        }
        assertNotNull(
                SegmentIndex.read(SegmentName.index(dir, last), Files.size(segment(last))),
                "the active segment's index is rebuilt");
    }

    @Test
    void garbageIndexesAreIgnoredAndReadsStillWork() throws IOException {
        List<Transaction> written = write(30, KIB);
        List<Long> bases = RedoLog.segmentBases(dir);
        Random random = new Random(7);
        for (int i = 0; i < bases.size(); i++) {
            Path index = SegmentName.index(dir, bases.get(i));
            byte[] garbage = new byte[i % 2 == 0 ? 48 : 37];
            random.nextBytes(garbage);
            Files.write(index, garbage);
        }
        for (long from = 1; from <= written.size() + 1; from += 5) {
            Txs.assertSameTransactions(
                    written.subList((int) Math.min(from - 1, written.size()), written.size()), Txs.readAll(dir, from));
        }
        try (RedoLog log = RedoLog.openForAppend(dir, null, KIB, 0)) {
            assertEquals(written.size() + 1, log.nextSequence());
            written = new ArrayList<>(written);
            written.addAll(log.append(Txs.inserts(500, 2), "more"));
        }
        Txs.assertSameTransactions(written, Txs.readAll(dir, 1));
    }

    @Test
    void anIndexPointingIntoTheMiddleOfABatchDoesNotHideTransactions() throws IOException {
        List<Transaction> written = write(6, 64 * KIB);
        Path index = SegmentName.index(dir, 1);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(index));
        for (int at = 0; at < b.capacity(); at += SegmentIndex.ENTRY) {
            b.putLong(at + 8, b.getLong(at + 8) + 1); // every position one byte too far: plausible, but wrong
        }
        Files.write(index, b.array());
        for (long from = 1; from <= written.size(); from++) {
            try {
                Txs.assertSameTransactions(written.subList((int) from - 1, written.size()), Txs.readAll(dir, from));
            } catch (RepositoryException refused) {
                // refusing loudly is acceptable; returning fewer transactions silently is not
            }
        }
    }
}
