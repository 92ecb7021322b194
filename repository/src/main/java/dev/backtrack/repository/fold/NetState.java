package dev.backtrack.repository.fold;

/**
 * One key's net change over a stretch of log: the row now ({@code row}), or a deletion
 * ({@code deleted}, keyed tables); for a table without a primary key, {@code copies} of the whole
 * row added (positive) or removed (negative). Immutable (the arrays are not copied).
 */
public record NetState(byte[] key, Object[] row, boolean deleted, int copies) {}
