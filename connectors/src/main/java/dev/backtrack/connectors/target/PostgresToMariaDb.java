package dev.backtrack.connectors.target;

import dev.backtrack.config.Engine;
import dev.backtrack.connectors.mariadb.BinlogSchema;
import dev.backtrack.connectors.mariadb.MariaDbTypes;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.Constraint;
import dev.backtrack.repository.schema.TableSchema;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** PostgreSQL table versions and values as MariaDB/MySQL takes them. Not thread-safe (collects notes). */
final class PostgresToMariaDb implements Translation {
    private static final Pattern INDEX =
            Pattern.compile("CREATE (UNIQUE )?INDEX (\\S+) ON (\\S+) USING btree \\(([^()]*)\\)");
    /** One column of a btree index: name, collation, operator class, DESC, NULLS order. */
    private static final Pattern INDEX_PART = Pattern.compile(
            "(\"(?:[^\"]|\"\")+\"|[^\\s\"]+)( COLLATE \\S+)?( [\\w.]+_ops)?( DESC)?( NULLS (?:FIRST|LAST))?");

    private static final Pattern FOREIGN_KEY =
            Pattern.compile("FOREIGN KEY \\((.*?)\\) REFERENCES (\\S+?)\\((.*?)\\)(.*)");
    /**
     * PostgreSQL's own text of a timestamptz (DateStyle ISO): {@code 2026-01-02 03:04:05.123456+00}, {@code 0044-03-15
     * 12:00:00+00 BC}.
     */
    private static final Pattern PG_TIMESTAMPTZ = Pattern.compile("(\\d{4,})-(\\d{2})-(\\d{2}) "
            + "(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,6}))?(([+-]\\d{2})(?::\\d{2}){0,2})( BC)?");

    private static final Pattern SIZED = Pattern.compile("(.*?)\\((\\d+)(?:,(\\d+))?\\)(.*)");
    /** DATE and DATETIME hold years 1 to 9999. */
    private static final long MIN_DAY = LocalDate.of(1, 1, 1).toEpochDay();

    private static final long MAX_DAY = LocalDate.of(9999, 12, 31).toEpochDay();
    /** The connector's stand-ins for 'infinity' and '-infinity' (as in CopyText): days, and microseconds. */
    private static final long DATE_INFINITY = LocalDate.parse("-5877611-06-21").toEpochDay();

    private static final long DATE_MINUS_INFINITY =
            LocalDate.parse("-5877611-06-22").toEpochDay();
    private static final long TIMESTAMP_INFINITY = 9223372036825200000L;
    private static final long TIMESTAMP_MINUS_INFINITY = -9223372036832400000L;
    private final Engine engine;
    private final List<String> notes = new ArrayList<>();
    private final Map<String, String> tableNames = new HashMap<>();
    /** Foreign key names given so far, with the table each belongs to. */
    private final Map<String, String> foreignKeyNames = new HashMap<>();

    PostgresToMariaDb(Engine engine) {
        this.engine = engine;
    }

    @Override
    public TableSchema table(TableSchema t) {
        String earlier = tableNames.putIfAbsent(t.table(), t.qualifiedName());
        if (earlier != null && !earlier.equals(t.qualifiedName())) {
            throw new Unrepresentable("tables " + earlier + " and " + t.qualifiedName() + " would both be " + t.table()
                    + " in one MariaDB database:" + " restore one schema at a time with --schemas");
        }
        List<Column> columns = t.columns().stream().map(c -> column(t, c)).toList();
        List<String> indexes = new ArrayList<>();
        for (String index : t.indexes()) {
            String translated = index(t, index);
            if (translated == null) {
                notes.add("index of " + t.qualifiedName() + " left out, MariaDB has no equivalent: " + index);
            } else {
                indexes.add(translated);
            }
        }
        List<Constraint> constraints = new ArrayList<>();
        for (Constraint c : t.constraints()) {
            Constraint translated = constraint(t, c);
            if (translated != null) {
                constraints.add(translated);
            }
        }
        return new TableSchema(
                t.id(),
                t.relationId(),
                t.schema(),
                t.table(),
                columns,
                t.primaryKey(),
                t.primaryKey().isEmpty() ? null : "PRIMARY",
                Map.of(),
                Map.of(),
                indexes,
                constraints,
                t.replicaIdentityFull(),
                t.fromSequence());
    }

