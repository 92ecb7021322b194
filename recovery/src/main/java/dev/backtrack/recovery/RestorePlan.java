package dev.backtrack.recovery;

import dev.backtrack.repository.checkpoint.Chain;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.model.Transaction;
import java.util.function.Predicate;

/**
 * What a restore reads: the chain to start from (its tip is the checkpoint the log continues; null when
 * no checkpoint can start it), which checkpoints could start it (for the fallback to a full), and the
 * first transaction not to apply.
 */
public record RestorePlan(Chain chain, Predicate<Manifest> eligible, Predicate<Transaction> stop, String target) {
    public Manifest checkpoint() {
        return chain.tip();
    }
}
