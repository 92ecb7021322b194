package dev.backtrack.recovery;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.checkpoint.Chain;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.gap.Gaps;
import dev.backtrack.repository.mark.Marks;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.position.Lsn;
import dev.backtrack.repository.position.Positions;
import dev.backtrack.repository.redolog.LogCursor;
import java.util.List;
import java.util.function.Predicate;

/**
 * Turns a restore target into a {@link RestorePlan}, reading only the repository: which checkpoints
 * hold nothing beyond the target, the chain of those that reads the fewest bytes (or the one
 * {@code --set} names), and where replay stops. Every target outside the recoverable window, in a
 * gap, of the other engine's kind, or naming what the log does not hold is refused here, before a
 * target database is touched. Stateless apart from the repository.
 */
final class RestorePlanner {
    private final Repository repo;

    RestorePlanner(Repository repo) {
        this.repo = repo;
    }

    /** @param set the checkpoint to start from instead of the cheapest ({@code --set}), or null */
    RestorePlan plan(RestoreTarget target, String set) {
        RestorePlan plan = cheapest(target, RecoveryWindow.of(repo));
        if (set == null) {
            return plan;
        }
        List<Manifest> all = repo.checkpoints();
        Manifest chosen = all.stream()
                .filter(m -> m.id().equals(set))
                .findFirst()
                .orElseThrow(() -> new RestoreException("--set " + set + " names no checkpoint of " + repo.path()
                        + ": pick one listed by 'backtrack backups'"));
        if (!plan.eligible().test(chosen)) {
            throw new RestoreException("--set " + set + " holds changes after " + target
                    + ": pick a checkpoint at or before the target (see 'backtrack backups')");
        }
        return new RestorePlan(Chain.of(all, chosen), m -> m == chosen, plan.stop(), plan.target());
    }

    private RestorePlan cheapest(RestoreTarget target, RecoveryWindow window) {
        if (target instanceof RestoreTarget.Time t) {
            return atTime(t, window);
        }
        if (target instanceof RestoreTarget.AtLsn l) {
            return atLsn(l, window);
        }
        if (target instanceof RestoreTarget.AtBinlog b) {
            return atBinlog(b, window);
        }
        if (target instanceof RestoreTarget.AtXid x) {
            return atXid(x, window);
        }
        return atMark((RestoreTarget.AtMark) target, window);
    }

    private RestorePlan atTime(RestoreTarget.Time t, RecoveryWindow window) {
        long at = t.instant().latest() ? window.latestMicros() : t.instant().micros();
        if (!window.contains(at)) {
            throw new RestoreException("--to " + t + " is outside the recoverable window "
                    + Micros.format(window.earliestMicros()) + " .. " + Micros.format(window.latestMicros())
                    + ": pick a target inside it (see 'backtrack backups')");
        }
        for (Gaps.Gap g : Gaps.list(repo)) {
            if (g.covers(at)) {
                throw new RestoreException(
                        "--to " + t + " falls in a gap of the log (" + g.reason() + "; nothing was captured after "
                                + Micros.format(g.afterMicros())
                                + (g.open()
                                        ? " until a fresh checkpoint, which is still being taken"
                                        : " until " + Micros.format(g.endMicros()))
                                + "): pick an instant outside it (see 'backtrack backups')");
            }
        }
        Predicate<Manifest> eligible = m -> m.timeMicros() <= at;
        return new RestorePlan(
                window.cheapest(eligible),
                eligible,
                t.instant().latest() ? tx -> false : new PastInstant(at),
                t.toString());
    }

    private RestorePlan atLsn(RestoreTarget.AtLsn l, RecoveryWindow window) {
        if (repo.identity().sourceEngine().binlog()) {
            throw new RestoreException("--to " + l + " names a PostgreSQL LSN, but " + repo.path() + " holds a "
                    + repo.identity().sourceEngine() + " source: use --to binlog:FILE:POS or --to gtid:...");
        }
        Predicate<Manifest> eligible = m -> m.position() <= l.lsn();
        Chain cp = window.cheapest(eligible);
        long last = Math.max(
                window.log().lastPosition(),
                window.checkpoints().get(window.checkpoints().size() - 1).position());
        refuseGapPosition(window, l.lsn(), l.toString(), "an LSN");
        if (cp == null || l.lsn() > last) {
            throw new RestoreException("--to " + l + " is outside the recoverable positions "
                    + Lsn.format(window.checkpoints().get(0).position()) + " .. " + Lsn.format(last)
                    + ": pick an LSN inside them, or --to latest");
        }
        return new RestorePlan(cp, eligible, tx -> tx.position() > l.lsn(), l.toString());
    }

