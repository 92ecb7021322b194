package dev.backtrack.recovery;

/** A restore that cannot be done, worded as one line naming the problem and the fix. */
public final class RestoreException extends RuntimeException {
    public RestoreException(String message) {
        super(message);
    }
}
