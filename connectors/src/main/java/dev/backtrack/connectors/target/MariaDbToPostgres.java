package dev.backtrack.connectors.target;

import dev.backtrack.connectors.mariadb.BinlogSchema;
import dev.backtrack.connectors.mariadb.MariaDbTypes;
import dev.backtrack.connectors.postgres.PostgresCatalog;
import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.Constraint;
import dev.backtrack.repository.schema.TableSchema;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** MariaDB/MySQL table versions and values as PostgreSQL takes them. Not thread-safe (collects notes). */
final class MariaDbToPostgres implements Translation {
    private static final Pattern INDEX =
            Pattern.compile("CREATE (UNIQUE |FULLTEXT |SPATIAL )?INDEX `((?:[^`]|``)+)` ON `(?:[^`]|``)+` \\((.*)\\)");
    private static final Pattern PART = Pattern.compile("`((?:[^`]|``)+)`(?:\\(\\d+\\))?( DESC)?");
    private static final Pattern FOREIGN_KEY =
            Pattern.compile("FOREIGN KEY \\((.*)\\) REFERENCES `((?:[^`]|``)+)` \\((.*)\\)(.*)");
    private final List<String> notes = new ArrayList<>();
    private final boolean postgis;

    /** @param postgis whether the target database has the PostGIS extension, which spatial columns need */
    MariaDbToPostgres(boolean postgis) {
        this.postgis = postgis;
    }

    private final Set<String> indexNames = new HashSet<>();

    @Override
    public TableSchema table(TableSchema t) {
        Map<String, List<String>> enums = new LinkedHashMap<>();
        List<Column> columns = columns(t, enums);
        List<String> indexes = indexes(t);
        List<Constraint> constraints = constraints(t);
        return new TableSchema(
                t.id(),
                t.relationId(),
                t.schema(),
                t.table(),
                columns,
                t.primaryKey(),
                null,
                enums,
                Map.of(),
                indexes,
                constraints,
                t.replicaIdentityFull(),
                t.fromSequence());
    }

    /** The columns with PostgreSQL's types and defaults; an AUTO_INCREMENT column becomes an identity column. */
    private List<Column> columns(TableSchema t, Map<String, List<String>> enums) {
        List<Column> columns = new ArrayList<>();
        for (Column c : t.columns()) {
            String type = type(t, c, enums);
            String def = defaultExpression(t, c, type);
            boolean auto = BinlogSchema.AUTO_INCREMENT.equals(c.identity());
            if (c.generated() != null) {
                notes.add("generated column " + t.qualifiedName() + "." + c.name()
                        + " is a plain column holding the source's values:" + " its MariaDB expression " + c.generated()
                        + " is not translated");
            }
            columns.add(new Column(
                    c.attnum(),
                    c.name(),
                    type,
                    c.nullable(),
                    auto ? null : def,
                    auto ? sequenceOf(t, c) : null,
                    auto ? "by default" : null,
                    null,
                    null,
                    null,
                    onUpdate(t, c),
                    null));
        }
        return columns;
    }

    /** Plain, unique and (with PostGIS) spatial indexes; FULLTEXT and the others are left out with a note. */
    private List<String> indexes(TableSchema t) {
        List<String> indexes = new ArrayList<>();
        for (String index : t.indexes()) {
            Matcher m = INDEX.matcher(index);
            boolean gist = m.matches() && "SPATIAL ".equals(m.group(1)) && postgis;
            if (!m.matches() || m.group(1) != null && !m.group(1).equals("UNIQUE ") && !gist) {
                notes.add("index of " + t.qualifiedName() + " left out, PostgreSQL has no equivalent: " + index);
                continue;
            }
            List<String> parts = new ArrayList<>();
            Matcher p = PART.matcher(m.group(3));
            while (p.find()) {
                parts.add(PostgresCatalog.quote(p.group(1).replace("``", "`")) + (p.group(2) == null ? "" : " DESC"));
            }
            String name = m.group(2).replace("``", "`");
            // index names are per table in MariaDB, per schema in PostgreSQL
            if (!indexNames.add(t.schema() + "." + name)) {
                name = t.table() + "_" + name;
                indexNames.add(t.schema() + "." + name);
            }
            indexes.add("CREATE " + (m.group(1) == null || gist ? "" : "UNIQUE ") + "INDEX "
                    + PostgresCatalog.quote(name) + " ON " + qualified(t.schema(), t.table())
                    + (gist ? " USING gist" : "") + " (" + String.join(", ", parts) + ")");
        }
        return indexes;
    }

