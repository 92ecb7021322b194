package dev.backtrack.connectors.mariadb;

import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.Constraint;
import dev.backtrack.repository.schema.TableSchema;
import org.apache.kafka.connect.data.Struct;

import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Table versions of a MariaDB/MySQL source from the connector's schema change events: the binlog's
 * DDL as the connector parsed it, so columns, types and the key are exact at the event's position.
 * Indexes and constraints, which the event does not carry, are read from the source when the event
 * is handled. Thread-safe (stateless).
 */
public final class BinlogSchema {
    /** {@link Column#identity()} of an AUTO_INCREMENT column; its {@link Column#sequence()} is the qualified table name. */
    public static final String AUTO_INCREMENT = "auto_increment";

    private BinlogSchema() {
    }

    /** A {@code tableChanges} entry's table ({@code CREATE} or {@code ALTER}) as a table version. */
    public static TableSchema fromEvent(String database, String table, Struct definition, MariaDbCatalog catalog) {
        String qualified = database + "." + table;
        List<Column> columns = new ArrayList<>();
        List<Struct> fields = definition.getArray("columns");
        for (Struct c : fields) {
            List<String> labels = c.schema().field("enumValues") != null && c.get("enumValues") != null ? c.getArray("enumValues") : List.of();
            Integer length = c.getInt32("length");
            Integer scale = c.getInt32("scale");
            String type = MariaDbTypes.spell(c.getString("typeName"), length, scale, labels, c.getString("charsetName"));
            String def = c.schema().field("defaultValueExpression") == null ? null : c.getString("defaultValueExpression");
            boolean auto = Boolean.TRUE.equals(c.getBoolean("autoIncremented"));
            columns.add(new Column(c.getInt32("position"), c.getString("name"), type, Boolean.TRUE.equals(c.getBoolean("optional")),
                    MariaDbTypes.defaultExpression(type, def), auto ? qualified : null, auto ? AUTO_INCREMENT : null, null, null));
        }
        List<String> key = definition.getArray("primaryKeyColumnNames");
        return table(database, table, columns, key == null ? List.of() : key, catalog.indexes(table), catalog.constraints(table));
    }

    static TableSchema table(String database, String table, List<Column> columns, List<String> key, List<String> indexes, List<Constraint> constraints) {
        return new TableSchema(0, relationId(database + "." + table), database, table, columns, key, key.isEmpty() ? null : "PRIMARY",
                java.util.Map.of(), java.util.Map.of(), indexes, constraints, key.isEmpty(), 0);
    }

    /**
     * MariaDB has no stable table id the binlog names, so a table is known by its name: a renamed
     * table is a new table.
     */
    public static long relationId(String qualified) {
        CRC32 crc = new CRC32();
        crc.update(qualified.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return (1L << 40) | crc.getValue();
    }
}
