package dev.backtrack.testkit;

import dev.backtrack.testkit.MariaDbDumpedSchema.Section;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns mariadb-dump's statements into {@link Section}s. What it leaves out or rewrites, and why:
 * <ul>
 * <li>comments, the version header and the sandbox client command: no part of any object;</li>
 * <li>the dump's own session settings ({@code SET NAMES}, {@code TIME_ZONE='+00:00'}, {@code FOREIGN_KEY_CHECKS},
 * the {@code character_set_client} around each CREATE TABLE), which mariadb-dump writes under 4xxxx version
 * comments, and every {@code SET x = @saved...} that restores them;</li>
 * <li>{@code DROP ... IF EXISTS}, {@code USE}: they only make the script re-runnable;</li>
 * <li>the database's name: dumps of two databases are compared;</li>
 * <li>a table's {@code AUTO_INCREMENT=N}: a counter, not a definition;</li>
 * <li>the placeholder mariadb-dump creates for each view before the tables it reads exist.</li>
 * </ul>
 * It keeps, as a view's, trigger's, routine's or event's creation context, the values its CREATE was
 * run under (written under 5xxxx version comments): {@code sql_mode}, {@code character_set_client},
 * {@code character_set_results}, {@code collation_connection}, an event's {@code time_zone}, and the
 * database collation of a trigger or routine created under another one than the database has now
 * (mariadb-dump switches the database to it with {@code ALTER DATABASE} before the object and back
 * after; the name is dropped, the switch kept). Not thread-safe.
 */