    /** Foreign keys; other constraints (checks) are left out with a note. */
    private List<Constraint> constraints(TableSchema t) {
        List<Constraint> constraints = new ArrayList<>();
        for (Constraint c : t.constraints()) {
            Matcher m = FOREIGN_KEY.matcher(c.definition());
            if (c.kind().equals("f") && m.matches()) {
                constraints.add(new Constraint(
                        c.name(),
                        "f",
                        "FOREIGN KEY (" + idents(m.group(1)) + ") REFERENCES "
                                + qualified(t.schema(), m.group(2).replace("``", "`")) + "(" + idents(m.group(3)) + ")"
                                + m.group(4)));
            } else {
                notes.add("constraint " + c.name() + " of " + t.qualifiedName()
                        + " left out, its MariaDB expression is not translated: " + c.definition());
            }
        }
        return constraints;
    }

    private String type(TableSchema t, Column c, Map<String, List<String>> enums) {
        String s = c.type();
        String base = MariaDbTypes.base(s);
        boolean unsigned = MariaDbTypes.unsigned(s);
        int length = MariaDbTypes.length(s);
        if (PostgisTypes.spatial(base)) {
            if (!postgis) {
                throw new Unrepresentable("column " + t.qualifiedName() + "." + c.name() + " has spatial type " + s
                        + " and the target database has no PostGIS:"
                        + " run CREATE EXTENSION postgis; in it (the server needs PostGIS installed, Debian: "
                        + "postgresql-15-postgis-3),"
                        + " or restore into MariaDB/MySQL, or leave the table out with --tables");
            }
            return PostgisTypes.type(base);
        }
        return switch (base) {
            case "tinyint" -> length == 1 && !unsigned ? "boolean" : "smallint";
            case "smallint" -> unsigned ? "integer" : "smallint";
            case "mediumint" -> "integer";
            case "int", "integer" -> unsigned ? "bigint" : "integer";
            // an unsigned AUTO_INCREMENT key (Laravel's id()) and the foreign keys to it stay integers PostgreSQL can
            // generate and
            // join; values past 2^63-1 there are refused
            case "bigint" -> unsigned && !keyLike(t, c) ? "numeric(20,0)" : "bigint";
            case "decimal", "numeric" -> "numeric(" + length + "," + MariaDbTypes.scale(s) + ")";
            case "float" -> "real";
            case "double", "real" -> "double precision";
            case "char" -> "character(" + Math.max(1, length) + ")";
            case "varchar" -> "character varying(" + length + ")";
            case "tinytext", "text", "mediumtext", "longtext", "set" -> "text";
            case "json" -> "json";
            case "enum" -> {
                String name = qualified(t.schema(), t.table() + "_" + c.name());
                enums.put(name, MariaDbTypes.labels(s));
                yield name;
            }
            case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob" -> "bytea";
            case "bit" -> length <= 1 ? "boolean" : "bit(" + length + ")";
            case "date" -> "date";
            case "datetime" -> "timestamp(" + Math.max(0, length) + ") without time zone";
            case "timestamp" -> "timestamp(" + Math.max(0, length) + ") with time zone";
            case "time" -> "time(" + Math.max(0, length) + ") without time zone";
            case "year" -> "smallint";
            default ->
                throw new Unrepresentable("column " + t.qualifiedName() + "." + c.name() + " has type " + s
                        + ", which has no PostgreSQL equivalent in Backtrack's type map: restore it "
                        + "into MariaDB/MySQL, or leave the table out with --tables");
        };
    }

