package dev.backtrack.repository.schema;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One column of a table version. {@code attnum} is the source's column number, which survives a
 * rename; {@code type} is the source's own spelling (PostgreSQL {@code format_type}, e.g.
 * {@code numeric(12,2)}, {@code public.deal_stage[]}); {@code sequence} is the sequence the column
 * draws from (serial or identity), or null; {@code identity} is "always", "by default" or null;
 * {@code generated} is the expression of a stored generated column (never loaded, the target
 * computes it), or null; {@code missing} is the value rows that existed before the column was added
 * read for it (PostgreSQL's attmissingval, as text), or null; {@code collation} the column's collation
 * where it is not its type's ({@code "C"}, PostgreSQL's spelling), or null; {@code onUpdate} the
 * expression MariaDB/MySQL sets the column to when its row changes ({@code current_timestamp(6)}), or
 * null; {@code virtual} true for a generated column computed when read (MariaDB's VIRTUAL), not stored.
 */
public record Column(
        int attnum,
        String name,
        String type,
        boolean nullable,
        String defaultExpression,
        String sequence,
        String identity,
        String generated,
        String missing,
        @JsonInclude(JsonInclude.Include.NON_NULL) String collation,
        @JsonInclude(JsonInclude.Include.NON_NULL) String onUpdate,
        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean virtual) {

    public Column(
            int attnum,
            String name,
            String type,
            boolean nullable,
            String defaultExpression,
            String sequence,
            String identity,
            String generated,
            String missing,
            String collation) {
        this(
                attnum,
                name,
                type,
                nullable,
                defaultExpression,
                sequence,
                identity,
                generated,
                missing,
                collation,
                null,
                null);
    }

    public Column(
            int attnum,
            String name,
            String type,
            boolean nullable,
            String defaultExpression,
            String sequence,
            String identity,
            String generated,
            String missing) {
        this(attnum, name, type, nullable, defaultExpression, sequence, identity, generated, missing, null);
    }

    /** The same column under another number, with another value for rows from before it was added. */
    public Column renumbered(int newAttnum, String newMissing) {
        return new Column(
                newAttnum,
                name,
                type,
                nullable,
                defaultExpression,
                sequence,
                identity,
                generated,
                newMissing,
                collation,
                onUpdate,
                virtual);
    }

    /** The same column of another type. */
    public Column retyped(String newType) {
        return new Column(
                attnum,
                name,
                newType,
                nullable,
                defaultExpression,
                sequence,
                identity,
                generated,
                missing,
                collation,
                onUpdate,
                virtual);
    }

    public Column(
            String name,
            String type,
            boolean nullable,
            String defaultExpression,
            String sequence,
            String identity,
            String generated) {
        this(0, name, type, nullable, defaultExpression, sequence, identity, generated, null);
    }
}
