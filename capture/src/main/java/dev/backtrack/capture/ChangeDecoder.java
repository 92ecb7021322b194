package dev.backtrack.capture;

import dev.backtrack.connectors.SourceException;
import dev.backtrack.connectors.postgres.CopyText;
import dev.backtrack.connectors.postgres.TextValues;
import dev.backtrack.repository.model.Unavailable;
import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.TableSchema;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * Turns a Debezium row image (Connect {@link Struct}) of any source engine into the repository's value
 * array, in the column order of a {@link TableSchema}. Times become microseconds, dates days, decimals
 * stay strings. Not thread-safe (caches field mappings per Connect schema).
 */
public final class ChangeDecoder {
    public static final String UNAVAILABLE = "__debezium_unavailable_value";
    /** Marks a value whose schema names no logical type this decoder converts. */
    private static final Object NOT_LOGICAL = new Object();

    private static final byte[] UNAVAILABLE_BYTES = UNAVAILABLE.getBytes(StandardCharsets.UTF_8);

    /** The image does not fit the table version: the table was altered. */
    public static final class SchemaMismatch extends Exception {
        public SchemaMismatch(String message) {
            super(message, null, false, false);
        }
    }

    private record Mapping(TableSchema schema, Field[] fields) {}

    private final Map<Schema, Mapping> mappings = new IdentityHashMap<>();

    public Object[] row(TableSchema table, Struct image) throws SchemaMismatch {
        Mapping m = mappings.get(image.schema());
        if (m == null || m.schema != table) {
            m = map(table, image.schema());
            mappings.put(image.schema(), m);
        }
        Object[] row = new Object[m.fields.length];
        for (int i = 0; i < row.length; i++) {
            Field f = m.fields[i];
            if (f != null) {
                // not get(f): it returns the column's default in place of a NULL
                row[i] = value(table, i, f.schema(), image.getWithoutDefault(f.name()));
            }
        }
        return row;
    }

    private static Mapping map(TableSchema table, Schema struct) throws SchemaMismatch {
        List<Column> columns = table.columns();
        Field[] fields = new Field[columns.size()];
        int matched = 0;
        for (int i = 0; i < fields.length; i++) {
            Field f = struct.field(columns.get(i).name());
            if (f == null && columns.get(i).generated() == null) {
                throw new SchemaMismatch("column " + columns.get(i).name() + " ("
                        + columns.get(i).type() + ") is not in the change event");
            }
            fields[i] = f;
            matched += f == null ? 0 : 1;
        }
        if (matched != struct.fields().size()) {
            throw new SchemaMismatch("the change event has columns the table version lacks");
        }
        return new Mapping(table, fields);
    }

    private static Object value(TableSchema table, int column, Schema schema, Object v) {
        if (v == null) {
            return null;
        }
        String name = schema.name();
        if (name != null) {
            Object logical = logicalValue(name, v);
            if (logical != NOT_LOGICAL) {
                return logical;
            }
        }
        return byType(table, column, schema, v);
    }

    /** A value of one of the connector's logical types, or {@link #NOT_LOGICAL} for a type read by its schema type. */
    private static Object logicalValue(String name, Object v) {
        switch (name) {
            case "io.debezium.time.Timestamp": {
                long ms = ((Number) v).longValue();
                // Debezium's infinity sentinels stay as they are (CopyText spells them 'infinity')
                return ms == CopyText.TIMESTAMP_INFINITY || ms == CopyText.TIMESTAMP_MINUS_INFINITY ? ms : ms * 1000;
            }
            case "io.debezium.time.MicroTimestamp", "io.debezium.time.MicroTime":
                return ((Number) v).longValue();
            case "io.debezium.time.NanoTimestamp", "io.debezium.time.NanoTime":
                return Math.floorDiv(((Number) v).longValue(), 1000L);
            case "io.debezium.time.Time":
                return ((Number) v).longValue() * 1000;
            case "io.debezium.time.Date":
                return ((Number) v).longValue();
            case "io.debezium.time.ZonedTimestamp":
                // one spelling of an instant, whichever way the row reached the log (stream or rows PostgreSQL
                // printed)
                return TextValues.zoned((String) v);
            case "io.debezium.data.geometry.Point", "io.debezium.data.geometry.Geometry":
                return geometry((Struct) v);
            case "org.apache.kafka.connect.data.Decimal":
                // a MariaDB/MySQL bigint unsigned past Long: its exact digits
                return ((BigDecimal) v).toPlainString();
            default:
                return NOT_LOGICAL;
        }
    }

    private static Object byType(TableSchema table, int column, Schema schema, Object v) {
        switch (schema.type()) {
            case INT8, INT16, INT32, INT64:
                return ((Number) v).longValue();
            case FLOAT32, FLOAT64, BOOLEAN:
                return v;
            case STRING:
                return UNAVAILABLE.equals(v) ? Unavailable.VALUE : v;
            case BYTES: {
                byte[] b = v instanceof ByteBuffer buf ? toArray(buf) : (byte[]) v;
                return Arrays.equals(b, UNAVAILABLE_BYTES) ? Unavailable.VALUE : b;
            }
            case ARRAY: {
                List<?> in = (List<?>) v;
                if (in.size() == 1 && UNAVAILABLE.equals(in.get(0))) {
                    return Unavailable.VALUE;
                }
                List<Object> out = new ArrayList<>(in.size());
                for (Object item : in) {
                    out.add(value(table, column, schema.valueSchema(), item));
                }
                return out;
            }
            default:
                throw new SourceException("column " + table.qualifiedName() + "."
                        + table.columns().get(column).name() + " of type "
                        + table.columns().get(column).type() + " arrives as " + schema.type()
                        + (schema.name() == null ? "" : " (" + schema.name() + ")")
                        + ", which Backtrack cannot store exactly yet: exclude the table with source.tables-exclude");
        }
    }

    /**
     * A MariaDB/MySQL spatial value as the server stores it: the SRID (4 bytes, little-endian), then
     * the WKB the connector gives apart from it. A geometry column takes these bytes back as they are.
     */
    static byte[] geometry(Struct g) {
        Object wkb = g.get("wkb");
        byte[] w = wkb instanceof ByteBuffer b ? toArray(b) : (byte[]) wkb;
        Integer srid = g.schema().field("srid") == null ? null : g.getInt32("srid");
        return ByteBuffer.allocate(4 + w.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(srid == null ? 0 : srid)
                .put(w)
                .array();
    }

    private static byte[] toArray(ByteBuffer buf) {
        ByteBuffer d = buf.duplicate();
        byte[] b = new byte[d.remaining()];
        d.get(b);
        return b;
    }
}
