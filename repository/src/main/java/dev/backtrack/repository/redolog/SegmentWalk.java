package dev.backtrack.repository.redolog;

import dev.backtrack.repository.RepositoryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;

/**
 * The one walk over a segment's batches, as Kafka's log segments are walked batch by batch: each
 * batch's length and CRC-32C are checked before it is yielded, with where it begins, the sequence
 * expected there and whether it begins a transaction. The walk stops where the valid prefix ends
 * and says why ({@link End}); a bad batch with bytes after it is damage and throws, naming the file
 * and offset. It follows runs of parts of large transactions: where the open one began, and whether
 * its last part follows. Headers only: decoding, and with it the payload's sealing, is
 * {@link SegmentBatch#decode}. Every reader of the log walks with it and keeps its own policy.
 * Not thread-safe; one walk per reader.
 */
final class SegmentWalk implements AutoCloseable {
    /** Why a walk ended: the file ended after a whole batch, or in a torn one (a write a crash cut short). */
    enum End {
        CLEAN,
        TORN
    }

    private static final int MAX_BATCH = 1 << 30;
    private final Path file;
    private final FileChannel channel;
    private final long size;
    private long position;
    private long expected;
    private long indexedMaxTime = Long.MIN_VALUE;
    // where the run of parts the walk is inside began (-1: none), and the sequence of a run known to be whole
    private long runStart = -1;
    private long wholeRun = -1;
    private End end;

    /** A walk of {@code file} from {@code position}, where a batch of {@code expectedSequence} should begin. */
    SegmentWalk(Path file, long position, long expectedSequence) {
        this.file = file;
        try {
            this.channel = FileChannel.open(file);
            this.size = channel.size();
        } catch (IOException e) {
            throw new RepositoryException("cannot open log segment " + file + ": " + e.getMessage(), e);
        }
        this.position = position;
        this.expected = expectedSequence;
    }

    /**
     * A walk of segment {@code base} from the last batch its index places at or before
     * {@code sequence}; from the start when the index is missing, does not fit the segment, or does
     * not point at a whole batch of that sequence (the index is only a cache).
     */
    static SegmentWalk seek(Path dir, long base, long sequence) {
        SegmentWalk walk = new SegmentWalk(SegmentName.log(dir, base), 0, base);
        List<SegmentIndex.Entry> index = SegmentIndex.read(SegmentName.index(dir, base), walk.size);
        SegmentIndex.Entry at = null;
        for (SegmentIndex.Entry e : index == null ? List.<SegmentIndex.Entry>of() : index) {
            if (e.baseSequence() <= sequence) {
                at = e;
            }
        }
        if (at != null && walk.batchAt(at.filePosition(), at.baseSequence())) {
            walk.position = at.filePosition();
            walk.expected = at.baseSequence();
            walk.indexedMaxTime = at.maxTimeSoFar();
        }
        return walk;
    }

    Path file() {
        return file;
    }

    /** Where the next batch begins; once the walk ended, where the valid prefix ends. */
    long position() {
        return position;
    }

    /** The sequence the next batch should begin with. */
    long expectedSequence() {
        return expected;
    }

    /** Why the last {@link #next()} returned null. */
    End end() {
        return end;
    }

    /** The largest commit time in the segment before a walk its index placed (the entry's), else the minimum. */
    long indexedMaxTime() {
        return indexedMaxTime;
    }

    /** Where the whole transactions end: before a run of parts whose last part has not been read. */
    long transactionsEnd() {
        return runStart >= 0 ? runStart : position;
    }

    /**
     * The next whole, CRC-checked batch, or null at the end of the valid prefix (see {@link #end()}).
     * A bad batch that is not the last is damage and throws.
     */
    SegmentBatch next() {
        byte[] bytes = read(position);
        if (bytes == null) {
            end = position == size ? End.CLEAN : End.TORN;
            return null;
        }
        SegmentBatch batch = new SegmentBatch(position, bytes, expected, runStart < 0);
        position = batch.end();
        expected = batch.nextSequence();
        runStart = !batch.continues() ? -1 : runStart < 0 ? batch.position() : runStart;
        return batch;
    }

    /**
     * Whether the run of parts the walk is inside ends in this segment: its last part follows the
     * batches read so far (a reader racing the writer, or after a crash, may not find it yet).
     */
    boolean runCompletes() {
        if (runStart < 0 || wholeRun == expected) {
            return true;
        }
        long at = position;
        for (byte[] bytes = read(at); bytes != null; bytes = read(at)) {
            SegmentBatch part = new SegmentBatch(at, bytes, expected, false);
            if (!part.inSequence()) {
                return false;
            }
            if (!part.continues()) {
                wholeRun = expected;
                return true;
            }
            at = part.end();
        }
        return false;
    }

    /** Whether a whole, CRC-checked batch beginning with {@code sequence} starts at {@code at}. */
    private boolean batchAt(long at, long sequence) {
        try {
            byte[] bytes = read(at);
            return bytes != null && new SegmentBatch(at, bytes, sequence, true).inSequence();
        } catch (RepositoryException e) {
            return false;
        }
    }

    /**
     * The whole, CRC-checked batch at {@code at}, or null at the end of the file (a clean end, or a
     * torn last batch: a partial write the writer never acknowledged). A bad batch that is not the
     * last is damage and throws. (The length is not under the CRC: a corrupt length in the last
     * batch reads as a torn tail, as in Kafka.)
     */
    private byte[] read(long at) {
        try {
            if (size - at < LogBatch.LENGTH_PREFIX) {
                return null;
            }
            ByteBuffer prefix = ByteBuffer.allocate(LogBatch.LENGTH_PREFIX);
            readFully(prefix, at);
            int length = prefix.getInt(LogBatch.LENGTH);
            long batchEnd = at + LogBatch.LENGTH_PREFIX + length;
            if (length < LogBatch.HEADER - LogBatch.LENGTH_PREFIX || length > MAX_BATCH || batchEnd > size) {
                if (batchEnd >= size || length <= 0) {
                    return null;
                }
                throw damaged(at, "impossible batch length " + length);
            }
            ByteBuffer batch = ByteBuffer.allocate(LogBatch.LENGTH_PREFIX + length);
            readFully(batch, at);
            byte[] bytes = batch.array();
            if (!LogBatch.crcMatches(bytes)) {
                if (batchEnd == size) {
                    return null;
                }
                throw damaged(at, "CRC-32C mismatch");
            }
            return bytes;
        } catch (IOException e) {
            throw new RepositoryException(
                    "cannot read log segment " + file + " at offset " + at + ": " + e.getMessage(), e);
        }
    }

    private RepositoryException damaged(long at, String what) {
        return new RepositoryException("log segment " + file + " is damaged at offset " + at + " (" + what
                + "): restore from a copy of that file or run 'backtrack verify' for the full report");
    }

    private void readFully(ByteBuffer buf, long at) throws IOException {
        long p = at;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, p);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            p += n;
        }
        buf.flip();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only channel: nothing to lose
        }
    }
}