    /** An AUTO_INCREMENT column, or a column of a foreign key (which references one, in a CRM). */
    private static boolean keyLike(TableSchema t, Column c) {
        if (BinlogSchema.AUTO_INCREMENT.equals(c.identity())) {
            return true;
        }
        String quoted = "`" + c.name().replace("`", "``") + "`";
        return t.constraints().stream()
                .anyMatch(k -> k.kind().equals("f")
                        && k.definition()
                                .substring(0, k.definition().indexOf(')') + 1)
                                .contains(quoted));
    }

    private static final Pattern NOW =
            Pattern.compile("(?i)\\(?(current_timestamp|now|localtimestamp|localtime)(\\((\\d*)\\))?\\)?");
    private static final Pattern BITS = Pattern.compile("b'([01]+)'");
    private static final Pattern TODAY = Pattern.compile("(?i)\\(?(curdate\\(\\)|current_date(\\(\\))?)\\)?");

    /**
     * Literals carry over; the current time and date become PostgreSQL's (with their fractional
     * digits). Any other expression is refused: a constant in its place would give the application's
     * next insert a wrong value, and MariaDB's dialect is not translated.
     */
    private String defaultExpression(TableSchema t, Column c, String pgType) {
        String d = c.defaultExpression();
        if (d == null || d.equalsIgnoreCase("NULL")) {
            return null;
        }
        Matcher now = NOW.matcher(d);
        if (now.matches()) {
            return now.group(3) == null || now.group(3).isEmpty()
                    ? "CURRENT_TIMESTAMP"
                    : "CURRENT_TIMESTAMP(" + now.group(3) + ")";
        }
        if (TODAY.matcher(d).matches()) {
            return "CURRENT_DATE";
        }
        if (pgType.equals("boolean") && d.matches("'?[01]'?")) {
            return d.contains("1") ? "true" : "false";
        }
        Matcher bits = BITS.matcher(d);
        if (bits.matches()) {
            // BIT(1) became boolean, BIT(n) bit(n), whose literal has all n digits
            String digits = bits.group(1);
            int n = MariaDbTypes.length(c.type());
            return pgType.equals("boolean")
                    ? String.valueOf(digits.contains("1"))
                    : "B'" + "0".repeat(Math.max(0, n - digits.length())) + digits + "'";
        }
        if (d.matches("-?\\d+(\\.\\d+)?")) {
            return d;
        }
        if (d.matches("'(?:[^'\\\\]|'')*'")) {
            return d;
        }
        String mapped = DefaultExpressions.postgres(d);
        if (mapped != null) {
            return mapped;
        }
        throw new Unrepresentable("column " + t.qualifiedName() + "." + c.name() + " has default " + d
                + ", which PostgreSQL cannot take as"
                + " written: restore into MariaDB/MySQL, or leave the table out with --tables");
    }

    /** ON UPDATE CURRENT_TIMESTAMP becomes a trigger that PostgreSQL's target makes (see {@code PostgresTarget}). */
    private String onUpdate(TableSchema t, Column c) {
        if (c.onUpdate() == null) {
            return null;
        }
        Matcher now = NOW.matcher(c.onUpdate());
        if (!now.matches()) {
            throw new Unrepresentable(
                    "column " + t.qualifiedName() + "." + c.name() + " is set ON UPDATE " + c.onUpdate()
                            + ", which PostgreSQL cannot do: restore into MariaDB/MySQL, or leave the table "
                            + "out with --tables");
        }
        return "CURRENT_TIMESTAMP";
    }

    @Override
    public List<UnaryOperator<Object>> values(TableSchema t) {
        List<UnaryOperator<Object>> out = new ArrayList<>();
        for (Column c : t.columns()) {
            out.add(value(t, c));
        }
        return out;
    }

