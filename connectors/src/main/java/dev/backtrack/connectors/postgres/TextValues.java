package dev.backtrack.connectors.postgres;

import dev.backtrack.connectors.SourceException;
import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.TableSchema;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rows PostgreSQL wrote as text (ISO date style, UTC, hex bytea: the settings of the DDL trigger's
 * row writer) turned into the values capture's {@code ChangeDecoder} makes of the same row, so keys and
 * types agree whichever way a row reached the log. Thread-safe (stateless).
 */
public final class TextValues {
    private static final Pattern DATE = Pattern.compile("(\\d{4,})-(\\d{2})-(\\d{2})( BC)?");
    private static final Pattern TIMESTAMP =
            Pattern.compile("(\\d{4,})-(\\d{2})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,6}))?( BC)?");

    private TextValues() {}

    /** One row of text values, in the table version's column order. */
    public static Object[] row(TableSchema table, List<String> text) {
        List<Column> columns = table.columns();
        if (text.size() != columns.size()) {
            throw new SourceException("rows of " + table.qualifiedName() + " written after a table rewrite have "
                    + text.size() + " columns where its definition has " + columns.size() + ": restart the agent");
        }
        Object[] row = new Object[columns.size()];
        for (int i = 0; i < row.length; i++) {
            row[i] = value(columns.get(i), CopyText.typeOf(table, columns.get(i)), text.get(i));
        }
        return row;
    }

    /** @param columnType the column's type, a domain's base type in its place */
    static Object value(Column column, String columnType, String text) {
        if (text == null || column.generated() != null) {
            return null;
        }
        String type = columnType.toLowerCase(Locale.ROOT);
        if (type.endsWith("[]")) {
            return text;
        }
        switch (type) {
            case "smallint", "integer", "bigint", "oid":
                return Long.parseLong(text);
            case "boolean":
                // boolean::text prints true/false, COPY and psql print t/f
                return text.equals("t") || text.equals("true");
            case "real":
                return Float.parseFloat(text);
            case "double precision":
                return Double.parseDouble(text);
            case "bytea":
                return HexFormat.of().parseHex(text.substring(2));
            default:
                break;
        }
        if (type.startsWith("timestamp") && type.endsWith("with time zone")) {
            return zoned(text);
        }
        return switch (CopyText.kindOf(type)) {
            case DATE -> days(text);
            case TIMESTAMP -> micros(text);
            case TIME ->
                text.startsWith("24:00:00")
                        ? 86_400_000_000L
                        : LocalTime.parse(text).toNanoOfDay() / 1000;
            case PLAIN -> text;
        };
    }

    private static final Pattern ZONED = Pattern.compile("(\\d{4,})-(\\d{2})-(\\d{2})[ "
            + "T](\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?(Z|[+-]\\d{2}(?::?\\d{2}(?::?\\d{2})?)?)( BC)?");

