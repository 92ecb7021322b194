package dev.backtrack.recovery;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.checkpoint.Chain;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.redolog.LogSummary;
import java.util.List;
import java.util.function.Predicate;

/**
 * The instants a repository can restore: from the oldest checkpoint's time to the latest logged
 * commit (or the newest checkpoint when the log is empty). Immutable.
 */
public record RecoveryWindow(
        long earliestMicros, long latestMicros, List<Manifest> checkpoints, LogSummary log, Repository repo) {

    public static RecoveryWindow of(Repository repo) {
        List<Manifest> checkpoints = repo.checkpoints();
        LogSummary log = repo.logSummary();
        if (checkpoints.isEmpty()) {
            throw new RestoreException(
                    "repository " + repo.path() + " has no checkpoint yet: let the agent finish its first snapshot");
        }
        long earliest = checkpoints.get(0).timeMicros();
        long latest = checkpoints.get(checkpoints.size() - 1).timeMicros();
        if (!log.isEmpty()) {
            latest = Math.max(latest, log.maxCommitMicros());
        }
        return new RecoveryWindow(earliest, latest, checkpoints, log, repo);
    }

    public boolean contains(long micros) {
        return micros >= earliestMicros && micros <= latestMicros;
    }

    /**
     * Of the checkpoints that may start a restore, the chain that reads the fewest bytes: its data
     * files plus the log from its tip to the end (the log after the target is the same for every
     * candidate, so comparing to the end ranks them as comparing to the target would). Ties go to
     * the newer tip. Chains broken by a missing checkpoint are passed over.
     */
    public Chain cheapest(Predicate<Manifest> eligible) {
        Chain best = null;
        long bestCost = Long.MAX_VALUE;
        for (Manifest m : checkpoints) {
            if (!eligible.test(m)) {
                continue;
            }
            Chain c;
            try {
                c = Chain.of(checkpoints, m);
            } catch (RuntimeException broken) {
                continue;
            }
            long cost = c.dataBytes() + log.bytesFrom(repo.logDir(), m.nextSequence());
            if (cost <= bestCost) {
                best = c;
                bestCost = cost;
            }
        }
        return best;
    }

    /** The newest full that may start a restore: the fallback when a chain's deltas cannot be folded. */
    public Chain fullOnly(Predicate<Manifest> eligible) {
        return cheapest(m -> !m.delta() && eligible.test(m));
    }
}
