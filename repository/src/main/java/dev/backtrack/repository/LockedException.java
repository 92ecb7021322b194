package dev.backtrack.repository;

/**
 * The repository is busy with work that excludes this one (another agent, a checkpoint being written, an expire, a
 * reader).
 */
public class LockedException extends RepositoryException {
    public LockedException(String message) {
        super(message);
    }
}
