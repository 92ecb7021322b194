package dev.backtrack.connectors.mariadb;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Column types as MariaDB spells them in DDL ({@code int unsigned}, {@code varchar(50) CHARACTER SET
 * utf8mb4}, {@code enum('a','b c')}), built from the parts the connector's schema history and
 * information_schema both give, so the two agree. Thread-safe (stateless).
 */
public final class MariaDbTypes {
    private static final Set<String> SIZED = Set.of("char", "varchar", "binary", "varbinary", "bit");
    private static final Set<String> FRACTIONAL = Set.of("datetime", "timestamp", "time");
    private static final Set<String> TEXTUAL =
            Set.of("char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set");
    private static final Set<String> NUMERIC = Set.of(
            "tinyint",
            "smallint",
            "mediumint",
            "int",
            "integer",
            "bigint",
            "decimal",
            "numeric",
            "float",
            "double",
            "real",
            "bit",
            "year",
            "bool",
            "boolean");

    /** Types the binlog connector cannot read exactly, with the column type that holds the same values. */
    private static final Map<String, String> UNREADABLE = Map.of(
            "uuid", "its streamed values arrive garbled (Debezium reads MariaDB's binary UUID as text): use char(36)",
            "inet6", "Debezium's DDL parser does not know the type: use varchar(39)",
            "inet4", "Debezium's DDL parser does not know the type: use varchar(15)");

    private MariaDbTypes() {}

    /**
     * Why a column of this base type (information_schema's DATA_TYPE, or {@link #base}) cannot be
     * captured exactly, with the type to change it to; null when it can.
     */
    public static String refusal(String base) {
        return UNREADABLE.get(base.toLowerCase(Locale.ROOT));
    }

    /** The line that refuses a table's column of an unreadable type, with both fixes. */
    public static String refusalLine(String qualifiedTable, String column, String base) {
        return "column " + qualifiedTable + "." + column + " has type " + base + ", which cannot be captured exactly ("
                + refusal(base) + "), or exclude the table with source.tables-exclude; then start the agent again";
    }

    /**
     * @param typeName the base name, possibly with {@code unsigned}/{@code zerofill} ({@code INT UNSIGNED})
     * @param length   characters, digits, bits or fractional-second digits; null when none
     * @param scale    decimal digits after the point; null when none
     * @param labels   enum or set labels, else empty
     * @param charset  character set of a textual column, or null
     */
    public static String spell(String typeName, Integer length, Integer scale, List<String> labels, String charset) {
        String lower = typeName.toLowerCase(Locale.ROOT).trim();
        boolean unsigned = lower.contains(" unsigned");
        boolean zerofill = lower.contains(" zerofill");
        String base = lower.replace(" unsigned", "").replace(" zerofill", "").trim();
        if (base.equals("integer")) {
            base = "int";
        } else if (base.equals("bool") || base.equals("boolean")) {
            base = "tinyint";
            length = 1;
        } else if (base.equals("numeric")) {
            base = "decimal";
        }
        StringBuilder t = new StringBuilder(base);
        if (base.equals("enum") || base.equals("set")) {
            t.append(labels.stream().map(MariaDbTypes::quote).collect(Collectors.joining(",", "(", ")")));
        } else if (base.equals("decimal")) {
            t.append('(')
                    .append(length == null ? 10 : length)
                    .append(',')
                    .append(scale == null ? 0 : scale)
                    .append(')');
        } else if (SIZED.contains(base) && length != null) {
            t.append('(').append(length).append(')');
        } else if (FRACTIONAL.contains(base) && length != null && length > 0) {
            t.append('(').append(length).append(')');
        } else if (base.equals("tinyint") && length != null && length == 1) {
            // tinyint(1) is how MariaDB and MySQL write a boolean; the width marks it
            t.append("(1)");
        }
        if (unsigned) {
            t.append(" unsigned");
        }
        if (zerofill) {
            t.append(" zerofill");
        }
        if (charset != null && !charset.isEmpty() && TEXTUAL.contains(base)) {
            t.append(" CHARACTER SET ").append(charset);
        }
        return t.toString();
    }