final class MariaDbDumpParser {
    private static final String NAME = "(`(?:[^`]|``)*`|[\\w$]+)";
    private static final String ACCOUNT = "(?:`(?:[^`]|``)*`|'(?:[^']|'')*'|[\\w.$%:-]+)";
    private static final Pattern DEFINER =
            Pattern.compile("DEFINER\\s*=\\s*" + ACCOUNT + "@" + ACCOUNT, Pattern.CASE_INSENSITIVE);
    private static final Pattern CREATE = Pattern.compile(
            "CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:ALGORITHM\\s*=\\s*\\w+\\s+)?"
                    + "(?:DEFINER\\s*=\\s*" + ACCOUNT + "@" + ACCOUNT
                    + "\\s+)?(?:SQL\\s+SECURITY\\s+\\w+\\s+)?(?:AGGREGATE\\s+)?"
                    + "(TABLE|VIEW|TRIGGER|PROCEDURE|FUNCTION|EVENT|SEQUENCE|DATABASE)\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?"
                    + NAME,
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern TRIGGER = Pattern.compile(
            "TRIGGER\\s+" + NAME + "\\s+(BEFORE|AFTER)\\s+(INSERT|UPDATE|DELETE)\\s+ON\\s+" + NAME,
            Pattern.CASE_INSENSITIVE);
    private static final Pattern SET =
            Pattern.compile("SET\\s+(\\w+)\\s*=\\s*(.+)", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern ALTER_DATABASE =
            Pattern.compile("ALTER\\s+DATABASE\\s+" + NAME + "\\s+(.*)", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern AUTO_INCREMENT = Pattern.compile("(\\) ENGINE=\\w+) AUTO_INCREMENT=\\d+");
    private static final Pattern EVENT_STATUS =
            Pattern.compile("(ON COMPLETION (?:NOT )?PRESERVE )(ENABLE|DISABLE ON SLAVE|DISABLE)\\b");
    private static final Set<String> CONTEXT =
            Set.of("sql_mode", "character_set_client", "character_set_results", "collation_connection", "time_zone");
    private static final String DATABASE_COLLATION = "database collation";
    private static final Set<String> CLIENT_CHARSET =
            Set.of("character_set_client", "character_set_results", "collation_connection");
    /** mariadb-dump writes the creation context of views, triggers, routines and events under /*!50001 and /*!50003. */
    private static final int CONTEXT_VERSION = 50000;

    private final MariaDbSchemaDump.Options options;
    private final Map<String, Section> sections = new LinkedHashMap<>();
    private final Map<String, String> context = new TreeMap<>();
    private final Map<String, Integer> triggersPerEvent = new HashMap<>();
    /** mariadb-dump follows an object it switched the database collation for with an ALTER DATABASE switching back. */
    private boolean restorePending;

    MariaDbDumpParser(MariaDbSchemaDump.Options options) {
        this.options = options;
    }

    List<Section> parse(String dump) {
        for (String raw : MariaDbScript.split(dump)) {
            String sql = MariaDbScript.unwrapExecutableComments(raw).strip();
            String verb = firstWord(sql);
            switch (verb) {
                case "SET" -> remember(MariaDbScript.leadingVersion(raw), sql);
                case "ALTER" -> alter(sql);
                case "CREATE" -> create(sql);
                // client commands, DROP ... IF EXISTS, USE, and the locks a data dump takes are no part of the schema
                case "", "DROP", "USE", "LOCK", "UNLOCK" -> {}
                default -> other(sql);
            }
        }
        List<Section> all = new ArrayList<>(sections.values());
        // older mariadb-dump versions make a view's placeholder a table of the same name
        all.removeIf(s -> s.kind().equals("TABLE") && sections.containsKey("VIEW " + s.name()));
        return all;
    }

    /** Client commands ({@code \-}) and executable comments emptied to nothing come out as "". */
    private static String firstWord(String sql) {
        Matcher m = Pattern.compile("^([A-Za-z]+)").matcher(sql);
        return m.find() ? m.group(1).toUpperCase(Locale.ROOT) : "";
    }

    private void remember(int version, String sql) {
        Matcher m = SET.matcher(sql);
        if (version < CONTEXT_VERSION || !m.matches()) {
            return;
        }
        String name = m.group(1).toLowerCase(Locale.ROOT);
        String value = m.group(2).strip();
        if (CONTEXT.contains(name) && !value.startsWith("@")) {
            context.put(name, value);
        }
    }

    private void alter(String sql) {
        Matcher m = ALTER_DATABASE.matcher(sql);
        if (!m.matches()) {
            other(sql);
        } else if (restorePending) {
            restorePending = false;
        } else {
            context.put(DATABASE_COLLATION, m.group(2).strip());
        }
    }

    private void create(String sql) {
        Matcher m = CREATE.matcher(sql);
        if (!m.lookingAt()) {
            other(sql);
            return;
        }
        String kind = m.group(1).toUpperCase(Locale.ROOT);
        String name = unquote(m.group(2));
        List<String> statements = new ArrayList<>();
        if (!kind.equals("TABLE") && !kind.equals("DATABASE") && !kind.equals("SEQUENCE")) {
            contextLines(statements);
        }
        restorePending = context.containsKey(DATABASE_COLLATION);
        context.clear();
        switch (kind) {
            case "DATABASE" ->
                add("DATABASE", "", List.of(sql.substring(0, m.start(2)) + "?" + sql.substring(m.end(2))));
            case "TABLE" -> add(kind, name, List.of(AUTO_INCREMENT.matcher(sql).replaceFirst("$1")));
            case "TRIGGER" -> trigger(name, sql, statements);
            default -> {
                statements.add(normalize(kind, sql));
                add(kind, name, statements);
            }
        }
    }

    private void contextLines(List<String> statements) {
        context.forEach((name, value) -> {
            if (name.equals(DATABASE_COLLATION)) {
                statements.add("ALTER DATABASE ? " + value);
            } else if (!(options.ignoreClientCharset() && CLIENT_CHARSET.contains(name))) {
                statements.add("SET " + name + " = " + value);
            }
        });
    }

    /** Triggers of one table, timing and event run in the order the dump lists them, so that order is kept. */
    private void trigger(String name, String sql, List<String> statements) {
        Matcher m = TRIGGER.matcher(sql);
        if (m.find()) {
            String event = m.group(2).toUpperCase(Locale.ROOT) + " "
                    + m.group(3).toUpperCase(Locale.ROOT) + " ON " + unquote(m.group(4));
            int order = triggersPerEvent.merge(event, 1, Integer::sum);
            statements.add("-- action order " + order + " of " + event);
        }
        statements.add(normalize("TRIGGER", sql));
        add("TRIGGER", name, statements);
    }

    /** The options' rewrites of what a restore may legitimately change. */
    private String normalize(String kind, String sql) {
        String out = sql;
        if (options.ignoreDefiner()) {
            out = DEFINER.matcher(out).replaceFirst("DEFINER=?");
        }
        if (options.ignoreEventStatus() && kind.equals("EVENT")) {
            out = EVENT_STATUS.matcher(out).replaceFirst("$1ENABLE|DISABLE");
        }
        return out;
    }

    /** A later section of the same kind and name replaces an earlier one: a view's final CREATE its placeholder. */
    private void add(String kind, String name, List<String> statements) {
        Section s = new Section(kind, name, statements);
        sections.put(s.header(), s);
    }

    private void other(String sql) {
        add("OTHER", sql.lines().findFirst().orElse(sql), List.of(sql));
    }

    private static String unquote(String name) {
        return name.startsWith("`") ? name.substring(1, name.length() - 1).replace("``", "`") : name;
    }
}