    /** How a value of column {@code c} is given to PostgreSQL, refused when PostgreSQL's type cannot hold it. */
    private static UnaryOperator<Object> value(TableSchema t, Column c) {
        String base = MariaDbTypes.base(c.type());
        int length = MariaDbTypes.length(c.type());
        boolean unsigned = MariaDbTypes.unsigned(c.type());
        if (base.equals("tinyint") && length == 1 && !unsigned) {
            return MariaDbToPostgres::tinyintAsBoolean;
        } else if (base.equals("bigint") && unsigned && keyLike(t, c)) {
            return MariaDbToPostgres::unsignedKeyAsBigint;
        } else if (base.equals("time")) {
            return MariaDbToPostgres::timeOfDay;
        } else if (PostgisTypes.spatial(base)) {
            return v -> v == null ? null : PostgisTypes.ewkb((byte[]) v);
        } else if (base.equals("bit") && length > 1) {
            return v -> v == null ? null : bitText((byte[]) v, length);
        } else if (base.equals("enum")) {
            return MariaDbToPostgres::enumLabel;
        } else if (MariaDbTypes.numeric(c.type())
                || base.startsWith("date")
                || base.equals("timestamp")
                || base.endsWith("blob")
                || base.endsWith("binary")) {
            return UnaryOperator.identity();
        } else {
            return MariaDbToPostgres::textWithoutNul;
        }
    }

    private static Object tinyintAsBoolean(Object v) {
        if (v == null) {
            return null;
        }
        // a value an added column's default filled in arrives as its text
        long n = v instanceof String text ? Long.parseLong(text) : ((Number) v).longValue();
        if (n != 0 && n != 1) {
            throw new Unrepresentable("value " + n + " of tinyint(1) is not a boolean (tinyint(1) becomes boolean)");
        }
        return n == 1;
    }

    /** An unsigned bigint arrives as its digits (see MariaDbSettings); a key column's becomes a bigint. */
    private static Object unsignedKeyAsBigint(Object v) {
        if (v instanceof String digits) {
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw new Unrepresentable(
                        "value " + digits + " of an unsigned key column is past bigint's 9223372036854775807");
            }
        }
        return v;
    }

    private static Object timeOfDay(Object v) {
        if (v != null && (((Number) v).longValue() < 0 || ((Number) v).longValue() > 86_400_000_000L)) {
            throw new Unrepresentable(
                    "time value " + v + " µs is outside PostgreSQL's time of day (00:00:00 to 24:00:00)");
        }
        return v;
    }

    private static Object enumLabel(Object v) {
        if ("".equals(v)) {
            throw new Unrepresentable(
                    "the empty enum value (MariaDB's invalid-value marker) has no PostgreSQL enum label");
        }
        return v;
    }

    private static Object textWithoutNul(Object v) {
        if (v instanceof String s && s.indexOf('\0') >= 0) {
            throw new Unrepresentable("text with a NUL character, which PostgreSQL text cannot hold");
        }
        return v;
    }

    /** Debezium's bits (least significant byte first) as PostgreSQL's bit string text, most significant bit first. */
    static String bitText(byte[] bytes, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = length - 1; i >= 0; i--) {
            int b = i / 8 < bytes.length ? bytes[i / 8] : 0;
            s.append((b >> (i % 8) & 1) == 1 ? '1' : '0');
        }
        return s.toString();
    }

    /** AUTO_INCREMENT "next value" by table becomes the identity sequence's "last value". */
    @Override
    public Map<String, Long> sequences(Collection<TableSchema> sources, Map<String, Long> captured) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (TableSchema t : sources) {
            for (Column c : t.columns()) {
                Long next = c.sequence() == null ? null : captured.get(c.sequence());
                if (BinlogSchema.AUTO_INCREMENT.equals(c.identity()) && next != null && next > 1) {
                    out.put(sequenceOf(t, c), next - 1);
                }
            }
        }
        return out;
    }

    @Override
    public List<String> notes() {
        return notes;
    }

    /** The name PostgreSQL gives an identity column's sequence. */
    private static String sequenceOf(TableSchema t, Column c) {
        return qualified(t.schema(), t.table() + "_" + c.name() + "_seq");
    }

    private static String qualified(String schema, String name) {
        return PostgresCatalog.quote(schema) + "." + PostgresCatalog.quote(name);
    }

    private static String idents(String backticked) {
        List<String> out = new ArrayList<>();
        Matcher p = PART.matcher(backticked);
        while (p.find()) {
            out.add(PostgresCatalog.quote(p.group(1).replace("``", "`")));
        }
        return String.join(", ", out);
    }
}
