package dev.backtrack.repository.fold;

import dev.backtrack.repository.RepositoryException;

/** The log cannot be folded into a correct state (a value it never carried, a change it cannot place). */
public final class FoldException extends RepositoryException {
    public FoldException(String message) {
        super(message);
    }
}
