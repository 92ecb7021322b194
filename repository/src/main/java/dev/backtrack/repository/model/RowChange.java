package dev.backtrack.repository.model;

/**
 * One row change of a transaction. {@code schemaId} names the table version in the schema history;
 * {@code before}/{@code after} hold column values in that version's column order (null when absent:
 * no before image for inserts, no after image for deletes, neither for truncates).
 * Values are null, Boolean, Long, Float, Double, String, byte[], java.util.List or {@link Unavailable}.
 */
public record RowChange(int schemaId, Op op, Object[] before, Object[] after) {}
