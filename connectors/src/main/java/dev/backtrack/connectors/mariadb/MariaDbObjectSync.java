package dev.backtrack.connectors.mariadb;

import dev.backtrack.connectors.SourceException;
import dev.backtrack.connectors.target.ChangeApplier;
import dev.backtrack.repository.objects.ObjectDefinition;
import dev.backtrack.repository.objects.ObjectSet;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Brings the views, routines, triggers and events of a MariaDB/MySQL migration target in line with
 * the source's definitions, matched by kind and name: one that differs (its definer and an event's
 * state aside, which the migration sets) is dropped and made again, one the source no longer has is
 * dropped. Tables are not made here: their DDL is replayed, and a table that still differs is only
 * reported. Objects run as the migrating user; events are made disabled. MariaDB commits DDL at once.
 * Not thread-safe (the target's connection).
 */
final class MariaDbObjectSync {
    private final Connection connection;
    private final String database;
    private final List<String> refused = new ArrayList<>();
    private final ObjectSession session;

    MariaDbObjectSync(Connection connection, String database) {
        this.connection = connection;
        this.database = database;
        this.session = new ObjectSession(connection);
    }

    /**
     * Makes every object {@code wanted} selects as in {@code source}; returns what the target refused, one line each.
     */
    List<String> sync(ObjectSet source, Predicate<String> wanted) {
        Map<String, ObjectDefinition> have = byName(MariaDbObjects.read(connection, database));
        Map<String, ObjectDefinition> want = byName(source);
        for (ObjectDefinition d : source.ordered()) {
            ObjectDefinition old = have.get(d.describe());
            if (wanted.test(d.describe()) && !d.isTableEntry() && !same(d, old)) {
                if (old != null) {
                    run(old, List.of(old.drop()));
                }
                run(d, MariaDbObjectRestore.statements(d, null, false));
            }
        }
        for (ObjectDefinition t : have.values()) {
            if (wanted.test(t.describe()) && !want.containsKey(t.describe()) && !t.isTableEntry()) {
                run(t, List.of(t.drop()));
            }
        }
        return List.copyOf(refused);
    }

    /** The objects (tables too) the target differs from {@code source} in, by kind and name. */
    List<String> differences(ObjectSet source, Predicate<String> wanted) {
        Map<String, ObjectDefinition> have = byName(MariaDbObjects.read(connection, database));
        Map<String, ObjectDefinition> want = byName(source);
        List<String> out = new ArrayList<>();
        want.forEach((id, d) -> {
            if (wanted.test(id) && !same(d, have.get(id))) {
                out.add(
                        have.containsKey(id)
                                ? id + " differs: " + firstDifference(d, have.get(id))
                                : id + " is missing");
            }
        });
        have.forEach((id, t) -> {
            // the migration's own progress table is not the source's
            if (wanted.test(id)
                    && !want.containsKey(id)
                    && !t.name().equals(MariaDbTypes.ident(ChangeApplier.STATE_TABLE))) {
                out.add(id + " is not at the source");
            }
        });
        return out;
    }

    /** The first line where the source's text and the target's part: what a DBA needs to see. */
    private static String firstDifference(ObjectDefinition source, ObjectDefinition target) {
        String[] a = String.join("\n", MariaDbObjectRestore.comparable(source)).split("\n");
        String[] b = String.join("\n", MariaDbObjectRestore.comparable(target)).split("\n");
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i].strip() : "(nothing)";
            String y = i < b.length ? b[i].strip() : "(nothing)";
            if (!x.equals(y)) {
                return "the source has " + x + " where the target has " + y;
            }
        }
        return "";
    }

    private static boolean same(ObjectDefinition a, ObjectDefinition b) {
        return b != null && MariaDbObjectRestore.comparable(a).equals(MariaDbObjectRestore.comparable(b));
    }

    private static Map<String, ObjectDefinition> byName(ObjectSet set) {
        Map<String, ObjectDefinition> out = new HashMap<>();
        set.all().forEach(o -> out.put(o.describe(), o));
        return out;
    }

    /**
     * Runs an object's statements (the session set back after them); what the target refused goes to {@link #refused}.
     */
    private void run(ObjectDefinition o, List<String> statements) {
        try {
            String why = session.run(statements);
            if (why != null) {
                refused.add(o.describe() + ": " + why);
            }
        } catch (SourceException e) {
            refused.add(o.describe() + ": " + e.getMessage());
        }
    }
}
