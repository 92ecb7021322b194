package dev.backtrack.repository.schema;

/**
 * One column of a table version. {@code type} is the source's own spelling (PostgreSQL
 * {@code format_type}, e.g. {@code numeric(12,2)}, {@code public.deal_stage[]}); {@code sequence}
 * is the sequence the column draws from (serial or identity), or null; {@code identity} is
 * "always", "by default" or null; {@code generated} is the expression of a stored generated column
 * (never loaded, the target computes it), or null.
 */
public record Column(String name, String type, boolean nullable, String defaultExpression, String sequence,
                     String identity, String generated) {
}
