package dev.backtrack.repository.redolog;

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

    /**
     * Like {@link #bytesFrom(Path, long)}, for a writer that knows the last sequence without reading the log's tail.
     */
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
        long bytes = 0;
        for (long base : bases) {
            bytes += SegmentName.log(dir, base).toFile().length();
        }
        long base = bases.get(bases.size() - 1);
        long[] tail;
        // from the last batch the index knows of, when it fits the segment (the index is a cache)
        try (SegmentWalk walk = SegmentWalk.seek(dir, base, Long.MAX_VALUE)) {
            tail = scan(walk);
        }
        if (tail == null) {
            tail = new long[] {base - 1, -1, Long.MIN_VALUE};
        }
        if (tail[2] == Long.MIN_VALUE && bases.size() > 1) {
            // the last segment is empty: its predecessor holds the latest time
            return ofSealed(dir, bases, bytes);
        }
        return new LogSummary(bases.get(0), tail[0], tail[1], tail[2], bytes, bases.size());
    }

    /** Last sequence, last position and largest commit time from where the walk begins; null when it finds no batch. */
    private static long[] scan(SegmentWalk walk) {
        long last = -1, position = -1, maxTime = walk.indexedMaxTime();
        boolean first = true;
        for (SegmentBatch batch = walk.next(); batch != null; batch = walk.next()) {
            if (first) {
                last = batch.baseSequence() - 1;
            }
            first = false;
            if (batch.continues()) {
                // a part of a large transaction: it counts once its last part is there
                continue;
            }
            last = batch.nextSequence() - 1;
            position = batch.lastPosition();
            maxTime = Math.max(maxTime, batch.maxCommitMicros());
        }
        return first ? null : new long[] {last, position, maxTime};
    }

    private static LogSummary ofSealed(Path dir, List<Long> bases, long bytes) {
        long sealed = bases.get(bases.size() - 2);
        long[] t;
        try (SegmentWalk walk = new SegmentWalk(SegmentName.log(dir, sealed), 0, sealed)) {
            t = scan(walk);
        }
        return t == null
                ? new LogSummary(bases.get(0), bases.get(0) - 1, -1, Long.MIN_VALUE, bytes, bases.size())
                : new LogSummary(bases.get(0), t[0], t[1], t[2], bytes, bases.size());
    }
}