    /**
     * An instant (timestamptz, MariaDB timestamp) as the log keeps it: ISO-8601 in UTC with six
     * fractional digits, {@code 2026-01-02T03:04:05.120000Z}, from the connector's ISO text or
     * PostgreSQL's own ({@code 2026-01-02 03:04:05.12+00}); 'infinity' and '-infinity' stay.
     */
    public static String zoned(String text) {
        if (text.equals("infinity") || text.equals("-infinity")) {
            return text;
        }
        String utc = alreadyUtc(text);
        if (utc != null) {
            return utc;
        }
        Matcher m = ZONED.matcher(text);
        if (!m.matches()) {
            throw new SourceException(
                    "an instant reads '" + text + "', which is not ISO-8601 with an offset: report this");
        }
        String fraction = m.group(7) == null ? "" : m.group(7);
        long day = LocalDate.of(
                        year(m.group(1), m.group(9)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)))
                .toEpochDay();
        long second = day * 86_400L
                + Integer.parseInt(m.group(4)) * 3600L
                + Integer.parseInt(m.group(5)) * 60L
                + Integer.parseInt(m.group(6));
        String zone = m.group(8);
        if (!zone.equals("Z")) {
            String digits = zone.substring(1).replace(":", "");
            int offset = Integer.parseInt(digits.substring(0, 2)) * 3600
                    + (digits.length() >= 4 ? Integer.parseInt(digits.substring(2, 4)) * 60 : 0)
                    + (digits.length() >= 6 ? Integer.parseInt(digits.substring(4, 6)) : 0);
            second -= zone.charAt(0) == '-' ? -offset : offset;
        }
        int micros = fraction.isEmpty() ? 0 : Integer.parseInt((fraction + "000000").substring(0, 6));
        LocalDateTime t = LocalDateTime.ofEpochSecond(second, micros * 1000, ZoneOffset.UTC);
        StringBuilder out = new StringBuilder(32);
        // PostgreSQL reads neither a signed nor a zero year: years before 1 are written as PostgreSQL writes them
        pad(out, t.getYear() > 0 ? t.getYear() : 1 - t.getYear(), 4).append('-');
        pad(out, t.getMonthValue(), 2).append('-');
        pad(out, t.getDayOfMonth(), 2).append(t.getYear() > 0 ? 'T' : ' ');
        pad(out, t.getHour(), 2).append(':');
        pad(out, t.getMinute(), 2).append(':');
        pad(out, t.getSecond(), 2).append('.');
        pad(out, micros, 6);
        return out.append(t.getYear() > 0 ? "Z" : "+00 BC").toString();
    }

    /** Where the digits of {@code yyyy-MM-ddTHH:mm:ss} stand. */
    private static final int[] UTC_DIGITS = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};

    /**
     * The connector's usual spelling, {@code 2026-01-02T03:04:05.12Z} (UTC, a four-digit year, up to
     * nine fractional digits), in the log's form without parsing; null for anything else. Every
     * timestamptz of every change passes here, and the general path costs microseconds.
     */
    static String alreadyUtc(String text) {
        int n = text.length();
        if (n < 20
                || text.charAt(n - 1) != 'Z'
                || text.charAt(4) != '-'
                || text.charAt(7) != '-'
                || text.charAt(10) != 'T'
                || text.charAt(13) != ':'
                || text.charAt(16) != ':'
                || text.charAt(0) == '0' && text.startsWith("0000")) {
            return null;
        }
        for (int i : UTC_DIGITS) {
            if (!isDigit(text.charAt(i))) {
                return null;
            }
        }
        int digits = 0;
        if (n > 20) {
            if (text.charAt(19) != '.' || n - 21 < 1 || n - 21 > 9) {
                return null;
            }
            for (int i = 20; i < n - 1; i++) {
                if (!isDigit(text.charAt(i))) {
                    return null;
                }
            }
            digits = n - 21;
        }
        StringBuilder out = new StringBuilder(27).append(text, 0, 19).append('.');
        if (digits >= 6) {
            out.append(text, 20, 26);
        } else {
            out.append(text, 20, 20 + digits).append("000000", 0, 6 - digits);
        }
        return out.append('Z').toString();
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static StringBuilder pad(StringBuilder out, int value, int width) {
        String v = Integer.toString(value);
        for (int i = v.length(); i < width; i++) {
            out.append('0');
        }
        return out.append(v);
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
            throw new SourceException(
                    "a date written after a table rewrite reads '" + text + "', not ISO: restart the agent");
        }
        return LocalDate.of(year(m.group(1), m.group(4)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)))
                .toEpochDay();
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
            throw new SourceException(
                    "a timestamp written after a table rewrite reads '" + text + "', not ISO: restart the agent");
        }
        long day = LocalDate.of(
                        year(m.group(1), m.group(8)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)))
                .toEpochDay();
        long second = day * 86_400L
                + Integer.parseInt(m.group(4)) * 3600L
                + Integer.parseInt(m.group(5)) * 60L
                + Integer.parseInt(m.group(6));
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
