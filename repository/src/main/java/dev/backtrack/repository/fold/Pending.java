package dev.backtrack.repository.fold;

/**
 * The fold's net state of one key while a merge meets the checkpoint's rows of that key: a copy,
 * so the fold stays as it was and may be merged again. Not thread-safe.
 */
final class Pending {
    final NetState state;
    /** Keyed: a checkpoint row of the key took the state. */
    boolean taken;
    /** Keyless: copies still to add (positive), or checkpoint copies still to drop (negative). */
    int copies;

    Pending(NetState state) {
        this.state = state;
        this.copies = state.copies();
    }
}
