package dev.backtrack.capture.mariadb;

import dev.backtrack.connectors.mariadb.BinlogSchema;
import dev.backtrack.connectors.mariadb.MariaDbCatalog;
import dev.backtrack.connectors.mariadb.MariaDbTypes;
import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.TableSchema;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.data.Struct;

/**
 * The MariaDB connector's schema change event read as a table version: columns from the event,
 * indexes and constraints from the source when the event is handled ({@link BinlogSchema}).
 * Thread-safe (stateless).
 */
public final class BinlogTableEvent {
    private BinlogTableEvent() {}

    /** A {@code tableChanges} entry's table ({@code CREATE} or {@code ALTER}) as a table version. */
    public static TableSchema fromEvent(String database, String table, Struct definition, MariaDbCatalog catalog) {
        String qualified = database + "." + table;
        List<Column> columns = new ArrayList<>();
        List<Struct> fields = definition.getArray("columns");
        for (Struct c : fields) {
            List<String> labels = new ArrayList<>();
            if (c.schema().field("enumValues") != null && c.get("enumValues") != null) {
                // the connector keeps the labels as the DDL quoted them
                for (Object l : c.getArray("enumValues")) {
                    String label = String.valueOf(l);
                    labels.add(
                            label.length() >= 2 && label.startsWith("'") && label.endsWith("'")
                                    ? label.substring(1, label.length() - 1).replace("''", "'")
                                    : label);
                }
            }
            Integer length = c.getInt32("length");
            Integer scale = c.getInt32("scale");
            String type =
                    MariaDbTypes.spell(c.getString("typeName"), length, scale, labels, c.getString("charsetName"));
            String def =
                    c.schema().field("defaultValueExpression") == null ? null : c.getString("defaultValueExpression");
            boolean auto = Boolean.TRUE.equals(c.getBoolean("autoIncremented"));
            columns.add(new Column(
                    c.getInt32("position"),
                    c.getString("name"),
                    type,
                    Boolean.TRUE.equals(c.getBoolean("optional")),
                    MariaDbTypes.defaultExpression(type, def),
                    auto ? qualified : null,
                    auto ? BinlogSchema.AUTO_INCREMENT : null,
                    null,
                    null));
        }
        List<String> key = definition.getArray("primaryKeyColumnNames");
        return BinlogSchema.table(
                database,
                table,
                BinlogSchema.withDetails(columns, catalog.columnDetails(table)),
                key == null ? List.of() : key,
                catalog.indexes(table),
                catalog.constraints(table),
                catalog.jsonColumns(table));
    }
}
