package dev.backtrack.config;

import java.time.Duration;

/**
 * When the agent writes which checkpoint: a synthetic full every {@code full}, a differential every
 * {@code diff}, an incremental every {@code incr} or once the log since the newest checkpoint holds
 * {@code incrLogBytes} (zero durations and sizes switch a kind off; fulls always run). Immutable.
 */
public record CheckpointSchedule(Duration full, Duration diff, Duration incr, long incrLogBytes) {

    /**
     * The kind due now ("full", "diff", "incr"), or null. A due full wins over a differential,
     * a differential over an incremental: each contains what the smaller kinds would.
     *
     * @param lastFull    time of the newest full
     * @param lastDiff    time of the newest differential or full
     * @param last        time of the newest checkpoint of any kind
     * @param logBytes    log bytes written after the newest checkpoint
     */
    public String due(long nowMicros, long lastFull, long lastDiff, long last, long logBytes) {
        if (nowMicros - lastFull >= micros(full)) {
            return "full";
        }
        if (!diff.isZero() && nowMicros - lastDiff >= micros(diff)) {
            return "diff";
        }
        if ((!incr.isZero() && nowMicros - last >= micros(incr)) || (incrLogBytes > 0 && logBytes >= incrLogBytes)) {
            return "incr";
        }
        return null;
    }

    /** How often the agent looks: the shortest interval in use, at most a minute. */
    public Duration tick() {
        Duration t = Duration.ofMinutes(1);
        for (Duration d : new Duration[] {full, diff, incr}) {
            if (!d.isZero() && d.compareTo(t) < 0) {
                t = d;
            }
        }
        return incrLogBytes > 0 && t.compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : t;
    }

    private static long micros(Duration d) {
        return d.toNanos() / 1000;
    }
}
