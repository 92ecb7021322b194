package dev.backtrack.connectors.postgres;

import io.debezium.connector.postgresql.UnchangedToastedReplicationMessageColumn;
import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.postgresql.util.PGobject;

import java.sql.Types;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/**
 * Hands the agent PostgreSQL's own text form of the values the connector cannot represent exactly,
 * which COPY reads back exactly: every array ({@code {{1,2},{3,4}}}, {@code [0:1]={7,8}}: the default
 * conversion flattens multidimensional arrays and drops lower bounds), bit strings (sent as bytes
 * that lose their length), and geometric types (which it leaves out of change events or turns into
 * structs). An unchanged TOASTed value arrives as the connector's marker
 * and leaves as the placeholder string. Registered with the connector by {@link CaptureSettings};
 * instantiated by it. Thread-safe (stateless).
 */
public final class TextForm implements CustomConverter<SchemaBuilder, RelationalColumn> {
    /** Types (as the connector names them) that travel as text. */
    static final Set<String> TEXT_TYPES = Set.of("bit", "varbit", "point", "box", "polygon", "circle", "line", "lseg", "path");

    @Override
    public void configure(Properties props) {
    }

    @Override
    public void converterFor(RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
        if (column.jdbcType() == Types.ARRAY) {
            registration.register(SchemaBuilder.string().optional().name(SCHEMA_NAME), TextForm::text);
        } else if (TEXT_TYPES.contains(column.typeName().toLowerCase(Locale.ROOT))) {
            registration.register(SchemaBuilder.string().optional().name(SCHEMA_NAME), TextForm::text);
        }
    }

    /** The Connect schema name that marks a value in PostgreSQL's text form. */
    public static final String SCHEMA_NAME = "dev.backtrack.TextForm";

    static Object text(Object value) {
        if (value == null) {
            return null;
        }
        if (UnchangedToastedReplicationMessageColumn.isUnchangedToastedValue(value)) {
            // the connector's marker for an array left untouched out of line: resolved from the row's earlier image
            return ChangeDecoder.UNAVAILABLE;
        }
        if (value instanceof List<?> l && l.size() == 1 && ChangeDecoder.UNAVAILABLE.equals(String.valueOf(l.get(0)))) {
            return ChangeDecoder.UNAVAILABLE;
        }
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof java.sql.Array a) {
            // pgjdbc's array keeps the server's text form and returns it unchanged
            return a.toString();
        }
        if (value instanceof PGobject o) {
            // geometric types, bit strings and others read by pgjdbc: their getValue() is the server's text
            return o.getValue();
        }
        if (value instanceof Boolean b) {
            // pgjdbc reads bit(1) as a boolean
            return b ? "1" : "0";
        }
        throw new SourceException("a value arrived as " + value.getClass().getName() + ", which Backtrack cannot store exactly:"
                + " exclude the table with source.tables-exclude and report it");
    }
}
