package dev.backtrack.connectors;

/** A problem with the source database, worded as one line naming the problem and the fix. */
public final class SourceException extends RuntimeException {
    public SourceException(String message) {
        super(message);
    }

    public SourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
