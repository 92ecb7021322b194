package dev.backtrack.repository.redolog;

import dev.backtrack.repository.RepositoryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Walks the batches of one segment file, checking length and CRC-32C of each. Not thread-safe;
 * one scanner per reader.
 */
final class SegmentScanner implements AutoCloseable {
    /** What ended a scan. */
    enum End {
        CLEAN,
        TORN
    }

    private static final int MAX_BATCH = 1 << 30;
    private final Path file;
    private final FileChannel channel;
    private final long size;
    private long position;
    private End end;

    SegmentScanner(Path file, long startPosition) {
        this.file = file;
        try {
            this.channel = FileChannel.open(file);
            this.size = channel.size();
        } catch (IOException e) {
            throw new RepositoryException("cannot open log segment " + file + ": " + e.getMessage(), e);
        }
        this.position = startPosition;
    }

    long position() {
        return position;
    }

    /** Why the last {@link #next()} returned null. */
    End end() {
        return end;
    }

    /**
     * The next whole, CRC-checked batch, or null at the end of the file (clean end, or a torn last
     * batch: a partial write the writer never acknowledged). A bad batch that is not the last is
     * damage and throws.
     */
    byte[] next() {
        try {
            if (position == size) {
                end = End.CLEAN;
                return null;
            }
            if (size - position < LogBatch.LENGTH_PREFIX) {
                end = End.TORN;
                return null;
            }
            ByteBuffer prefix = ByteBuffer.allocate(LogBatch.LENGTH_PREFIX);
            readFully(prefix, position);
            int length = prefix.getInt(LogBatch.LENGTH);
            long batchEnd = position + LogBatch.LENGTH_PREFIX + length;
            if (length < LogBatch.HEADER - LogBatch.LENGTH_PREFIX || length > MAX_BATCH || batchEnd > size) {
                if (batchEnd >= size || length <= 0) {
                    end = End.TORN;
                    return null;
                }
                throw damaged("impossible batch length " + length);
            }
            ByteBuffer batch = ByteBuffer.allocate(LogBatch.LENGTH_PREFIX + length);
            readFully(batch, position);
            byte[] bytes = batch.array();
            if (!LogBatch.crcMatches(bytes)) {
                if (batchEnd == size) {
                    end = End.TORN;
                    return null;
                }
                throw damaged("CRC-32C mismatch");
            }
            position = batchEnd;
            return bytes;
        } catch (IOException e) {
            throw new RepositoryException(
                    "cannot read log segment " + file + " at offset " + position + ": " + e.getMessage(), e);
        }
    }

    private RepositoryException damaged(String what) {
        return new RepositoryException("log segment " + file + " is damaged at offset " + position + " (" + what
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

    static Path fileOf(SegmentScanner s) {
        return s.file;
    }
}
