package dev.backtrack.repository.redolog;

import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.crypto.Sealer;
import dev.backtrack.repository.model.Transaction;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Iterates logged transactions in sequence order from a starting sequence, checking every batch's
 * CRC and the continuity of sequences ({@link SegmentWalk}). Not thread-safe; open one per reader.
 */
public final class LogCursor implements Iterator<Transaction>, AutoCloseable {
    private final Path dir;
    private final List<Long> bases;
    private final long from;
    private int segment;
    private SegmentWalk walk;
    private final ArrayDeque<Transaction> pending = new ArrayDeque<>();
    private long expected = -1;
    private String lastSourceOffset = "";
    private final Sealer sealer;

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
            walk = SegmentWalk.seek(dir, bases.get(segment), from);
            expected = walk.expectedSequence();
        }
    }

    @Override
    public boolean hasNext() {
        while (pending.isEmpty()) {
            if (walk == null) {
                return false;
            }
            SegmentBatch batch = walk.next();
            if (batch == null) {
                nextSegment();
                continue;
            }
            LogBatch.Decoded d = batch.decode(sealer, walk.file() + " before offset " + batch.end());
            if (!batch.inSequence()) {
                throw new RepositoryException("redo log gap: expected sequence " + expected + " but " + walk.file()
                        + " has " + d.baseSequence() + " before offset " + batch.end() + "; run 'backtrack verify'");
            }
            if (d.continues() && !walk.runCompletes()) {
                if (segment != bases.size() - 1) {
                    throw new RepositoryException("log segment " + walk.file() + " ends inside transaction "
                            + d.baseSequence()
                            + " but is not the last segment: the log is damaged, run 'backtrack verify'");
                }
                // the writer is still appending this transaction (or a crash cut it): it is not in the log yet
                close();
                return false;
            }
            if (!d.continues()) {
                expected = walk.expectedSequence();
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

    /** At the end of a segment's valid prefix: on to the next segment, which must continue the sequence. */
    private void nextSegment() {
        boolean last = segment == bases.size() - 1;
        if (walk.end() == SegmentWalk.End.TORN && !last) {
            throw new RepositoryException("log segment " + walk.file() + " ends in a partial batch at offset "
                    + walk.position() + " but is not the last segment: the log is damaged, run 'backtrack verify'");
        }
        close();
        if (last) {
            return;
        }
        long base = bases.get(segment + 1);
        if (base != expected) {
            throw new RepositoryException("redo log gap: expected sequence " + expected + " but the next segment "
                    + SegmentName.log(dir, base) + " begins at " + base + "; run 'backtrack verify'");
        }
        segment++;
        walk = new SegmentWalk(SegmentName.log(dir, base), 0, base);
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
        if (walk != null) {
            walk.close();
            walk = null;
        }
    }
}
