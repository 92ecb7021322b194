package dev.backtrack.repository.checkpoint;

import dev.backtrack.repository.Repository;
import java.util.List;
import java.util.function.LongFunction;

/** Builds a checkpoint of a kind from the repository alone (the source is not read). Thread-safe (stateless). */
public final class CheckpointKinds {
    private CheckpointKinds() {}

    /**
     * A synthetic full, differential or incremental through log sequence {@code through}, under the
     * caller's checkpoint lock; null when there was nothing to write.
     */
    public static Manifest build(
            Repository repo, String kind, long through, int level, LongFunction<String> positionText) {
        return switch (kind) {
            case Manifest.FULL -> SyntheticFull.build(repo, through, level, positionText);
            case Manifest.DIFF, Manifest.INCR -> DeltaCheckpoint.build(repo, kind, through, level, positionText);
            default ->
                throw new IllegalArgumentException("checkpoint kind " + kind + " is not known: use full, diff or incr");
        };
    }

    /** Times of the newest full, the newest differential or full, and the newest checkpoint, in microseconds. */
    public static long[] newest(List<Manifest> all) {
        long full = Long.MIN_VALUE, diff = Long.MIN_VALUE, any = Long.MIN_VALUE;
        for (Manifest m : all) {
            any = Math.max(any, m.timeMicros());
            if (!m.delta()) {
                full = Math.max(full, m.timeMicros());
            }
            if (!m.kind().equals(Manifest.INCR)) {
                diff = Math.max(diff, m.timeMicros());
            }
        }
        return new long[] {full, diff, any};
    }
}
