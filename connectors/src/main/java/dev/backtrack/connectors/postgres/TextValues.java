package dev.backtrack.connectors.postgres;

import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.TableSchema;

import java.time.LocalDate;
import java.time.LocalTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rows PostgreSQL wrote as text (ISO date style, UTC, hex bytea: the settings of the DDL trigger's
 * row writer) turned into the values {@link ChangeDecoder} makes of the same row, so keys and
 * types agree whichever way a row reached the log. Thread-safe (stateless).
 */
public final class TextValues {
    private static final Pattern DATE = Pattern.compile("(\\d{4,})-(\\d{2})-(\\d{2})( BC)?");
    private static final Pattern TIMESTAMP = Pattern.compile("(\\d{4,})-(\\d{2})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,6}))?( BC)?");

    private TextValues() {
    }

    /** One row of text values, in the table version's column order. */
    public static Object[] row(TableSchema table, List<String> text) {
        List<Column> columns = table.columns();
        if (text.size() != columns.size()) {
            throw new SourceException("rows of " + table.qualifiedName() + " written after a table rewrite have " + text.size()
                    + " columns where its definition has " + columns.size() + ": restart the agent");
        }
        Object[] row = new Object[columns.size()];
        for (int i = 0; i < row.length; i++) {
            row[i] = value(columns.get(i), text.get(i));
        }
        return row;
    }

    static Object value(Column column, String text) {
        if (text == null || column.generated() != null) {
            return null;
        }
        String type = column.type().toLowerCase(Locale.ROOT);
        if (type.endsWith("[]")) {
            return text;
        }
        switch (type) {
            case "smallint", "integer", "bigint", "oid":
                return Long.parseLong(text);
            case "boolean":
                return text.equals("t");
            case "real":
                return Float.parseFloat(text);
            case "double precision":
                return Double.parseDouble(text);
            case "bytea":
                return HexFormat.of().parseHex(text.substring(2));
            default:
                break;
        }
        return switch (CopyText.kindOf(type)) {
            case DATE -> days(text);
            case TIMESTAMP -> micros(text);
            case TIME -> text.startsWith("24:00:00") ? 86_400_000_000L : LocalTime.parse(text).toNanoOfDay() / 1000;
            case PLAIN -> text;
        };
    }

    private static long days(String text) {
        if (text.equals("infinity")) {
            return CopyText.DATE_INFINITY;
        }
        if (text.equals("-infinity")) {
            return CopyText.DATE_MINUS_INFINITY;
        }
        Matcher m = DATE.matcher(text);
        if (!m.matches()) {
            throw new SourceException("a date written after a table rewrite reads '" + text + "', not ISO: restart the agent");
        }
        return LocalDate.of(year(m.group(1), m.group(4)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))).toEpochDay();
    }

    private static long micros(String text) {
        if (text.equals("infinity")) {
            return CopyText.TIMESTAMP_INFINITY;
        }
        if (text.equals("-infinity")) {
            return CopyText.TIMESTAMP_MINUS_INFINITY;
        }
        Matcher m = TIMESTAMP.matcher(text);
        if (!m.matches()) {
            throw new SourceException("a timestamp written after a table rewrite reads '" + text + "', not ISO: restart the agent");
        }
        long day = LocalDate.of(year(m.group(1), m.group(8)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))).toEpochDay();
        long second = day * 86_400L + Integer.parseInt(m.group(4)) * 3600L + Integer.parseInt(m.group(5)) * 60L + Integer.parseInt(m.group(6));
        String fraction = m.group(7) == null ? "" : m.group(7);
        long micros = fraction.isEmpty() ? 0 : Long.parseLong((fraction + "000000").substring(0, 6));
        return second * 1_000_000L + micros;
    }

    /** PostgreSQL writes 1 BC as year 1 with ' BC'; ISO counts it as year 0. */
    private static int year(String digits, String bc) {
        int y = Integer.parseInt(digits);
        return bc == null ? y : 1 - y;
    }

}
