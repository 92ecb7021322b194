package dev.backtrack.repository.redolog;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * What the log holds, read from batch headers only (no decompression): first and last sequence,
 * last commit position, the latest commit time, and the log's size in bytes.
 */
public record LogSummary(
        long firstSequence, long lastSequence, long lastPosition, long maxCommitMicros, long bytes, int segments) {

    public boolean isEmpty() {
        return lastSequence < firstSequence;
    }

    /**
     * About how many log bytes hold the sequences from {@code sequence} to the end: whole segments
     * after it, and the share of its own segment it leaves (by sequence count). For choosing a restore
     * chain, not for accounting.
     */
    public long bytesFrom(Path dir, long sequence) {
        return bytesFrom(dir, sequence, lastSequence);
    }

    /** Like {@link #bytesFrom(Path, long)}, for a writer that knows the last sequence without reading the log's tail. */
    public static long bytesFrom(Path dir, long sequence, long lastSequence) {
        List<Long> bases = RedoLog.segmentBases(dir);
        long out = 0;
        for (int i = 0; i < bases.size(); i++) {
            long base = bases.get(i);
            long end = i + 1 < bases.size() ? bases.get(i + 1) : lastSequence + 1;
            if (end <= sequence) {
                continue;
            }
            long size = SegmentName.log(dir, base).toFile().length();
            out += base >= sequence || end <= base ? size : size * (end - sequence) / (end - base);
        }
        return out;
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
            long[] tail = tail(dir, bases.get(i), file);
            last = tail[0];
            position = tail[1];
            maxTime = tail[2];
        }
        if (maxTime == Long.MIN_VALUE && bases.size() > 1) {
            // the last segment is empty: its predecessor holds the latest time
            return ofSealed(dir, bases, bytes);
        }
        return new LogSummary(bases.get(0), last, position, maxTime, bytes, bases.size());
    }

    /**
     * Last sequence, last position and largest commit time of a segment: from its last indexed batch
     * on when the index fits (the index is a cache), else from the start.
     */
    private static long[] tail(Path dir, long base, Path file) {
        List<SegmentIndex.Entry> index =
                SegmentIndex.read(SegmentName.index(dir, base), file.toFile().length());
        if (index != null && !index.isEmpty()) {
            SegmentIndex.Entry e = index.get(index.size() - 1);
            try {
                long[] t = scan(file, e.filePosition(), e.baseSequence(), e.maxTimeSoFar());
                if (t != null) {
                    return t;
                }
            } catch (RuntimeException stale) {
                // fall through to a full scan
            }
        }
        long[] t = scan(file, 0, -1, Long.MIN_VALUE);
        return t != null ? t : new long[] {base - 1, -1, Long.MIN_VALUE};
    }

    /** Null when the first batch is not the expected one (a stale index). */
    private static long[] scan(Path file, long start, long expectedBase, long maxTime) {
        long last = -1, position = -1;
        boolean first = true;
        try (SegmentScanner scan = new SegmentScanner(file, start)) {
            byte[] batch;
            while ((batch = scan.next()) != null) {
                ByteBuffer h = ByteBuffer.wrap(batch);
                if (first && expectedBase >= 0 && h.getLong(LogBatch.BASE_SEQUENCE) != expectedBase) {
                    return null;
                }
                if (first) {
                    last = h.getLong(LogBatch.BASE_SEQUENCE) - 1;
                }
                first = false;
                if (h.getInt(LogBatch.COUNT) == 0) {
                    // a part of a large transaction: it counts once its last part is there
                    continue;
                }
                last = h.getLong(LogBatch.BASE_SEQUENCE) + h.getInt(LogBatch.COUNT) - 1;
                position = h.getLong(LogBatch.LAST_POSITION);
                maxTime = Math.max(maxTime, h.getLong(LogBatch.MAX_TIME));
            }
        }
        if (first && expectedBase >= 0) {
            return null;
        }
        return first ? null : new long[] {last, position, maxTime};
    }

    private static LogSummary ofSealed(Path dir, List<Long> bases, long bytes) {
        long[] t = scan(SegmentName.log(dir, bases.get(bases.size() - 2)), 0, -1, Long.MIN_VALUE);
        return t == null
                ? new LogSummary(bases.get(0), bases.get(0) - 1, -1, Long.MIN_VALUE, bytes, bases.size())
                : new LogSummary(bases.get(0), t[0], t[1], t[2], bytes, bases.size());
    }
}
