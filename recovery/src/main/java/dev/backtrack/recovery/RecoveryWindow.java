package dev.backtrack.recovery;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.redolog.LogSummary;

import java.util.List;

/**
 * The instants a repository can restore: from the oldest checkpoint's time to the latest logged
 * commit (or the newest checkpoint when the log is empty). Immutable.
 */
public record RecoveryWindow(long earliestMicros, long latestMicros, List<Manifest> checkpoints, LogSummary log) {

    public static RecoveryWindow of(Repository repo) {
        List<Manifest> checkpoints = repo.checkpoints();
        LogSummary log = repo.logSummary();
        if (checkpoints.isEmpty()) {
            throw new RestoreException("repository " + repo.path() + " has no checkpoint yet: let the agent finish its first snapshot");
        }
        long earliest = checkpoints.get(0).timeMicros();
        long latest = checkpoints.get(checkpoints.size() - 1).timeMicros();
        if (!log.isEmpty()) {
            latest = Math.max(latest, log.maxCommitMicros());
        }
        return new RecoveryWindow(earliest, latest, checkpoints, log);
    }

    public boolean contains(long micros) {
        return micros >= earliestMicros && micros <= latestMicros;
    }

    /** The newest checkpoint that holds nothing after log sequence {@code sequence}. */
    public Manifest checkpointThrough(long sequence) {
        Manifest best = null;
        for (Manifest m : checkpoints) {
            if (m.nextSequence() <= sequence + 1) {
                best = m;
            }
        }
        return best;
    }

    /** The newest checkpoint at or before the instant. */
    public Manifest checkpointFor(long micros) {
        Manifest best = null;
        for (Manifest m : checkpoints) {
            if (m.timeMicros() <= micros) {
                best = m;
            }
        }
        return best;
    }
}