    private RestorePlan atBinlog(RestoreTarget.AtBinlog b, RecoveryWindow window) {
        if (!repo.identity().sourceEngine().binlog()) {
            throw new RestoreException("--to " + b + " names a binlog position, but " + repo.path()
                    + " holds a PostgreSQL source: use --to lsn:...");
        }
        refuseGapPosition(window, b.position(), b.toString(), "a binlog position");
        // a transaction's position is its last event's: those before the position are whole before it
        Predicate<Manifest> eligible = m -> m.position() <= b.position();
        Chain cp = window.cheapest(eligible);
        if (cp == null) {
            throw new RestoreException("--to " + b + " is before the oldest checkpoint ("
                    + Positions.format(
                            repo.identity().sourceEngine(),
                            window.checkpoints().get(0).position()) + "): pick a later position, or --to latest");
        }
        return new RestorePlan(cp, eligible, tx -> tx.position() >= b.position(), b.toString());
    }

    private RestorePlan atXid(RestoreTarget.AtXid x, RecoveryWindow window) {
        long seq = findXid(window, x.xid());
        long through = x.inclusive() ? seq : seq - 1;
        Predicate<Manifest> eligible = m -> m.nextSequence() <= through + 1;
        return new RestorePlan(
                window.cheapest(eligible),
                eligible,
                x.inclusive() ? tx -> tx.sequence() > seq : tx -> tx.sequence() >= seq,
                x.toString());
    }

    private RestorePlan atMark(RestoreTarget.AtMark m, RecoveryWindow window) {
        Marks.Mark mark = Marks.find(repo, m.name());
        if (mark == null) {
            throw new RestoreException(
                    "no mark named '" + m.name() + "' in " + repo.path() + ": see the marks in 'backtrack backups'");
        }
        if (!Marks.isLogged(repo, mark)) {
            throw new RestoreException("mark '" + m.name()
                    + "' is not in the log yet (capture stopped before its transaction was logged, or has not logged it"
                    + " so far): start the agent and retry, or restore to a time or position");
        }
        Predicate<Manifest> eligible = c -> c.nextSequence() <= mark.sequence() + 1;
        return new RestorePlan(
                window.cheapest(eligible), eligible, tx -> tx.sequence() > mark.sequence(), m.toString());
    }

    /** Refuses a source position after a gap's last captured one and before the checkpoint that ended it. */
    private void refuseGapPosition(RecoveryWindow window, long position, String target, String kind) {
        for (Gaps.Gap g : Gaps.list(repo)) {
            Manifest resumed = g.checkpoint() == null
                    ? null
                    : window.checkpoints().stream()
                            .filter(m -> m.id().equals(g.checkpoint()))
                            .findFirst()
                            .orElse(null);
            if (position > g.afterPosition() && (resumed == null || position < resumed.position())) {
                throw new RestoreException("--to " + target + " falls in a gap of the log (" + g.reason() + "): pick "
                        + kind + " outside it (see 'backtrack backups')");
            }
        }
    }

    /** The log sequence of the first transaction with this id after the oldest checkpoint. */
    private long findXid(RecoveryWindow window, String xid) {
        try (LogCursor cursor = repo.readLog(window.checkpoints().get(0).nextSequence())) {
            while (cursor.hasNext()) {
                Transaction tx = cursor.next();
                if (tx.txId().equals(xid)) {
                    return tx.sequence();
                }
            }
        }
        throw new RestoreException(
                "transaction " + (xid.contains("-") ? "gtid:" : "xid:") + xid + " is not in the log of " + repo.path()
                        + " (it changed no captured table, or it is outside the recoverable window): check the number");
    }

    /**
     * True from the first transaction that committed after the instant on: replay stops there even
     * if a later one committed earlier, as PostgreSQL's own recovery does.
     */
    static final class PastInstant implements Predicate<Transaction> {
        private final long micros;

        PastInstant(long micros) {
            this.micros = micros;
        }

        @Override
        public boolean test(Transaction tx) {
            return tx.commitMicros() > micros;
        }
    }
}
