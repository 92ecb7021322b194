package dev.backtrack.connectors.postgres;

import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.TableSchema;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes repository values as PostgreSQL COPY text: one value per column, tab-separated, {@code \N}
 * for NULL. The column's source type says how a stored number reads (days, microseconds).
 * Not thread-safe (reuses a builder).
 */
public final class CopyText {
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS");

    /** Debezium's stand-ins for PostgreSQL's 'infinity' and '-infinity' (pgjdbc's DATE_POSITIVE/NEGATIVE_INFINITY). */
    public static final long TIMESTAMP_INFINITY = 9223372036825200000L;

    public static final long TIMESTAMP_MINUS_INFINITY = -9223372036832400000L;
    static final long DATE_INFINITY = LocalDate.parse("-5877611-06-21").toEpochDay();
    static final long DATE_MINUS_INFINITY = LocalDate.parse("-5877611-06-22").toEpochDay();

    /** How a column's values are spelled; decided once per column from its type. */
    enum Kind {
        PLAIN,
        DATE,
        TIMESTAMP,
        TIME
    }

    private final Kind[] kinds;
    private final boolean[] arrays;
    private final boolean[] skipped;
    private final StringBuilder line = new StringBuilder(256);

    public CopyText(TableSchema table) {
        List<Column> columns = table.columns();
        kinds = new Kind[columns.size()];
        arrays = new boolean[columns.size()];
        skipped = new boolean[columns.size()];
        for (int i = 0; i < kinds.length; i++) {
            String type = typeOf(table, columns.get(i));
            arrays[i] = type.endsWith("[]");
            kinds[i] = kindOf(arrays[i] ? type.substring(0, type.length() - 2) : type);
            skipped[i] = columns.get(i).generated() != null;
        }
    }

    /**
     * A column's type, with a domain's base type in its place: a domain over date holds dates. One level (the
     * definition knows no deeper).
     */
    static String typeOf(TableSchema table, Column column) {
        String domain = table.domains().get(column.type());
        return domain == null ? column.type() : domain.substring(3).split(" NOT NULL| DEFAULT | CONSTRAINT ")[0];
    }

    static Kind kindOf(String type) {
        if (type.equals("date")) {
            return Kind.DATE;
        }
        if (type.startsWith("timestamp") && type.endsWith("without time zone")) {
            return Kind.TIMESTAMP;
        }
        if (type.startsWith("time") && type.endsWith("without time zone")) {
            return Kind.TIME;
        }
        return Kind.PLAIN;
    }

    /** The COPY line for {@code row}, newline included. */
    public String line(Object[] row) {
        line.setLength(0);
        return appendLine(row, line).toString();
    }

    /** Appends the COPY line for {@code row}, newline included, to {@code out} (a loader's buffer: no copy per row). */
    public StringBuilder appendLine(Object[] row, StringBuilder out) {
        boolean first = true;
        for (int i = 0; i < row.length; i++) {
            if (skipped[i]) {
                continue;
            }
            if (!first) {
                out.append('\t');
            }
            first = false;
            Object v = row[i];
            if (v == null) {
                out.append("\\N");
            } else if (v instanceof Long n && kinds[i] == Kind.PLAIN && !arrays[i]) {
                out.append(n.longValue());
            } else if (arrays[i]) {
                // captured arrays are PostgreSQL's own text form; a list is an array some older log holds
                escape(out, v instanceof String literal ? literal : array((List<?>) v, kinds[i]));
            } else {
                escape(out, text(v, kinds[i]));
            }
        }
        return out.append('\n');
    }

    static String text(Object v, Kind kind) {
        if (v instanceof Long n) {
            return switch (kind) {
                case DATE ->
                    n == DATE_INFINITY
                            ? "infinity"
                            : n == DATE_MINUS_INFINITY ? "-infinity" : date(LocalDate.ofEpochDay(n));
                case TIMESTAMP ->
                    n == TIMESTAMP_INFINITY
                            ? "infinity"
                            : n == TIMESTAMP_MINUS_INFINITY
                                    ? "-infinity"
                                    : timestamp(LocalDateTime.ofEpochSecond(
                                            Math.floorDiv(n, 1_000_000L),
                                            (int) Math.floorMod(n, 1_000_000L) * 1000,
                                            ZoneOffset.UTC));
                case TIME -> TIME.format(LocalTime.ofNanoOfDay(n * 1000));
                case PLAIN -> n.toString();
            };
        }
        if (v instanceof Boolean b) {
            return b ? "t" : "f";
        }
        if (v instanceof byte[] b) {
            return "\\x" + HexFormat.of().formatHex(b);
        }
        return v.toString();
    }

    /** PostgreSQL writes years before 1 as 'YYYY-MM-DD BC' (there is no year 0: ISO year 0 is 1 BC). */
    private static String date(LocalDate d) {
        return d.getYear() > 0
                ? d.toString()
                : String.format("%04d-%02d-%02d BC", 1 - d.getYear(), d.getMonthValue(), d.getDayOfMonth());
    }

    private static String timestamp(LocalDateTime t) {
        if (t.getYear() > 0) {
            return TIMESTAMP.format(t);
        }
        return String.format(
                "%04d-%02d-%02d %s BC",
                1 - t.getYear(), t.getMonthValue(), t.getDayOfMonth(), TIME.format(t.toLocalTime()));
    }

    private static int firstSpecial(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' || c == '\n' || c == '\r' || c == '\t') {
                return i;
            }
        }
        return -1;
    }

    private static String array(List<?> items, Kind kind) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            Object item = items.get(i);
            if (item == null) {
                b.append("NULL");
            } else {
                b.append('"')
                        .append(text(item, kind).replace("\\", "\\\\").replace("\"", "\\\""))
                        .append('"');
            }
        }
        return b.append('}').toString();
    }

    private static void escape(StringBuilder out, String s) {
        int first = firstSpecial(s);
        if (first < 0) {
            out.append(s);
            return;
        }
        out.append(s, 0, first);
        for (int i = first; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c);
            }
        }
    }
}