    /** The base type without size, sign or character set: {@code int}, {@code varchar}, {@code enum}. */
    public static String base(String spelled) {
        String s = spelled.toLowerCase(Locale.ROOT);
        int end = 0;
        while (end < s.length() && (Character.isLetter(s.charAt(end)))) {
            end++;
        }
        return s.substring(0, end);
    }

    public static boolean unsigned(String spelled) {
        return spelled.toLowerCase(Locale.ROOT).contains(" unsigned");
    }

    /** The number in the first parentheses ({@code varchar(50)} → 50), or -1. */
    public static int length(String spelled) {
        int open = spelled.indexOf('(');
        if (open < 0) {
            return -1;
        }
        int end = open + 1;
        while (end < spelled.length() && Character.isDigit(spelled.charAt(end))) {
            end++;
        }
        return end == open + 1 ? -1 : Integer.parseInt(spelled.substring(open + 1, end));
    }

    /** The scale of {@code decimal(12,2)} (2), or 0. */
    public static int scale(String spelled) {
        int comma = spelled.indexOf(',');
        int close = spelled.indexOf(')');
        return comma < 0 || close < comma || !base(spelled).equals("decimal")
                ? 0
                : Integer.parseInt(spelled.substring(comma + 1, close).trim());
    }

    /** The labels of an {@code enum(...)} or {@code set(...)} type, unquoted. */
    public static List<String> labels(String spelled) {
        int open = spelled.indexOf('(');
        int close = spelled.lastIndexOf(')');
        List<String> out = new ArrayList<>();
        StringBuilder cur = null;
        for (int i = open + 1; i < close; i++) {
            char c = spelled.charAt(i);
            if (cur == null) {
                if (c == '\'') {
                    cur = new StringBuilder();
                }
            } else if (c == '\'' && i + 1 < close && spelled.charAt(i + 1) == '\'') {
                cur.append('\'');
                i++;
            } else if (c == '\'') {
                out.add(cur.toString());
                cur = null;
            } else {
                cur.append(c);
            }
        }
        return out;
    }

    public static boolean numeric(String spelled) {
        return NUMERIC.contains(base(spelled));
    }

    /**
     * A column default as DDL writes it: numbers and CURRENT_TIMESTAMP-like functions bare, every other
     * value quoted. {@code raw} is the value the connector's schema history holds (unquoted).
     */
    public static String defaultExpression(String spelled, String raw) {
        if (raw == null) {
            return null;
        }
        String lower = raw.toLowerCase(Locale.ROOT);
        if (lower.startsWith("current_timestamp") || lower.startsWith("now(") || lower.equals("null")) {
            return raw;
        }
        if (numeric(spelled) && raw.matches("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?")) {
            return raw;
        }
        return quote(raw);
    }

    private static final Pattern CURRENT_TIMESTAMP = Pattern.compile("(?i)current_timestamp(\\(\\d*\\))?");

    /**
     * A column default as information_schema gives it, as DDL writes it: MariaDB quotes literals and
     * writes expressions bare ({@code current_timestamp(6)}, {@code curdate() + interval 1 day}); MySQL
     * gives literals unquoted and marks expressions DEFAULT_GENERATED. An expression other than
     * CURRENT_TIMESTAMP goes in parentheses, which both take.
     */
    public static String catalogDefault(String raw, String extra, String dataType, boolean mysql) {
        if (raw == null || raw.equalsIgnoreCase("NULL")) {
            return null;
        }
        if (CURRENT_TIMESTAMP.matcher(raw).matches()) {
            return raw.contains("(") ? raw.toLowerCase(Locale.ROOT) : "current_timestamp()";
        }
        boolean expression = mysql
                ? extra != null && extra.toUpperCase(Locale.ROOT).contains("DEFAULT_GENERATED")
                : !(raw.startsWith("'") || raw.matches("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?") || raw.matches("b'[01]*'"));
        if (expression) {
            return "(" + raw + ")";
        }
        return mysql ? defaultExpression(dataType, raw) : raw;
    }

    static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    /** Backtick-quoted identifier. */
    public static String ident(String name) {
        return "`" + name.replace("`", "``") + "`";
    }
}
