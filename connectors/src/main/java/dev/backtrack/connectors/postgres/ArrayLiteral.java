package dev.backtrack.connectors.postgres;

import io.debezium.connector.postgresql.UnchangedToastedReplicationMessageColumn;
import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import org.apache.kafka.connect.data.SchemaBuilder;

import java.sql.Types;
import java.util.List;
import java.util.Properties;

/**
 * Hands every array value to the agent as PostgreSQL's own text form ({@code {{1,2},{3,4}}},
 * {@code [0:1]={7,8}}), which COPY reads back exactly. The connector's default conversion flattens
 * multidimensional arrays and drops lower bounds. An unchanged TOASTed array arrives as the
 * connector's placeholder and leaves as the placeholder string. Registered with the connector by
 * {@link CaptureSettings}; instantiated by it. Thread-safe (stateless).
 */
public final class ArrayLiteral implements CustomConverter<SchemaBuilder, RelationalColumn> {

    @Override
    public void configure(Properties props) {
    }

    @Override
    public void converterFor(RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
        if (column.jdbcType() != Types.ARRAY) {
            return;
        }
        registration.register(SchemaBuilder.string().optional().name(SCHEMA_NAME), ArrayLiteral::text);
    }

    /** The Connect schema name that marks an array in its text form. */
    public static final String SCHEMA_NAME = "dev.backtrack.ArrayLiteral";

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
        throw new SourceException("an array value arrived as " + value.getClass().getName() + ", which Backtrack cannot store exactly:"
                + " exclude the table with source.tables-exclude and report it");
    }
}
