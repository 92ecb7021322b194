package dev.backtrack.repository.redolog;

import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.crypto.Sealer;
import dev.backtrack.repository.model.Transaction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Iterates logged transactions in sequence order from a starting sequence, checking every batch's
 * CRC and the continuity of sequences. Not thread-safe; open one per reader.
 */
public final class LogCursor implements Iterator<Transaction>, AutoCloseable {
    private final Path dir;
    private final List<Long> bases;
    private final long from;
    private int segment;
    private SegmentScanner scanner;
    private final ArrayDeque<Transaction> pending = new ArrayDeque<>();
    private long expected = -1;
    private String lastSourceOffset = "";
    private final Sealer sealer;
    // the sequence of the large transaction whose parts are being read, once its last part was seen on disk
    private long wholeRun = -1;

    LogCursor(Path dir, Sealer sealer, List<Long> bases, long fromSequence) {
        this.dir = dir;
        this.bases = bases;
        this.from = fromSequence;
        this.sealer = sealer;
        int start = 0;
        for (int i = 0; i < bases.size(); i++) {
            if (bases.get(i) <= fromSequence) {
                start = i;
            }
        }
        this.segment = start;
        if (!bases.isEmpty()) {
            openSegment(true);
        }
    }

    private void openSegment(boolean seek) {
        long base = bases.get(segment);
        Path file = SegmentName.log(dir, base);
        long startAt = 0;
        if (seek) {
            try {
                List<SegmentIndex.Entry> idx = SegmentIndex.read(SegmentName.index(dir, base), Files.size(file));
                if (idx != null) {
                    for (SegmentIndex.Entry e : idx) {
                        if (e.baseSequence() <= from) {
                            startAt = e.filePosition();
                            expected = e.baseSequence();
                        }
                    }
                }
            } catch (IOException e) {
                throw new RepositoryException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        if (startAt > 0 && !batchAt(file, startAt, expected)) {
            startAt = 0; // the index is only a cache: when it does not fit the segment, scan from the start
        }
        if (startAt == 0) {
            expected = base;
        }
        scanner = new SegmentScanner(file, startAt);
    }

    /** Whether the last part of the large transaction {@code sequence} follows in the current segment. */
    private boolean runCompletes(long sequence) {
        try (SegmentScanner ahead = new SegmentScanner(SegmentScanner.fileOf(scanner), scanner.position())) {
            byte[] batch;
            while ((batch = ahead.next()) != null) {
                ByteBuffer h = ByteBuffer.wrap(batch);
                if (h.getLong(LogBatch.BASE_SEQUENCE) != sequence) {
                    return false;
                }
                if (h.getInt(LogBatch.COUNT) > 0) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Whether a whole, CRC-checked batch beginning with sequence {@code base} starts at {@code position} of {@code file}. */
    private static boolean batchAt(Path file, long position, long base) {
        try (SegmentScanner s = new SegmentScanner(file, position)) {
            byte[] batch = s.next();
            return batch != null && ByteBuffer.wrap(batch).getLong(LogBatch.BASE_SEQUENCE) == base;
        } catch (RepositoryException e) {
            return false;
        }
    }

    @Override
    public boolean hasNext() {
        while (pending.isEmpty()) {
            if (scanner == null) {
                return false;
            }
            byte[] batch = scanner.next();
            if (batch == null) {
                boolean last = segment == bases.size() - 1;
                if (scanner.end() == SegmentScanner.End.TORN && !last) {
                    throw new RepositoryException("log segment " + SegmentScanner.fileOf(scanner)
                            + " ends in a partial batch at offset " + scanner.position()
                            + " but is not the last segment: the log is damaged, run 'backtrack verify'");
                }
                scanner.close();
                scanner = null;
                if (!last) {
                    if (bases.get(segment + 1) != expected) {
                        throw new RepositoryException("redo log gap: expected sequence " + expected
                                + " but the next segment "
                                + SegmentName.log(dir, bases.get(segment + 1)) + " begins at " + bases.get(segment + 1)
                                + "; run 'backtrack verify'");
                    }
                    segment++;
                    openSegment(false);
                }
                continue;
            }
            LogBatch.Decoded d = LogBatch.decode(
                    batch, sealer, SegmentScanner.fileOf(scanner) + " before offset " + scanner.position());
            if (d.baseSequence() != expected) {
                throw new RepositoryException("redo log gap: expected sequence " + expected + " but "
                        + SegmentScanner.fileOf(scanner) + " has " + d.baseSequence() + " before offset "
                        + scanner.position() + "; run 'backtrack verify'");
            }
            if (d.continues()) {
                if (wholeRun != d.baseSequence() && !runCompletes(d.baseSequence())) {
                    if (segment != bases.size() - 1) {
                        throw new RepositoryException("log segment " + SegmentScanner.fileOf(scanner)
                                + " ends inside transaction " + d.baseSequence()
                                + " but is not the last segment: the log is damaged, run 'backtrack verify'");
                    }
                    // the writer is still appending this transaction (or a crash cut it): it is not in the log yet
                    scanner.close();
                    scanner = null;
                    return false;
                }
                wholeRun = d.baseSequence();
            } else {
                expected = d.lastSequence() + 1;
                lastSourceOffset = d.sourceOffset();
            }
            for (Transaction tx : d.transactions()) {
                if (tx.sequence() >= from) {
                    pending.add(tx);
                }
            }
        }
        return true;
    }

    @Override
    public Transaction next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return pending.poll();
    }

    /** Sequence the next batch read would start at. */
    public long expectedSequence() {
        return expected;
    }

    public String lastSourceOffset() {
        return lastSourceOffset;
    }

    @Override
    public void close() {
        if (scanner != null) {
            scanner.close();
            scanner = null;
        }
    }
}
