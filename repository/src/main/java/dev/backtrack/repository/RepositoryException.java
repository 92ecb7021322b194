package dev.backtrack.repository;

/** A repository problem worded as one line naming the file (and offset) and the fix. */
public class RepositoryException extends RuntimeException {
    public RepositoryException(String message) {
        super(message);
    }

    public RepositoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
