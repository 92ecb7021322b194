package dev.backtrack.repository.model;

/**
 * A column value the source did not send (PostgreSQL's unchanged out-of-line TOAST value). It is
 * kept in the log as its own tag and must be resolved from the row's previous image before any
 * target sees the row.
 */
public final class Unavailable {
    public static final Unavailable VALUE = new Unavailable();

    private Unavailable() {}

    @Override
    public String toString() {
        return "<unavailable>";
    }
}
