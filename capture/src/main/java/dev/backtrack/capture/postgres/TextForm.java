package dev.backtrack.capture.postgres;

import dev.backtrack.capture.ChangeDecoder;
import dev.backtrack.connectors.SourceException;
import io.debezium.connector.postgresql.UnchangedToastedReplicationMessageColumn;
import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.postgresql.util.PGobject;

/**
 * Hands the agent PostgreSQL's own text form, which COPY reads back exactly, of every value whose
 * type the connector does not convert exactly itself: every array ({@code {{1,2},{3,4}}},
 * {@code [0:1]={7,8}}: the default conversion flattens multidimensional arrays and drops lower
 * bounds), bit strings (sent as bytes that lose their length), geometric types (left out of change
 * events or turned into structs), composite types, hstore (the connector's JSON is not hstore input),
 * {@code name} (streamed as NULL), and every type it does not know (extension types such as citext,
 * ltree, cube, isn; tsquery, pg_lsn, xid, reg* and the like), which it would leave out. An unchanged
 * TOASTed value arrives as the connector's marker and leaves as the placeholder string. Registered
 * with the connector by {@link CaptureSettings} (with {@code include.unknown.datatypes}, so the
 * stream hands over the text of unknown types); instantiated by it. Thread-safe (stateless).
 */
public final class TextForm implements CustomConverter<SchemaBuilder, RelationalColumn> {
    /**
     * Root types (by PostgreSQL's fixed oid) the connector converts exactly with Backtrack's settings:
     * bool, bytea, "char", int8, int2, int4, text, oid, json, xml, cidr, float4, float8, macaddr8,
     * money, macaddr, inet, bpchar, varchar, date, time, timestamp, timestamptz, interval, numeric,
     * uuid, tsvector, jsonb and the built-in ranges. A domain counts as its root type.
     */
    static final Set<Integer> CONNECTOR_TYPES = Set.of(
            16, 17, 18, 20, 21, 23, 25, 26, 114, 142, 650, 700, 701, 774, 790, 829, 869, 1042, 1043, 1082, 1083, 1114,
            1184, 1186, 1700, 2950, 3614, 3802, 3904, 3906, 3908, 3910, 3912, 3926);

    @Override
    public void configure(Properties props) {}

    @Override
    public void converterFor(RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
        if (column.jdbcType() == Types.ARRAY || !CONNECTOR_TYPES.contains(column.nativeType())) {
            registration.register(SchemaBuilder.string().optional().name(SCHEMA_NAME), v -> text(v, column));
        }
    }

    /** The Connect schema name that marks a value in PostgreSQL's text form. */
    public static final String SCHEMA_NAME = "dev.backtrack.TextForm";

    static Object text(Object value, RelationalColumn column) {
        if (value == null) {
            return null;
        }
        if (UnchangedToastedReplicationMessageColumn.isUnchangedToastedValue(value)) {
            // the connector's marker for a value left untouched out of line: resolved from the row's earlier image
            return ChangeDecoder.UNAVAILABLE;
        }
        if (value instanceof List<?> l && l.size() == 1 && ChangeDecoder.UNAVAILABLE.equals(String.valueOf(l.get(0)))) {
            return ChangeDecoder.UNAVAILABLE;
        }
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Array a) {
            // pgjdbc's array keeps the server's text form and returns it unchanged
            return a.toString();
        }
        if (value instanceof PGobject o) {
            // what pgjdbc reads in the snapshot (composite, extension and other types): getValue() is the server's text
            return o.getValue();
        }
        if (value instanceof Boolean b) {
            // pgjdbc reads bit(1) as a boolean
            return b ? "1" : "0";
        }
        if (value instanceof Map<?, ?> m) {
            // pgjdbc reads an hstore (in the snapshot) as a map
            return hstore(m);
        }
        // a streamed timetz (an OffsetTime the connector moved to UTC), for one: PostgresCatalog refuses those columns,
        // this catches the rest
        throw new SourceException("column " + column.dataCollection() + "." + column.name() + " (" + column.typeName()
                + ") has a value that arrived as " + value.getClass().getName()
                + ", which Backtrack cannot store exactly: exclude the table with source.tables-exclude and report it");
    }

    /**
     * An hstore as the server writes it: pairs in its storage order (keys by length in bytes, then by
     * bytes), {@code "key"=>"value"} or {@code "key"=>NULL}, '"' and '\\' escaped, ", " between. The
     * same text as the stream's, so keys of rows agree whichever way a row reached the log.
     */
    static String hstore(Map<?, ?> pairs) {
        List<Object> keys = new ArrayList<>(pairs.keySet());
        keys.sort(TextForm::storageOrder);
        StringBuilder out = new StringBuilder();
        for (Object key : keys) {
            Object value = pairs.get(key);
            out.append(out.isEmpty() ? "" : ", ")
                    .append('"')
                    .append(escapeHstore(key.toString()))
                    .append("\"=>");
            out.append(value == null ? "NULL" : '"' + escapeHstore(value.toString()) + '"');
        }
        return out.toString();
    }

    private static int storageOrder(Object a, Object b) {
        byte[] x = a.toString().getBytes(StandardCharsets.UTF_8);
        byte[] y = b.toString().getBytes(StandardCharsets.UTF_8);
        return x.length != y.length ? Integer.compare(x.length, y.length) : Arrays.compareUnsigned(x, y);
    }

    private static String escapeHstore(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
