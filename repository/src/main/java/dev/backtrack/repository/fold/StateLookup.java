package dev.backtrack.repository.fold;

import java.util.function.Consumer;

/** The fold's net states as a merge meets the checkpoint's rows: found by key, the ones no row matched handed on. */
interface StateLookup {
    /**
     * The state of {@code key}, or null when the fold has none; states a lookup in key order passes
     * on the way (keys the checkpoint does not hold) go to {@code unmatched} first.
     */
    Pending find(byte[] key, Consumer<Pending> unmatched);

    /** Hands every state not handed on yet to {@code unmatched}. */
    void rest(Consumer<Pending> unmatched);
}
