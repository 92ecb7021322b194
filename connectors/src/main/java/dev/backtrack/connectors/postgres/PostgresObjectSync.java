package dev.backtrack.connectors.postgres;

import dev.backtrack.repository.objects.ObjectDefinition;
import dev.backtrack.repository.objects.ObjectSet;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Brings the objects of a PostgreSQL migration target in line with the source's definitions,
 * comparing by kind and name (the keys are the source's oids): an object that differs is made
 * again, one the source no longer has is dropped; a table's own entry (options, partition bound,
 * ownership, privileges, comments) is changed statement by statement, since the table stays. Each
 * change runs under a savepoint in the caller's transaction. Not thread-safe (the target's connection).
 */
final class PostgresObjectSync {
    private final Connection connection;
    private final List<String> refused = new ArrayList<>();

    PostgresObjectSync(Connection connection) {
        this.connection = connection;
    }

    /** The target's own definitions, read with the same query the agent reads the source's with. */
    ObjectSet target() {
        PostgresObjects.install(connection, List.of(), List.of());
        return PostgresObjects.read(connection);
    }

    /**
     * Makes every object {@code wanted} selects look as in {@code source}; returns what could not be
     * made, one line each.
     */
    List<String> sync(ObjectSet source, Predicate<String> wanted) {
        Map<String, ObjectDefinition> have = byName(target());
        Map<String, ObjectDefinition> want = byName(source);
        for (ObjectDefinition d : source.ordered()) {
            if (wanted.test(identity(d)) && !sameBody(d, have.get(identity(d)))) {
                make(d, have.get(identity(d)));
            }
        }
        for (ObjectDefinition t : have.values()) {
            if (wanted.test(identity(t)) && !want.containsKey(identity(t)) && !t.isTableEntry() && t.drop() != null) {
                run(t, List.of(t.drop()));
            }
        }
        return List.copyOf(refused);
    }

    /** "kind name": how an object is matched across databases. */
    private static String identity(ObjectDefinition o) {
        return o.describe();
    }

    /** The objects the target differs from {@code source} in, by {@link #identity}. */
    List<String> differences(ObjectSet source, Predicate<String> wanted) {
        Map<String, ObjectDefinition> have = byName(target());
        Map<String, ObjectDefinition> want = byName(source);
        List<String> out = new ArrayList<>();
        want.forEach((id, d) -> {
            if (wanted.test(id) && !sameBody(d, have.get(id))) {
                out.add(have.containsKey(id) ? id + " differs" : id + " is missing");
            }
        });
        have.forEach((id, t) -> {
            if (wanted.test(id) && !want.containsKey(id) && !t.isTableEntry()) {
                out.add(id + " is not at the source");
            }
        });
        return out;
    }

    private void make(ObjectDefinition d, ObjectDefinition old) {
        if (d.isTableEntry()) {
            alterTable(d, old);
            return;
        }
        if (old != null && old.create().equals(d.create())) {
            // only its owner, privileges or comments differ: those are changed in place
            run(d, attributes(d, old));
            return;
        }
        if (old != null && old.drop() != null && !run(old, List.of(old.drop()))) {
            // something depends on it: a function or view is replaced in place
            refused.remove(refused.size() - 1);
        }
        List<String> all = new ArrayList<>(d.create());
        all.addAll(d.owner() == null ? List.of() : List.of(d.owner()));
        all.addAll(d.acl());
        all.addAll(d.comment());
        all.addAll(d.after());
        run(d, all);
    }

    /**
     * A table's own entry: the statements it lacks, the partition it left, the options and comments it no longer has.
     */
    private void alterTable(ObjectDefinition d, ObjectDefinition old) {
        List<String> statements = new ArrayList<>();
        if (old != null && old.parent() != null && !old.parent().equals(d.parent())) {
            statements.add("ALTER TABLE " + quoted(old.parent()) + " DETACH PARTITION " + d.name());
        }
        List<String> had = old == null ? List.of() : old.create();
        for (String s : had) {
            if (!d.create().contains(s) && s.contains(" SET (")) {
                statements.add(s.replaceFirst(" SET \\((.*)\\)$", " RESET (") + optionNames(s) + ")");
            }
        }
        d.create().stream().filter(s -> !had.contains(s)).forEach(statements::add);
        statements.addAll(attributes(d, old));
        run(d, statements);
    }

    /**
     * Owner, privileges, comments and the after-statements as {@code d} has them, over {@code old}'s:
     * the comments it no longer has set to NULL, the roles its privileges no longer name revoked.
     */
    private static List<String> attributes(ObjectDefinition d, ObjectDefinition old) {
        List<String> statements = new ArrayList<>();
        if (old != null) {
            old.comment().stream()
                    .filter(c -> !d.comment().contains(c))
                    .map(c -> c.replaceFirst(" IS '(?s:.*)'$", " IS NULL"))
                    .forEach(statements::add);
            String on = aclTarget(d.acl().isEmpty() ? old.acl() : d.acl());
            if (!Objects.equals(old.acl(), d.acl()) && on != null) {
                old.roles().stream()
                        .filter(r -> !d.roles().contains(r))
                        .forEach(r -> statements.add("REVOKE ALL ON " + on + " FROM " + PostgresCatalog.quote(r)));
            }
        }
        statements.addAll(d.owner() == null ? List.of() : List.of(d.owner()));
        statements.addAll(d.acl());
        statements.addAll(d.comment());
        statements.addAll(d.after());
        return statements;
    }

    /**
     * {@code TABLE public.deals} of {@code REVOKE ALL ON TABLE public.deals FROM PUBLIC}, the first statement of an
     * ACL; null when none.
     */
    private static String aclTarget(List<String> acl) {
        return acl.isEmpty() || !acl.get(0).startsWith("REVOKE ALL ON ")
                ? null
                : acl.get(0).substring("REVOKE ALL ON ".length(), acl.get(0).lastIndexOf(" FROM "));
    }

    /** {@code a, b} of {@code ... SET (a=1, b='x y')}. */
    static String optionNames(String setStatement) {
        String inside = setStatement.substring(setStatement.indexOf(" SET (") + 6, setStatement.length() - 1);
        List<String> names = new ArrayList<>();
        for (String option : inside.split(", (?=[a-z_.]+=)")) {
            names.add(option.substring(0, option.indexOf('=')));
        }
        return String.join(", ", names);
    }

    private static String quoted(String qualified) {
        int dot = qualified.indexOf('.');
        return PostgresCatalog.quote(qualified.substring(0, dot)) + "."
                + PostgresCatalog.quote(qualified.substring(dot + 1));
    }

    private static boolean sameBody(ObjectDefinition a, ObjectDefinition b) {
        return b != null
                && a.create().equals(b.create())
                && a.after().equals(b.after())
                && Objects.equals(a.owner(), b.owner())
                && a.acl().equals(b.acl())
                && a.comment().equals(b.comment())
                && Objects.equals(a.parent(), b.parent());
    }

    private static Map<String, ObjectDefinition> byName(ObjectSet set) {
        Map<String, ObjectDefinition> out = new HashMap<>();
        set.all().forEach(o -> out.put(identity(o), o));
        return out;
    }

    private boolean run(ObjectDefinition o, List<String> statements) {
        String why = Savepoints.run(connection, statements);
        if (why != null) {
            refused.add(o.describe() + ": " + why);
        }
        return why == null;
    }
}
