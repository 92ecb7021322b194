package dev.backtrack.repository.redolog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.crypto.Sealer;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one walk over a segment's batches: framing, CRC, where the valid prefix ends and why, sequences, runs. */
class SegmentWalkTest {
    @TempDir
    Path dir;

    private Path file;

    /** Batches of the given transaction counts, with contiguous sequences from 1. */
    private static List<byte[]> batches(int... counts) {
        List<byte[]> out = new ArrayList<>();
        long seq = 1;
        for (int count : counts) {
            List<Transaction> txs = new ArrayList<>();
            for (int i = 0; i < count; i++, seq++) {
                txs.add(Txs.insert(seq).withSequence(seq));
            }
            out.add(LogBatch.encode(txs, "offset-" + seq, 0));
        }
        return out;
    }

    private Path segment(List<byte[]> batches) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (byte[] b : batches) {
            bytes.write(b);
        }
        file = SegmentName.log(dir, 1);
        Files.write(file, bytes.toByteArray());
        return file;
    }

    private static List<SegmentBatch> walkAll(SegmentWalk walk) {
        List<SegmentBatch> out = new ArrayList<>();
        for (SegmentBatch b = walk.next(); b != null; b = walk.next()) {
            out.add(b);
        }
        return out;
    }

    @Test
    void yieldsEachWholeBatchWithItsPositionAndSequenceAndEndsCleanly() throws IOException {
        List<byte[]> batches = batches(2, 1, 3);
        segment(batches);
        try (SegmentWalk walk = new SegmentWalk(file, 0, 1)) {
            List<SegmentBatch> read = walkAll(walk);
            assertEquals(3, read.size());
            long at = 0;
            long[] bases = {1, 3, 4};
            for (int i = 0; i < 3; i++) {
                SegmentBatch b = read.get(i);
                assertEquals(at, b.position());
                assertEquals(bases[i], b.baseSequence());
                assertTrue(b.inSequence() && b.beginsTransaction() && b.knownVersion());
                assertTrue(Arrays.equals(batches.get(i), b.bytes()));
                at = b.end();
            }
            assertEquals(7, walk.expectedSequence());
            assertEquals(SegmentWalk.End.CLEAN, walk.end());
            assertEquals(Files.size(file), walk.position());
            assertEquals(Files.size(file), walk.transactionsEnd());
        }
    }

    /** Torn last batches: cut in its length prefix, cut in its payload, its tail never written, zeros after it. */
    @ParameterizedTest
    @ValueSource(strings = {"prefix", "payload", "zeroed-tail", "zero-fill"})
    void aTornLastBatchEndsTheWalkWhereItBegins(String how) throws IOException {
        List<byte[]> batches = new ArrayList<>(batches(2, 2, 2));
        byte[] last = batches.remove(2);
        long lastAt = batches.get(0).length + batches.get(1).length;
        switch (how) {
            case "prefix" -> batches.add(Arrays.copyOf(last, 7));
            case "payload" -> batches.add(Arrays.copyOf(last, last.length - 3));
            case "zeroed-tail" -> {
                Arrays.fill(last, last.length - 10, last.length, (byte) 0);
                batches.add(last);
            }
            default -> {
                batches.add(last);
                batches.add(new byte[4096]);
                lastAt += last.length;
            }
        }
        segment(batches);
        try (SegmentWalk walk = new SegmentWalk(file, 0, 1)) {
            assertEquals(how.equals("zero-fill") ? 3 : 2, walkAll(walk).size());
            assertEquals(SegmentWalk.End.TORN, walk.end());
            assertEquals(lastAt, walk.position(), "the valid prefix ends where the torn batch begins");
            assertNull(walk.next(), "the walk stays at its end");
        }
    }

    @Test
    void aBadCrcWithBytesAfterItIsDamageNamingFileAndOffset() throws IOException {
        List<byte[]> batches = batches(1, 1, 1);
        batches.get(1)[LogBatch.HEADER + 2] ^= 0x10;
        segment(batches);
        try (SegmentWalk walk = new SegmentWalk(file, 0, 1)) {
            assertEquals(1, walk.next().baseSequence());
            RepositoryException e = assertThrows(RepositoryException.class, walk::next);
            assertEquals(
                    "log segment " + file + " is damaged at offset " + batches.get(0).length
                            + " (CRC-32C mismatch): restore from a copy of that file or run 'backtrack verify' for the"
                            + " full report",
                    e.getMessage());
        }
    }

    @Test
    void aBadCrcInTheLastBatchIsATornTail() throws IOException {
        List<byte[]> batches = batches(1, 1);
        batches.get(1)[LogBatch.HEADER + 2] ^= 0x10;
        segment(batches);
        try (SegmentWalk walk = new SegmentWalk(file, 0, 1)) {
            assertEquals(1, walkAll(walk).size());
            assertEquals(SegmentWalk.End.TORN, walk.end());
            assertEquals(batches.get(0).length, walk.position());
        }
    }

    @Test
    void anImpossibleLengthWithBytesAfterItIsDamage() throws IOException {
        List<byte[]> batches = batches(1, 1, 1);
        ByteBuffer.wrap(batches.get(1)).putInt(LogBatch.LENGTH, 5);
        segment(batches);
        try (SegmentWalk walk = new SegmentWalk(file, 0, 1)) {
            walk.next();
            RepositoryException e = assertThrows(RepositoryException.class, walk::next);
            assertTrue(e.getMessage().contains("impossible batch length 5"), e.getMessage());
            assertTrue(e.getMessage().contains("offset " + batches.get(0).length), e.getMessage());
        }
    }

    @Test
    void aBatchOutOfSequenceIsYieldedAndFlaggedForTheReadersPolicy() throws IOException {
        List<byte[]> batches = batches(2, 1);
        ByteBuffer.wrap(batches.get(1)).putLong(LogBatch.BASE_SEQUENCE, 7); // not under the CRC
        segment(batches);
        try (SegmentWalk walk = new SegmentWalk(file, 0, 1)) {
            assertTrue(walk.next().inSequence());
            SegmentBatch gap = walk.next();
            assertFalse(gap.inSequence());
            assertEquals(3, gap.expectedSequence());
            assertEquals(7, gap.baseSequence());
            assertEquals(8, walk.expectedSequence(), "the walk goes on from the batch it found");
        }
    }

    @Test
    void sealedBatchesAreWalkedWithoutTheKeyAndDecodeOnlyWithIt() throws IOException {
        Sealer key = Sealer.ephemeral();
        List<Transaction> txs =
                List.of(Txs.insert(1).withSequence(1), Txs.insert(2).withSequence(2));
        byte[] sealed = LogBatch.encode(txs, "offset-2", 3, key);
        byte[] plain = LogBatch.encode(List.of(Txs.insert(3).withSequence(3)), "offset-3", 0);
        segment(List.of(sealed, plain));
        try (SegmentWalk walk = new SegmentWalk(file, 0, 1)) {
            SegmentBatch b = walk.next();
            assertEquals(1, b.baseSequence(), "the header is in the clear");
            assertEquals(2, b.count());
            assertEquals(txs.get(1).position(), b.lastPosition());
            RepositoryException noKey =
                    assertThrows(RepositoryException.class, () -> b.decode(null, file + " offset 0"));
            assertTrue(noKey.getMessage().startsWith(file + " offset 0 is encrypted"), noKey.getMessage());
            assertThrows(RuntimeException.class, () -> b.decode(Sealer.ephemeral(), "elsewhere"));
            Txs.assertSameTransactions(txs, b.decode(key, "here").transactions());
            SegmentBatch p = walk.next();
            RepositoryException refused = assertThrows(RepositoryException.class, () -> p.decode(key, "plain"));
            assertTrue(refused.getMessage().contains("is not encrypted, but the repository is"), refused.getMessage());
            assertNull(walk.next());
            assertEquals(SegmentWalk.End.CLEAN, walk.end());
        }
    }

    /** A transaction of 40 inserts written as parts of at most {@code bytes} payload bytes each. */
    private static List<byte[]> run(long sequence, int bytes) {
        List<RowChange> changes = new ArrayList<>();
        for (long i = 0; i < 40; i++) {
            changes.add(new RowChange(1, Op.INSERT, null, new Object[] {i, "row " + i}));
        }
        Transaction tx = new Transaction(sequence, Txs.T0, 0x2000L, "big", changes);
        Iterator<RowChange> it = changes.iterator();
        List<byte[]> parts = new ArrayList<>();
        do {
            parts.add(LogBatch.encodePart(tx, it, bytes, "after-" + sequence, 0));
        } while (it.hasNext());
        return parts;
    }

    @Test
    void followsARunOfPartsAndFindsItsLastPart() throws IOException {
        List<byte[]> batches = new ArrayList<>(batches(1));
        List<byte[]> parts = run(2, 200);
        assertTrue(parts.size() >= 3, "parts: " + parts.size());
        batches.addAll(parts);
        batches.add(LogBatch.encode(List.of(Txs.insert(3).withSequence(3)), "after-3", 0));
        segment(batches);
        try (SegmentWalk walk = new SegmentWalk(file, 0, 1)) {
            assertTrue(walk.next().beginsTransaction());
            SegmentBatch first = walk.next();
            assertTrue(first.beginsTransaction() && first.continues());
            assertEquals(first.position(), walk.transactionsEnd(), "inside the run, whole transactions end before it");
            assertTrue(walk.runCompletes());
            SegmentBatch second = walk.next();
            assertFalse(second.beginsTransaction());
            assertTrue(second.inSequence(), "every part carries the transaction's sequence");
            List<SegmentBatch> rest = walkAll(walk);
            assertEquals(3, rest.get(rest.size() - 1).baseSequence());
            assertTrue(rest.get(rest.size() - 1).beginsTransaction());
            assertEquals(Files.size(file), walk.transactionsEnd());
            assertEquals(4, walk.expectedSequence());
        }
    }

    @Test
    void aRunWithoutItsLastPartDoesNotCompleteAndIsNotAWholeTransaction() throws IOException {
        List<byte[]> batches = new ArrayList<>(batches(1));
        List<byte[]> parts = run(2, 200);
        batches.addAll(parts.subList(0, parts.size() - 1));
        segment(batches);
        long runStart = batches.get(0).length;
        try (SegmentWalk walk = new SegmentWalk(file, 0, 1)) {
            walk.next();
            walk.next();
            assertFalse(walk.runCompletes());
            walkAll(walk);
            assertEquals(SegmentWalk.End.CLEAN, walk.end(), "every batch is whole");
            assertEquals(runStart, walk.transactionsEnd(), "but the transaction is not");
            assertEquals(2, walk.expectedSequence());
        }
    }

    @Test
    void seeksToAnIndexedBatchOnlyWhenTheIndexFitsTheSegment() throws IOException {
        List<byte[]> batches = batches(2, 2, 2);
        segment(batches);
        long second = batches.get(0).length, third = second + batches.get(1).length;
        Path index = SegmentName.index(dir, 1);
        SegmentIndex.write(
                index,
                List.of(
                        new SegmentIndex.Entry(1, 0, 10),
                        new SegmentIndex.Entry(3, second, 20),
                        new SegmentIndex.Entry(5, third, 30)));
        try (SegmentWalk walk = SegmentWalk.seek(dir, 1, 4)) {
            assertEquals(second, walk.position());
            assertEquals(3, walk.expectedSequence());
            assertEquals(20, walk.indexedMaxTime());
            assertEquals(3, walk.next().baseSequence());
        }
        // an entry one byte off: plausible, but not a batch of that sequence
        SegmentIndex.write(index, List.of(new SegmentIndex.Entry(1, 0, 10), new SegmentIndex.Entry(3, second + 1, 20)));
        try (SegmentWalk walk = SegmentWalk.seek(dir, 1, 4)) {
            assertEquals(0, walk.position());
            assertEquals(1, walk.expectedSequence());
            assertEquals(Long.MIN_VALUE, walk.indexedMaxTime());
        }
        Files.delete(index);
        try (SegmentWalk walk = SegmentWalk.seek(dir, 1, Long.MAX_VALUE)) {
            assertEquals(0, walk.position());
            assertEquals(3, walkAll(walk).size());
        }
    }
}
