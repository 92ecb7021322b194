package dev.backtrack.repository.fold;

import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.TableSchema;
import java.util.List;
import java.util.Locale;

/**
 * How rows of one table version become rows of the next: columns matched by their number (so a
 * rename keeps values), an added column reads its "missing" value, a dropped one is gone. Changes
 * whose effect on existing rows PostgreSQL computed in a table rewrite (a volatile default, a type
 * change to or from a date/time type, ALTER ... USING) are not in the log: converting a row across
 * one fails. Immutable.
 */
final class Evolution {
    private final TableSchema from;
    private final TableSchema to;
    private final int[] source;
    private final Object[] added;
    private final String unreproducible;

    private Evolution(TableSchema from, TableSchema to, int[] source, Object[] added, String unreproducible) {
        this.from = from;
        this.to = to;
        this.source = source;
        this.added = added;
        this.unreproducible = unreproducible;
    }

    static Evolution between(TableSchema from, TableSchema to, String statement) {
        List<Column> next = to.columns();
        int[] source = new int[next.size()];
        Object[] added = new Object[next.size()];
        String problem = null;
        boolean using = statement != null
                && statement.toUpperCase(Locale.ROOT).matches("(?s).*\\bUSING\\b.*")
                && statement.toUpperCase(Locale.ROOT).contains("TYPE");
        for (int i = 0; i < next.size(); i++) {
            Column c = next.get(i);
            source[i] = find(from.columns(), c);
            if (source[i] < 0) {
                if (c.missing() != null) {
                    added[i] = c.missing();
                } else if (c.generated() == null && (c.defaultExpression() != null || c.identity() != null)) {
                    problem = "column " + c.name()
                            + " was added with a default that PostgreSQL computed for each existing row ("
                            + (c.identity() != null ? "identity" : c.defaultExpression()) + ")";
                }
            } else {
                Column old = from.columns().get(source[i]);
                if (!old.type().equals(c.type()) && (temporal(old.type()) || temporal(c.type()) || using)) {
                    problem = "column " + c.name() + " changed type from " + old.type() + " to " + c.type()
                            + (using ? " with USING" : "") + ", and PostgreSQL rewrote the existing rows";
                }
            }
        }
        return new Evolution(from, to, source, added, problem);
    }

    private static int find(List<Column> columns, Column c) {
        for (int j = 0; j < columns.size(); j++) {
            Column o = columns.get(j);
            if (c.attnum() > 0 ? o.attnum() == c.attnum() : o.name().equals(c.name())) {
                return j;
            }
        }
        return -1;
    }

    private static boolean temporal(String type) {
        String t = type.toLowerCase(Locale.ROOT);
        return t.startsWith("date")
                || t.startsWith("timestamp")
                || t.startsWith("time ")
                || t.equals("time")
                || t.startsWith("time(");
    }

    /** Why rows cannot be carried across this change (PostgreSQL rewrote them), or null when they can. */
    String problem() {
        return unreproducible == null
                ? null
                : "table " + from.qualifiedName() + ": " + unreproducible + ", and those values are not in the log: "
                        + "restore to an instant before that change, or install the agent's DDL triggers (a "
                        + "superuser runs it once), which log the rewritten rows";
    }

    TableSchema to() {
        return to;
    }

    Object[] apply(Object[] row) {
        if (unreproducible != null) {
            throw new FoldException(problem());
        }
        Object[] out = new Object[source.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = source[i] >= 0 ? row[source[i]] : added[i];
        }
        return out;
    }
}