    private Column column(TableSchema t, Column c) {
        String type = type(t, c);
        boolean auto = autoIncrement(t, c);
        if (c.sequence() != null && !auto) {
            notes.add("column " + t.qualifiedName() + "." + c.name() + " draws from sequence " + c.sequence()
                    + ", which MariaDB has only for the column leading the primary key: it is restored "
                    + "without a default");
        }
        if (c.generated() != null) {
            notes.add("generated column " + t.qualifiedName() + "." + c.name()
                    + " is restored as a plain column holding no values");
        }
        return new Column(
                c.attnum(),
                c.name(),
                type,
                c.nullable(),
                auto ? null : defaultExpression(t, c, type),
                auto ? t.qualifiedName() : null,
                auto ? BinlogSchema.AUTO_INCREMENT : null,
                null,
                null);
    }

    /**
     * A PostgreSQL CREATE INDEX as MariaDB's, or null when MariaDB has no equivalent (an expression, a partial index,
     * another method).
     */
    private String index(TableSchema t, String index) {
        Matcher m = INDEX.matcher(index);
        if (!m.matches()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (String part : m.group(4).split(",")) {
            Matcher p = INDEX_PART.matcher(part.trim());
            if (!p.matches() || t.columnIndex(unquote(p.group(1))) < 0) {
                return null;
            }
            if (p.group(2) != null || p.group(3) != null || p.group(5) != null) {
                notes.add("index " + unquote(m.group(2)) + " of " + t.qualifiedName()
                        + " is restored without its collation, operator class or NULLS order: " + index);
            }
            String name = unquote(p.group(1));
            String type = type(t, t.columns().get(t.columnIndex(name)));
            parts.add(MariaDbTypes.ident(name)
                    + (m.group(1) == null ? prefix(type) : "")
                    + (p.group(4) == null ? "" : " DESC"));
        }
        return "CREATE " + (m.group(1) == null ? "" : "UNIQUE ") + "INDEX " + MariaDbTypes.ident(unquote(m.group(2)))
                + " ON " + MariaDbTypes.ident(t.table()) + " (" + String.join(", ", parts) + ")";
    }

    /** A unique key or foreign key in MariaDB's form; null (with a note) for what it cannot take. */
    private Constraint constraint(TableSchema t, Constraint c) {
        Matcher fk = FOREIGN_KEY.matcher(c.definition());
        if (c.kind().equals("u") && c.definition().startsWith("UNIQUE (")) {
            return new Constraint(
                    c.name(),
                    "u",
                    "UNIQUE ("
                            + idents(c.definition().substring(8, c.definition().lastIndexOf(')'))) + ")");
        }
        if (!c.kind().equals("f") || !fk.matches()) {
            notes.add("constraint " + c.name() + " of " + t.qualifiedName()
                    + " left out, its PostgreSQL expression is not translated: " + c.definition());
            return null;
        }
        String longColumn = Arrays.stream(fk.group(1).split(","))
                .map(n -> unquote(n.trim()))
                .filter(n -> t.columnIndex(n) >= 0)
                .filter(n -> !prefix(type(t, t.columns().get(t.columnIndex(n)))).isEmpty())
                .findFirst()
                .orElse(null);
        if (longColumn != null) {
            notes.add("foreign key " + c.name() + " of " + t.qualifiedName() + " left out: InnoDB cannot key on "
                    + longColumn + ", a text, bytea or json column without a length");
            return null;
        }
        String referenced = fk.group(2).contains(".") && !fk.group(2).startsWith("\"")
                        || fk.group(2).matches("\".*\"\\..*")
                ? fk.group(2).substring(fk.group(2).lastIndexOf('.') + 1)
                : fk.group(2);
        return new Constraint(
                foreignKeyName(t, c),
                "f",
                "FOREIGN KEY (" + idents(fk.group(1)) + ") REFERENCES " + MariaDbTypes.ident(unquote(referenced)) + " ("
                        + idents(fk.group(3)) + ")"
                        + fk.group(4).replaceAll("\\s+NOT VALID", "").replaceAll("\\s+(NOT )?DEFERRABLE.*", ""));
    }

    /**
     * Foreign key names are per table in PostgreSQL, per database in MariaDB: a second one of a name gets its table's
     * name before it.
     */
    private String foreignKeyName(TableSchema t, Constraint c) {
        String owner = foreignKeyNames.putIfAbsent(c.name(), t.qualifiedName());
        String name = owner == null || owner.equals(t.qualifiedName())
                ? c.name()
                : (t.table() + "_" + c.name())
                        .substring(
                                0,
                                Math.min(64, t.table().length() + 1 + c.name().length()));
        if (!name.equals(c.name())) {
            foreignKeyNames.putIfAbsent(name, t.qualifiedName());
            notes.add("foreign key " + c.name() + " of " + t.qualifiedName() + " is named " + name
                    + ": another table has one named " + c.name());
        }
        return name;
    }

    /**
     * A serial or identity column leading the primary key becomes AUTO_INCREMENT: InnoDB wants the column
     * to lead an index, and MariaDB allows one per table.
     */
    private boolean autoIncrement(TableSchema t, Column c) {
        return c.sequence() != null
                && !t.primaryKey().isEmpty()
                && t.primaryKey().get(0).equals(c.name())
                && type(t, c).matches("(small|big)?int");
    }

    /**
     * The prefix a non-unique index needs on a column of this (MariaDB) type: text, blobs and json have no
     * length, and InnoDB keys at most 3,072 bytes, 768 characters of utf8mb4. Unique indexes need none
     * (MariaDB keeps a long one as a hash).
     */
    private static String prefix(String type) {
        if (type.startsWith("long") || type.equals("json")) {
            return "(255)";
        }
        return type.startsWith("varchar(") && MariaDbTypes.length(type) > 768 ? "(768)" : "";
    }

    private String type(TableSchema t, Column c) {
        String s = c.type().toLowerCase(Locale.ROOT);
        if (t.enums().containsKey(c.type())) {
            return exact("enum"
                    + t.enums().get(c.type()).stream()
                            .map(l -> "'" + l.replace("\\", "\\\\").replace("'", "''") + "'")
                            .collect(Collectors.joining(",", "(", ")")));
        }
        Matcher sized = SIZED.matcher(s);
        String base = sized.matches() ? (sized.group(1) + sized.group(4)).trim() : s;
        int n = sized.matches() ? Integer.parseInt(sized.group(2)) : -1;
        int scale = sized.matches() && sized.group(3) != null ? Integer.parseInt(sized.group(3)) : 0;
        return switch (base) {
            case "smallint" -> "smallint";
            case "integer" -> "int";
            case "bigint" -> "bigint";
            case "numeric" -> {
                if (n < 0) {
                    yield "decimal(65,30)";
                }
                if (n > 65 || scale > 30) {
                    throw unsupported(t, c, "numeric(" + n + "," + scale + ") is wider than MariaDB's decimal(65,30)");
                }
                // numeric(2,5) (PostgreSQL 15) holds values below 0.001: MariaDB wants the precision at least the scale
                yield "decimal(" + Math.max(n, scale) + "," + scale + ")";
            }
            case "real" -> "float";
            case "double precision" -> "double";
            case "boolean" -> "tinyint(1)";
            case "text" -> exact("longtext");
            // case-insensitive at the source: the target's default (case-insensitive) collation
            case "citext" -> "longtext";
            // VARCHAR holds at most 65,535 bytes, 16,383 characters of utf8mb4
            case "character varying" -> n < 0 || n > 16_383 ? exact("longtext") : exact("varchar(" + n + ")");
            case "character" ->
                exact(n <= 255 ? "char(" + Math.max(n, 1) + ")" : n > 16_383 ? "longtext" : "varchar(" + n + ")");
            case "bytea" -> "longblob";
            case "date" -> "date";
            case "timestamp without time zone", "timestamp with time zone" -> "datetime(" + (n < 0 ? 6 : n) + ")";
            case "time without time zone" -> "time(" + (n < 0 ? 6 : n) + ")";
            case "json", "jsonb" -> "json";
            case "uuid" -> engine == Engine.MYSQL ? "char(36)" : "uuid";
            case "inet", "cidr", "macaddr", "macaddr8" -> exact("varchar(64)");
            default -> throw unsupported(t, c, c.type() + " has no MariaDB equivalent in Backtrack's type map");
        };
    }

    /**
     * A text type that compares as PostgreSQL's (deterministic) collations do: two strings are equal only
     * when they are the same characters. The target's default collation is case- and accent-insensitive
     * and ignores trailing spaces, so 'Acme' and 'ACME' under a unique key the source holds would collide.
     * MySQL has no NO PAD binary collation in every version: utf8mb4_bin (trailing spaces still ignored).
     */
    private String exact(String type) {
        return type + " CHARACTER SET utf8mb4 COLLATE "
                + (engine == Engine.MYSQL ? "utf8mb4_bin" : "utf8mb4_nopad_bin");
    }

    private static Unrepresentable unsupported(TableSchema t, Column c, String why) {
        return new Unrepresentable("column " + t.qualifiedName() + "." + c.name() + ": " + why
                + ": restore into PostgreSQL, or leave the table out with --tables");
    }

    /** Literals, booleans and now() carry over; any other expression is left out and noted. */
    private String defaultExpression(TableSchema t, Column c, String type) {
        String d = c.defaultExpression();
        if (d == null) {
            return null;
        }
        String lower = d.toLowerCase(Locale.ROOT);
        if (lower.equals("now()")
                || lower.equals("current_timestamp")
                || lower.startsWith("statement_timestamp")
                || lower.startsWith("transaction_timestamp")) {
            if (type.startsWith("datetime")) {
                return "current_timestamp(" + MariaDbTypes.length(type) + ")";
            }
        } else if (lower.equals("true") || lower.equals("false")) {
            return lower.equals("true") ? "1" : "0";
        } else if (d.matches("-?\\d+(\\.\\d+)?")) {
            return d;
        } else if (d.matches("\\(?-?\\d+(\\.\\d+)?\\)?::[a-z ]+")) {
            return d.substring(0, d.indexOf("::")).replace("(", "").replace(")", "");
        } else if (d.matches("'(?:[^']|'')*'(::[\\w .\"]+)?")) {
            return d.substring(0, d.lastIndexOf('\'') + 1).replace("\\", "\\\\");
        }
        notes.add("default of " + t.qualifiedName() + "." + c.name() + " left out, PostgreSQL expression " + d
                + " is not translated");
        return null;
    }

    @Override
    public List<UnaryOperator<Object>> values(TableSchema t) {
        List<UnaryOperator<Object>> out = new ArrayList<>();
        for (Column c : t.columns()) {
            out.add(value(t, c));
        }
        return out;
    }

    /** How a value of column {@code c} is given to MariaDB, refused when MariaDB's type cannot hold it. */
    private UnaryOperator<Object> value(TableSchema t, Column c) {
        String target = type(t, c);
        String source = c.type().toLowerCase(Locale.ROOT);
        if (source.equals("boolean")) {
            return v -> v == null ? null : Boolean.TRUE.equals(v) ? 1L : 0L;
        } else if (source.startsWith("timestamp") && source.endsWith("with time zone")) {
            return v -> v == null ? null : dateTime(utcMicros((String) v), "timestamp with time zone");
        } else if (source.startsWith("timestamp")) {
            return v -> v == null ? null : dateTime(((Number) v).longValue(), "timestamp");
        } else if (source.equals("date")) {
            return PostgresToMariaDb::date;
        } else if (target.startsWith("decimal")) {
            // every numeric may hold NaN (and an unconstrained one Infinity); only an unconstrained one may hold
            // more digits than decimal(65,30)
            boolean unconstrained = target.equals("decimal(65,30)");
            return v -> decimal(v, unconstrained);
        } else if (source.equals("real") || source.equals("double precision")) {
            return PostgresToMariaDb::finiteFloat;
        } else {
            return UnaryOperator.identity();
        }
    }

    /** A day number, refused outside DATE's years 1 to 9999. */
    private static Object date(Object v) {
        if (v == null) {
            return null;
        }
        long day = ((Number) v).longValue();
        if (day < MIN_DAY || day > MAX_DAY) {
            throw new Unrepresentable("date "
                    + (day == DATE_INFINITY
                            ? "infinity"
                            : day == DATE_MINUS_INFINITY
                                    ? "-infinity"
                                    : text(LocalDate.ofEpochDay(day).atStartOfDay())
                                            .replace(" 00:00:00", ""))
                    + " is outside MariaDB's DATE range (years 1 to 9999)");
        }
        return v;
    }

    /** A numeric's text, refused when it is NaN or infinite, or has more digits than decimal(65,30) holds. */
    private static Object decimal(Object v, boolean unconstrained) {
        if (v == null) {
            return null;
        }
        BigDecimal d;
        try {
            d = new BigDecimal((String) v);
        } catch (NumberFormatException e) {
            // NaN, Infinity, -Infinity (the stream spells them NAN, INFINITY)
            String special = ((String) v).toLowerCase(Locale.ROOT);
            throw new Unrepresentable("numeric "
                    + (special.equals("nan")
                            ? "NaN"
                            : special.endsWith("infinity") ? special.replace("infinity", "Infinity") : v)
                    + " has no MariaDB decimal value");
        }
        if (unconstrained && (Math.max(d.scale(), 0) > 30 || d.precision() - d.scale() > 35)) {
            throw new Unrepresentable("numeric " + v + " has more digits than decimal(65,30) holds");
        }
        return v;
    }

    private static Object finiteFloat(Object v) {
        if (v instanceof Number n && (Double.isNaN(n.doubleValue()) || Double.isInfinite(n.doubleValue()))) {
            throw new Unrepresentable(v + " has no MariaDB floating-point value");
        }
        return v;
    }

    /** A microsecond instant or wall-clock time, refused outside DATETIME's years 1 to 9999. */
    private static Long dateTime(long micros, String type) {
        long day = Math.floorDiv(micros, 86_400_000_000L);
        if (day < MIN_DAY || day > MAX_DAY) {
            String value = micros == TIMESTAMP_INFINITY
                    ? "infinity"
                    : micros == TIMESTAMP_MINUS_INFINITY
                            ? "-infinity"
                            : text(LocalDateTime.ofEpochSecond(
                                    Math.floorDiv(micros, 1_000_000L),
                                    (int) Math.floorMod(micros, 1_000_000L) * 1000,
                                    ZoneOffset.UTC));
            throw new Unrepresentable(type + " " + value + " is outside MariaDB's DATETIME range (years 1 to 9999)");
        }
        return micros;
    }

    /** As PostgreSQL prints it (years past 9999 with their five digits, none with a sign; before year 1 with BC). */
    private static String text(LocalDateTime t) {
        int year = t.getYear();
        String s = String.format(
                "%04d-%02d-%02d %02d:%02d:%02d",
                year > 0 ? year : 1 - year,
                t.getMonthValue(),
                t.getDayOfMonth(),
                t.getHour(),
                t.getMinute(),
                t.getSecond());
        if (t.getNano() != 0) {
            s += String.format(".%06d", t.getNano() / 1000).replaceAll("0+$", "");
        }
        return year > 0 ? s : s + " BC";
    }

    /**
     * A timestamptz in microseconds since the epoch, UTC: DATETIME holds it in UTC. The stream writes it as
     * ISO-8601 ({@code 2026-01-02T03:04:05.123456Z}); rows PostgreSQL printed itself (fresh checkpoints,
     * rewritten tables) in its own form, time zone UTC ({@code 2026-01-02 03:04:05.123456+00}).
     */
    private static long utcMicros(String text) {
        if (text.contains("infinity")) {
            throw new Unrepresentable("timestamp " + text + " is outside MariaDB's DATETIME range (years 1 to 9999)");
        }
        if (text.indexOf('T') > 0) {
            return Micros.of(OffsetDateTime.parse(text).toInstant());
        }
        Matcher m = PG_TIMESTAMPTZ.matcher(text);
        if (!m.matches()) {
            throw new Unrepresentable("timestamp with time zone '" + text + "' is not in a form Backtrack reads");
        }
        int year = Integer.parseInt(m.group(1));
        if (m.group(10) != null) {
            // 1 BC is ISO year 0
            year = 1 - year;
        }
        long day = LocalDate.of(year, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)))
                .toEpochDay();
        long seconds = day * 86_400L
                + Integer.parseInt(m.group(4)) * 3600L
                + Integer.parseInt(m.group(5)) * 60L
                + Integer.parseInt(m.group(6));
        int sign = m.group(8).charAt(0) == '-' ? -1 : 1;
        String[] offset = m.group(8).substring(1).split(":");
        long offsetSeconds = 0;
        for (int i = 0; i < offset.length; i++) {
            offsetSeconds += Long.parseLong(offset[i]) * (i == 0 ? 3600 : i == 1 ? 60 : 1);
        }
        String fraction = m.group(7) == null ? "" : m.group(7);
        return (seconds - sign * offsetSeconds) * 1_000_000L
                + (fraction.isEmpty() ? 0 : Long.parseLong((fraction + "000000").substring(0, 6)));
    }

    /** Sequence "last value" by sequence name becomes AUTO_INCREMENT "next value" by table. */
    @Override
    public Map<String, Long> sequences(Collection<TableSchema> sources, Map<String, Long> captured) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (TableSchema s : sources) {
            for (Column c : s.columns()) {
                Long last = c.sequence() == null ? null : captured.get(c.sequence());
                if (last != null && autoIncrement(s, c)) {
                    out.put(s.qualifiedName(), last + 1);
                }
            }
        }
        return out;
    }

    @Override
    public List<String> notes() {
        return notes;
    }

    private static String unquote(String ident) {
        return ident.startsWith("\"") && ident.endsWith("\"")
                ? ident.substring(1, ident.length() - 1).replace("\"\"", "\"")
                : ident;
    }

    private static String idents(String list) {
        List<String> out = new ArrayList<>();
        for (String p : list.split(",")) {
            out.add(MariaDbTypes.ident(unquote(p.trim())));
        }
        return String.join(", ", out);
    }
}
