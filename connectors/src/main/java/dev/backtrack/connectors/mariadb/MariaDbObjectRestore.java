package dev.backtrack.connectors.mariadb;

import dev.backtrack.connectors.SourceException;
import dev.backtrack.connectors.target.ObjectPasses;
import dev.backtrack.connectors.target.ObjectRestore;
import dev.backtrack.repository.objects.ObjectDefinition;
import dev.backtrack.repository.objects.ObjectSet;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Makes a MariaDB/MySQL source's objects on a MariaDB/MySQL target from the server's own SHOW CREATE
 * text: the tables whole before the rows (the session's foreign_key_checks is off, so their order does
 * not matter), routines, then views (one on a view not made yet is tried again), triggers and events
 * after the rows. Each runs under the sql_mode it was made under; DEFINER becomes the restoring user
 * unless the options keep the source's or name another account; events are made disabled unless the
 * options enable them. MariaDB commits DDL at once: {@link #undo} drops what was made. Not thread-safe.
 */
final class MariaDbObjectRestore implements ObjectRestore {
    private static final Pattern DEFINER = Pattern.compile("DEFINER=`(?:[^`]|``)*`@`(?:[^`]|``)*`");
    private static final Pattern EVENT_STATUS =
            Pattern.compile("(ON COMPLETION (?:NOT )?PRESERVE) (?:ENABLE|DISABLE ON SLAVE|DISABLE)");
    private final MariaDbTarget target;
    private final Connection connection;
    private final List<ObjectDefinition> objects = new ArrayList<>();
    private final List<String> leftOut = new ArrayList<>();
    private final Options options;
    private final boolean partial;
    private final List<ObjectDefinition> pending = new ArrayList<>();
    private final Map<String, String> failures = new LinkedHashMap<>();
    private final List<ObjectDefinition> made = new ArrayList<>();
    private final ObjectSession session;

    MariaDbObjectRestore(MariaDbTarget target, Connection connection, ObjectSet set, Options options, Scope scope) {
        this.target = target;
        this.connection = connection;
        this.options = options;
        this.partial = scope.partial();
        for (ObjectDefinition o : set.ordered()) {
            if (options.deferred().contains(o.kind())) {
                // a migration makes its triggers at cutover: on the target they would act again on the rows it applies
                continue;
            }
            if (o.table() != null && !scope.restored().contains(o.table())) {
                if (o.isTableEntry()) {
                    leftOut.add("left out: table " + o.name() + " (not restored: left out, or not captured)");
                }
                continue;
            }
            objects.add(o);
        }
        this.session = new ObjectSession(connection);
    }

    /** With the source's definers kept (or another named), the target must have that account. */
    @Override
    public void check() {
        if (options.definer() == null) {
            return;
        }
        Set<String> accounts = objects.stream()
                .map(this::definerOf)
                .filter(d -> d != null)
                .collect(Collectors.toCollection(TreeSet::new));
        for (String account : accounts) {
            Matcher m = Pattern.compile("`((?:[^`]|``)*)`@`((?:[^`]|``)*)`").matcher(account);
            if (m.find()
                    && "0"
                            .equals(one("SELECT COUNT(*) FROM mysql.user WHERE User = "
                                    + MariaDbTypes.quote(m.group(1).replace("``", "`")) + " AND Host = "
                                    + MariaDbTypes.quote(m.group(2).replace("``", "`"))))) {
                throw new SourceException(
                        "the restore makes views, routines, triggers or events with DEFINER " + account
                                + ", which the target lacks:"
                                + " create that account there, or restore with --definer current (the "
                                + "restoring user) or --definer 'user'@'host'");
            }
        }
    }

    /** The DEFINER an object runs as after the restore, or null for none. */
    private String definerOf(ObjectDefinition o) {
        String create = o.create().get(o.create().size() - 1);
        Matcher m = DEFINER.matcher(create);
        if (!m.find()) {
            return null;
        }
        return Options.KEEP.equals(options.definer()) ? m.group().substring("DEFINER=".length()) : options.definer();
    }

    @Override
    public void make(String phase) {
        List<ObjectDefinition> todo = new ArrayList<>(pending);
        objects.stream().filter(o -> o.phase().equals(phase)).forEach(todo::add);
        pending.clear();
        pending.addAll(ObjectPasses.make(todo, o -> {
            if (!run(o, statements(o))) {
                return false;
            }
            made.add(o);
            failures.remove(o.key());
            if (o.isTableEntry()) {
                target.madeWhole(o.table().substring(o.table().indexOf('.') + 1));
            }
            return true;
        }));
    }

    private List<String> statements(ObjectDefinition o) {
        return statements(o, options.definer(), options.enableEvents());
    }

    /**
     * An object's statements as a restore makes it: its definer ({@code null}: the restoring user;
     * {@link Options#KEEP}: the source's; else that account) and, for an event, its state.
     */
    static List<String> statements(ObjectDefinition o, String definer, boolean enableEvents) {
        List<String> out = new ArrayList<>(o.create());
        String create = withoutOwnDatabase(o, out.remove(out.size() - 1));
        if (!Options.KEEP.equals(definer)) {
            create = DEFINER.matcher(create)
                    .replaceFirst(Matcher.quoteReplacement("DEFINER=" + (definer == null ? "CURRENT_USER" : definer)));
        }
        if (o.kind().equals("event") && !enableEvents) {
            create = EVENT_STATUS.matcher(create).replaceFirst("$1 DISABLE");
        }
        out.add(create);
        return out;
    }

    /**
     * The text with its own database's name taken off the names it qualifies: MariaDB prints a view
     * whose definer is another account as {@code select `crm`.`accounts`.`name` ... from `accounts`},
     * which names the source database from any other.
     */
    private static String withoutOwnDatabase(ObjectDefinition o, String text) {
        return o.schema() == null || o.isTableEntry() ? text : text.replace(MariaDbTypes.ident(o.schema()) + ".", "");
    }

    /**
     * An object's text with what a restore may change in it (its definer, an event's state) taken out, for comparing.
     */
    static List<String> comparable(ObjectDefinition o) {
        List<String> out = new ArrayList<>(o.create());
        String create = DEFINER.matcher(withoutOwnDatabase(o, out.remove(out.size() - 1)))
                .replaceFirst("DEFINER");
        out.add(EVENT_STATUS.matcher(create).replaceFirst("$1"));
        return out;
    }

    @Override
    public List<String> finish() {
        List<String> notes = new ArrayList<>(leftOut);
        notes.addAll(ObjectPasses.refused(
                pending,
                failures,
                partial,
                "restore into a new, empty database on a server of the source's version, or leave the "
                        + "tables it needs out with --tables and see the notes"));
        return notes;
    }

    /** Runs an object's statements (the session set back after them); false when the target refused one. */
    private boolean run(ObjectDefinition o, List<String> statements) {
        String why = session.run(statements);
        if (why != null) {
            failures.put(o.key(), why);
        }
        return why == null;
    }

    @Override
    public void undo() {
        for (int i = made.size() - 1; i >= 0; i--) {
            run(made.get(i), List.of(made.get(i).drop()));
        }
        made.clear();
    }

    @Override
    public Map<String, Integer> counts() {
        Map<String, Integer> out = new TreeMap<>();
        made.stream().filter(o -> !o.isTableEntry()).forEach(o -> out.merge(o.kind(), 1, Integer::sum));
        return out;
    }

    private String one(String sql) {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new SourceException("target query failed (" + MariaDbConnections.firstLine(e) + "): " + sql, e);
        }
    }
}
