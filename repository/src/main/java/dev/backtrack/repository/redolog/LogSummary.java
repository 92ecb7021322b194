package dev.backtrack.repository.redolog;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * What the log holds, read from batch headers only (no decompression): first and last sequence,
 * last commit position, the latest commit time, and the log's size in bytes.
 */
public record LogSummary(long firstSequence, long lastSequence, long lastPosition, long maxCommitMicros, long bytes,
                         int segments) {

    public boolean isEmpty() {
        return lastSequence < firstSequence;
    }

    public static LogSummary of(Path dir) {
        List<Long> bases = RedoLog.segmentBases(dir);
        if (bases.isEmpty()) {
            return new LogSummary(1, 0, -1, Long.MIN_VALUE, 0, 0);
        }
        long bytes = 0, last = bases.get(0) - 1, position = -1, maxTime = Long.MIN_VALUE;
        for (int i = 0; i < bases.size(); i++) {
            Path file = SegmentName.log(dir, bases.get(i));
            bytes += file.toFile().length();
            if (i < bases.size() - 1) {
                continue;
            }
            try (SegmentScanner scan = new SegmentScanner(file, 0)) {
                byte[] batch;
                while ((batch = scan.next()) != null) {
                    ByteBuffer h = ByteBuffer.wrap(batch);
                    last = h.getLong(LogBatch.BASE_SEQUENCE) + h.getInt(LogBatch.COUNT) - 1;
                    position = h.getLong(LogBatch.LAST_POSITION);
                    maxTime = Math.max(maxTime, h.getLong(LogBatch.MAX_TIME));
                }
            }
        }
        if (maxTime == Long.MIN_VALUE && bases.size() > 1) {
            // the last segment is empty: its predecessor holds the latest time
            return ofSealed(dir, bases, bytes);
        }
        return new LogSummary(bases.get(0), last, position, maxTime, bytes, bases.size());
    }

    private static LogSummary ofSealed(Path dir, List<Long> bases, long bytes) {
        long last = bases.get(0) - 1, position = -1, maxTime = Long.MIN_VALUE;
        try (SegmentScanner scan = new SegmentScanner(SegmentName.log(dir, bases.get(bases.size() - 2)), 0)) {
            byte[] batch;
            while ((batch = scan.next()) != null) {
                ByteBuffer h = ByteBuffer.wrap(batch);
                last = h.getLong(LogBatch.BASE_SEQUENCE) + h.getInt(LogBatch.COUNT) - 1;
                position = h.getLong(LogBatch.LAST_POSITION);
                maxTime = Math.max(maxTime, h.getLong(LogBatch.MAX_TIME));
            }
        }
        return new LogSummary(bases.get(0), last, position, maxTime, bytes, bases.size());
    }
}
