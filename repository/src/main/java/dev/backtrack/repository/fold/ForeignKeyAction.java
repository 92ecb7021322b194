package dev.backtrack.repository.fold;

import dev.backtrack.repository.schema.Constraint;
import dev.backtrack.repository.schema.TableSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A foreign key whose ON DELETE or ON UPDATE rule changes the child's rows (CASCADE, SET NULL), as
 * a MariaDB or MySQL source defines it: InnoDB applies these rules inside the engine and writes none
 * of the rows they change to the binlog. Columns by name; {@code parent} and {@code child} qualified.
 * Immutable.
 */
public record ForeignKeyAction(
        String name,
        String child,
        List<String> childColumns,
        String parent,
        List<String> parentColumns,
        Rule onDelete,
        Rule onUpdate) {

    /**
     * What a parent's delete or key change does to the rows that reference it; NONE where the change is refused or
     * nothing happens.
     */
    public enum Rule {
        NONE,
        CASCADE,
        SET_NULL
    }

    // as MariaDbCatalog writes a foreign key: FOREIGN KEY (`a`, `b`) REFERENCES `t` (`x`, `y`) ON DELETE CASCADE ON
    // UPDATE RESTRICT
    private static final Pattern DEFINITION = Pattern.compile(
            "FOREIGN KEY \\((.+?)\\) REFERENCES `((?:[^`]|``)+)` \\((.+?)\\) ON DELETE ([A-Z ]+?) ON UPDATE ([A-Z ]+)");
    private static final Pattern IDENT = Pattern.compile("`((?:[^`]|``)+)`");

    /**
     * The foreign keys of a binlog source's table version whose rules change rows (none in a PostgreSQL definition's
     * form).
     */
    public static List<ForeignKeyAction> of(TableSchema child) {
        List<ForeignKeyAction> out = new ArrayList<>();
        for (Constraint c : child.constraints()) {
            Matcher m = c.kind().equals("f") ? DEFINITION.matcher(c.definition()) : null;
            if (m == null || !m.matches()) {
                continue;
            }
            Rule onDelete = rule(m.group(4));
            Rule onUpdate = rule(m.group(5));
            if (onDelete != Rule.NONE || onUpdate != Rule.NONE) {
                out.add(new ForeignKeyAction(
                        c.name(),
                        child.qualifiedName(),
                        idents(m.group(1)),
                        child.schema() + "." + m.group(2).replace("``", "`"),
                        idents(m.group(3)),
                        onDelete,
                        onUpdate));
            }
        }
        return out;
    }

    /** InnoDB stores SET DEFAULT as no rule (it cannot perform it), so it never reaches here as one. */
    private static Rule rule(String text) {
        return switch (text.trim().toUpperCase(Locale.ROOT)) {
            case "CASCADE" -> Rule.CASCADE;
            case "SET NULL" -> Rule.SET_NULL;
            default -> Rule.NONE;
        };
    }

    private static List<String> idents(String list) {
        List<String> out = new ArrayList<>();
        Matcher m = IDENT.matcher(list);
        while (m.find()) {
            out.add(m.group(1).replace("``", "`"));
        }
        return out;
    }

    /** The rule for a parent row deleted ({@code deleted}) or its key changed. */
    public Rule rule(boolean deleted) {
        return deleted ? onDelete : onUpdate;
    }

    /** Positions of {@code names} in a version of the table, or null when one is gone from it. */
    static int[] positions(TableSchema version, List<String> names) {
        int[] out = new int[names.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = version.columnIndex(names.get(i));
            if (out[i] < 0) {
                return null;
            }
        }
        return out;
    }
}
