package dev.backtrack.repository.redolog;

import static dev.backtrack.repository.redolog.Txs.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.repository.model.Transaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedoLogTest {
    private static final long KIB = 1024;

    @TempDir
    Path dir;

    /** Appends {@code batches} batches of {@code perBatch} transactions; returns them with their sequences. */
    private static List<Transaction> fill(RedoLog log, long firstN, int batches, int perBatch) {
        List<Transaction> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            long n = firstN + (long) b * perBatch;
            out.addAll(log.append(Txs.inserts(n, perBatch), "offset-" + (n + perBatch - 1)));
        }
        return out;
    }

    private List<String> segmentNames(String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(suffix))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void anEmptyLogStartsAtSequenceOneWithNothingToRead() throws IOException {
        try (RedoLog log = RedoLog.openForAppend(dir, null, 64 * KIB, 3)) {
            assertEquals(1, log.nextSequence());
            assertEquals(-1, log.lastPosition());
            assertEquals("", log.lastSourceOffset());
            assertTrue(log.append(List.of(), "ignored").isEmpty());
        }
        assertTrue(Txs.readAll(dir, 1).isEmpty());
        assertTrue(LogSummary.of(dir).isEmpty());
        assertTrue(LogSummary.of(dir.resolve("missing")).isEmpty());
    }

    @Test
    void appendAssignsContiguousSequencesAcrossBatches() throws IOException {
        try (RedoLog log = RedoLog.openForAppend(dir, null, 64 * KIB, 3)) {
            List<Transaction> first = log.append(Txs.inserts(1, 3), "a");
            List<Transaction> second = log.append(Txs.inserts(4, 2), "b");
            assertEquals(
                    List.of(1L, 2L, 3L),
                    first.stream().map(Transaction::sequence).toList());
            assertEquals(
                    List.of(4L, 5L), second.stream().map(Transaction::sequence).toList());
            assertEquals(6, log.nextSequence());
            assertEquals(Txs.insert(5).position(), log.lastPosition());
            assertEquals("b", log.lastSourceOffset());
        }
    }

    @Test
    void reopeningContinuesSequencesAndRestoresPositionAndSourceOffset() throws IOException {
        List<Transaction> written = new ArrayList<>();
        try (RedoLog log = RedoLog.openForAppend(dir, null, 64 * KIB, 3)) {
            written.addAll(fill(log, 1, 4, 3));
        }
        try (RedoLog log = RedoLog.openForAppend(dir, null, 64 * KIB, 3)) {
            assertEquals(13, log.nextSequence());
            assertEquals(Txs.insert(12).position(), log.lastPosition());
            assertEquals("offset-12", log.lastSourceOffset());
            written.addAll(fill(log, 13, 2, 2));
            assertEquals(17, log.nextSequence());
        }
        try (RedoLog log = RedoLog.openForAppend(dir, null, 64 * KIB, 3)) {
            assertEquals(17, log.nextSequence());
            assertEquals("offset-16", log.lastSourceOffset());
        }
        Txs.assertSameTransactions(written, Txs.readAll(dir, 1));
        assertEquals(List.of("00000000000000000001.log"), segmentNames(".log"));
    }

    @Test
    void appendingWithoutASourceOffsetReportsAnEmptyOneAsAfterReopening() throws IOException {
        try (RedoLog log = RedoLog.openForAppend(dir, null, 64 * KIB, 3)) {
            log.append(Txs.inserts(1, 1), null);
            assertEquals("", log.lastSourceOffset());
        }
        try (RedoLog log = RedoLog.openForAppend(dir, null, 64 * KIB, 3)) {
            assertEquals("", log.lastSourceOffset());
        }
    }

    @Test
    void aTinySegmentSizeRollsIntoSeveralSegmentsNamedByTheirFirstSequence() throws IOException {
        List<Transaction> written;
        try (RedoLog log = RedoLog.openForAppend(dir, null, KIB, 0)) {
            written = fill(log, 1, 30, 3);
        }
        List<String> logs = segmentNames(".log");
        assertTrue(logs.size() >= 3, "expected several segments, got " + logs);
        for (String name : logs) {
            assertTrue(name.matches("\\d{20}\\.log"), name);
            assertTrue(Files.exists(dir.resolve(name.replace(".log", ".index"))), "index beside " + name);
        }
        assertEquals("00000000000000000001.log", logs.get(0));
        // every segment starts right after the previous one ends: its name is the sequence of its first transaction
        List<Long> bases =
                logs.stream().map(n -> Long.parseLong(n.substring(0, 20))).toList();
        for (long base : bases) {
            assertEquals(0, (base - 1) % 3, "segments begin at batch boundaries, got " + base);
        }
        assertEquals(bases, RedoLog.segmentBases(dir));
        Txs.assertSameTransactions(written, Txs.readAll(dir, 1));
        try (Stream<Path> s = Files.list(dir)) {
            for (Path seg : s.filter(p -> p.toString().endsWith(".log")).toList()) {
                assertTrue(Files.size(seg) < KIB + 1024, "a segment is sealed soon after it passes the size: " + seg);
            }
        }
    }

    @Test
    void readsEverythingAcrossSegmentsFromAnySequence() throws IOException {
        List<Transaction> written;
        try (RedoLog log = RedoLog.openForAppend(dir, null, KIB, 0)) {
            written = fill(log, 1, 25, 3);
        }
        assertTrue(segmentNames(".log").size() >= 3);
        long last = written.get(written.size() - 1).sequence();
        for (long from = 0; from <= last + 2; from++) {
            int skip = (int) Math.max(0, Math.min(from - 1, written.size()));
            List<Transaction> got = Txs.readAll(dir, from);
            Txs.assertSameTransactions(written.subList(skip, written.size()), got);
        }
        try (LogCursor c = RedoLog.read(dir, null, last + 1)) {
            assertFalse(c.hasNext());
        }
    }

    @Test
    void aCursorReportsTheSourceOffsetOfTheLastBatchItRead() throws IOException {
        try (RedoLog log = RedoLog.openForAppend(dir, null, KIB, 0)) {
            fill(log, 1, 12, 3);
        }
        try (LogCursor c = RedoLog.read(dir, null, 5)) {
            Transaction t = c.next();
            assertEquals(5, t.sequence());
            assertEquals("offset-6", c.lastSourceOffset());
            assertEquals(7, c.expectedSequence());
            c.forEachRemaining(x -> {});
            assertEquals("offset-36", c.lastSourceOffset());
            assertEquals(37, c.expectedSequence());
        }
    }

    @Test
    void reopeningARolledLogKeepsAppendingContiguously() throws IOException {
        List<Transaction> written = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            try (RedoLog log = RedoLog.openForAppend(dir, null, KIB, 0)) {
                assertEquals(written.size() + 1, log.nextSequence());
                written.addAll(fill(log, written.size() + 1, 10, 2));
            }
        }
        assertTrue(segmentNames(".log").size() >= 3);
        Txs.assertSameTransactions(written, Txs.readAll(dir, 1));
    }

    @Test
    void logSummaryReportsFirstAndLastSequencePositionAndMaxCommitTime() throws IOException {
        try (RedoLog log = RedoLog.openForAppend(dir, null, 64 * KIB, 3)) {
            log.append(
                    List.of(
                            new Transaction(0, T0 + 50, 100, "a", List.of()),
                            new Transaction(0, T0 + 900, 200, "b", List.of())),
                    "1");
            log.append(List.of(new Transaction(0, T0 + 300, 300, "c", List.of())), "2");
        }
        LogSummary s = LogSummary.of(dir);
        assertFalse(s.isEmpty());
        assertEquals(1, s.firstSequence());
        assertEquals(3, s.lastSequence());
        assertEquals(300, s.lastPosition());
        assertEquals(T0 + 900, s.maxCommitMicros(), "the largest time, not the last one");
        assertEquals(1, s.segments());
        assertEquals(Files.size(dir.resolve("00000000000000000001.log")), s.bytes());
    }

    @Test
    void logSummaryCoversEverySegment() throws IOException {
        List<Transaction> written;
        try (RedoLog log = RedoLog.openForAppend(dir, null, KIB, 0)) {
            written = fill(log, 1, 20, 3);
        }
        List<String> logs = segmentNames(".log");
        long bytes = 0;
        for (String n : logs) {
            bytes += Files.size(dir.resolve(n));
        }
        LogSummary s = LogSummary.of(dir);
        Transaction last = written.get(written.size() - 1);
        assertEquals(1, s.firstSequence());
        assertEquals(last.sequence(), s.lastSequence());
        assertEquals(last.position(), s.lastPosition());
        assertEquals(last.commitMicros(), s.maxCommitMicros());
        assertEquals(logs.size(), s.segments());
        assertEquals(bytes, s.bytes());
    }
}
