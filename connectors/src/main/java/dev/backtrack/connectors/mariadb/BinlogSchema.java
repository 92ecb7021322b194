package dev.backtrack.connectors.mariadb;

import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.Constraint;
import dev.backtrack.repository.schema.TableSchema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * How a MariaDB/MySQL table version is spelled, whether built from the connector's schema change
 * event (capture's {@code BinlogTableEvent}) or read from information_schema ({@link MariaDbCatalog}):
 * columns with their details, the key, indexes and constraints, and column numbers carried over DDL.
 * Thread-safe (stateless).
 */
public final class BinlogSchema {
    /**
     * {@link Column#identity()} of an AUTO_INCREMENT column; its {@link Column#sequence()} is the qualified table name.
     */
    public static final String AUTO_INCREMENT = "auto_increment";

    private BinlogSchema() {}

    /**
     * The columns with their defaults, ON UPDATE and generation as information_schema has them (read when the event is
     * handled).
     */
    public static List<Column> withDetails(List<Column> columns, Map<String, MariaDbCatalog.ColumnDetail> details) {
        List<Column> out = new ArrayList<>();
        for (Column c : columns) {
            MariaDbCatalog.ColumnDetail d = details.get(c.name());
            out.add(
                    d == null
                            ? c
                            : new Column(
                                    c.attnum(),
                                    c.name(),
                                    c.type(),
                                    c.nullable(),
                                    d.defaultExpression(),
                                    c.sequence(),
                                    c.identity(),
                                    d.generated(),
                                    c.missing(),
                                    c.collation(),
                                    d.onUpdate(),
                                    d.virtual() ? Boolean.TRUE : null));
        }
        return out;
    }

    private static final Pattern RENAME =
            Pattern.compile("(?i)(?:RENAME\\s+COLUMN\\s+`?((?:[^`\\s]|``)+)`?\\s+TO\\s+`?((?:[^`\\s]|``)+)`?|"
                    + "CHANGE\\s+(?:COLUMN\\s+)?`?((?:[^`\\s]|``)+)`?\\s+`?((?:[^`\\s]|``)+)`?)");

    /**
     * The new version's columns keep the numbers they had in the previous one (matched by name, or by a
     * RENAME COLUMN / CHANGE in the statement), and new columns get numbers never used before: the binlog
     * numbers columns by position, which moves when a column is added before another or dropped.
     */
    public static TableSchema carryColumnNumbers(TableSchema previous, TableSchema next, String statement) {
        if (previous == null) {
            return next;
        }
        Map<String, String> renamed = new HashMap<>();
        Matcher m = RENAME.matcher(statement == null ? "" : statement);
        while (m.find()) {
            String from = m.group(1) != null ? m.group(1) : m.group(3);
            String to = m.group(1) != null ? m.group(2) : m.group(4);
            renamed.put(to.replace("``", "`"), from.replace("``", "`"));
        }
        int top = previous.columns().stream().mapToInt(Column::attnum).max().orElse(0);
        List<Column> columns = new ArrayList<>();
        for (Column c : next.columns()) {
            int at = previous.columnIndex(renamed.getOrDefault(c.name(), c.name()));
            int number = at >= 0 ? previous.columns().get(at).attnum() : ++top;
            columns.add(c.renumbered(number, at >= 0 ? c.missing() : missing(c)));
        }
        return new TableSchema(
                next.id(),
                next.relationId(),
                next.schema(),
                next.table(),
                columns,
                next.primaryKey(),
                next.primaryKeyName(),
                next.enums(),
                next.domains(),
                next.indexes(),
                next.constraints(),
                next.replicaIdentityFull(),
                next.fromSequence());
    }

    /**
     * The value rows that existed before a column was added read for it: its constant default (MariaDB
     * fills existing rows with it), as text. Null for no default, an expression (MariaDB computed it per
     * row, which the binlog does not carry) and temporal types.
     */
    private static String missing(Column c) {
        String d = c.defaultExpression();
        String base = MariaDbTypes.base(c.type());
        if (d == null
                || base.startsWith("date")
                || base.startsWith("time")
                || base.equals("year")
                || base.equals("bit")) {
            return null;
        }
        if (d.matches("-?\\d+(\\.\\d+)?") && MariaDbTypes.numeric(c.type())) {
            return d;
        }
        if (d.length() >= 2 && d.startsWith("'") && d.endsWith("'") && !MariaDbTypes.numeric(c.type())) {
            return d.substring(1, d.length() - 1).replace("''", "'").replace("\\\\", "\\");
        }
        return null;
    }

    /** @param json columns MariaDB keeps as longtext with a json_valid check: their type is {@code json} */
    public static TableSchema table(
            String database,
            String table,
            List<Column> columns,
            List<String> key,
            List<String> indexes,
            List<Constraint> constraints,
            Set<String> json) {
        columns = columns.stream()
                .map(c -> !json.contains(c.name()) ? c : c.retyped("json"))
                .toList();
        return new TableSchema(
                0,
                relationId(database + "." + table),
                database,
                table,
                columns,
                key,
                key.isEmpty() ? null : "PRIMARY",
                Map.of(),
                Map.of(),
                indexes,
                constraints,
                key.isEmpty(),
                0);
    }

    /**
     * MariaDB has no stable table id the binlog names, so a table is known by its name: a renamed
     * table is a new table.
     */
    public static long relationId(String qualified) {
        CRC32 crc = new CRC32();
        crc.update(qualified.getBytes(StandardCharsets.UTF_8));
        return (1L << 40) | crc.getValue();
    }
}
