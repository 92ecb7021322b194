package dev.backtrack.repository.redolog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The sparse index beside a segment: one 24-byte entry per batch (base sequence, file position,
 * largest commit time so far in the segment). No checksum and never fsync'd: it is a cache, rebuilt
 * from the segment whenever it does not fit it (Kafka's rule). Not thread-safe.
 */
final class SegmentIndex {
    static final int ENTRY = 24;

    record Entry(long baseSequence, long filePosition, long maxTimeSoFar) {}

    private SegmentIndex() {}

    static void append(FileChannel channel, Entry e) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(ENTRY)
                .putLong(e.baseSequence)
                .putLong(e.filePosition)
                .putLong(e.maxTimeSoFar)
                .flip();
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    /** Reads the index, or returns null when it is missing or does not fit a segment of {@code logSize} bytes. */
    static List<Entry> read(Path index, long logSize) {
        try {
            if (!Files.exists(index)) {
                return null;
            }
            byte[] bytes = Files.readAllBytes(index);
            if (bytes.length % ENTRY != 0) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            List<Entry> out = new ArrayList<>(bytes.length / ENTRY);
            long lastPos = -1, lastSeq = -1, lastTime = Long.MIN_VALUE;
            while (b.hasRemaining()) {
                Entry e = new Entry(b.getLong(), b.getLong(), b.getLong());
                if (e.filePosition <= lastPos
                        || e.baseSequence <= lastSeq
                        || e.maxTimeSoFar < lastTime
                        || e.filePosition >= logSize) {
                    return null;
                }
                lastPos = e.filePosition;
                lastSeq = e.baseSequence;
                lastTime = e.maxTimeSoFar;
                out.add(e);
            }
            return out;
        } catch (IOException e) {
            return null;
        }
    }

    static void write(Path index, List<Entry> entries) throws IOException {
        try (FileChannel ch = FileChannel.open(
                index, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (Entry e : entries) {
                append(ch, e);
            }
        }
    }
}
