package dev.backtrack.connectors.postgres;

import dev.backtrack.connectors.SourceException;
import dev.backtrack.connectors.target.ObjectPasses;
import dev.backtrack.connectors.target.ObjectRestore;
import dev.backtrack.repository.objects.ObjectDefinition;
import dev.backtrack.repository.objects.ObjectSet;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Makes the source's objects on a PostgreSQL target, each under a savepoint: one that needs something
 * not made yet (a function whose signature names a table, a view on a later view) is tried again
 * after the rest of its phase and in the following phases, so no dependency order needs to be
 * computed. Owners, privileges and comments come last, as in pg_restore. Not thread-safe (the
 * target's connection).
 */
final class PostgresObjectRestore implements ObjectRestore {
    private final Connection connection;
    private final List<ObjectDefinition> objects;
    private final List<String> leftOut = new ArrayList<>();
    private final Options options;
    private final boolean partial;
    private final List<ObjectDefinition> pending = new ArrayList<>();
    private final Map<String, String> failures = new LinkedHashMap<>();
    private final List<ObjectDefinition> made = new ArrayList<>();
    // what the target had before: an undo leaves it (public, an extension a DBA created for the restore)
    private final Set<String> existingExtensions;
    private final Set<String> existingSchemas;

    PostgresObjectRestore(Connection connection, ObjectSet set, Options options, Scope scope) {
        this.connection = connection;
        this.options = options;
        this.partial = scope.partial();
        Set<String> tables = set.all().stream()
                .filter(ObjectDefinition::isTableEntry)
                .map(ObjectDefinition::table)
                .collect(Collectors.toSet());
        List<ObjectDefinition> kept = new ArrayList<>();
        for (ObjectDefinition o : set.ordered()) {
            if (o.table() != null
                    && tables.contains(o.table())
                    && !scope.restored().contains(o.table())) {
                // belongs to a table the restore does not make (left out, or never captured)
                if (o.isTableEntry()) {
                    leftOut.add("left out: table " + o.name() + " (not captured: no rows of it are in the repository)");
                }
                continue;
            }
            if ((!options.privileges() && o.kind().equals("default privileges"))
                    || options.deferred().contains(o.kind())) {
                continue;
            }
            kept.add(o);
        }
        this.objects = kept;
        PostgresTargetCatalog target = new PostgresTargetCatalog(connection);
        this.existingExtensions = target.extensions();
        this.existingSchemas = target.schemas();
    }

    @Override
    public void check() {
        PostgresTargetCatalog target = new PostgresTargetCatalog(connection);
        for (ObjectDefinition o : objects) {
            if (o.extension() != null
                    && !existingExtensions.contains(o.extension().name())) {
                target.checkExtensionAvailable(
                        o.extension().name(), o.extension().version());
            }
        }
        Set<String> owners = new TreeSet<>();
        Set<String> roles = new TreeSet<>();
        for (ObjectDefinition o : objects) {
            if (options.owners() && o.ownerRole() != null) {
                owners.add(o.ownerRole());
            }
            // policies name their roles whatever is left out; privileges only when they are restored
            if (options.privileges() || o.kind().equals("policy")) {
                roles.addAll(o.roles());
            }
        }
        roles.addAll(owners);
        target.checkRoles(roles, owners);
    }

    @Override
    public void make(String phase) {
        List<ObjectDefinition> todo = new ArrayList<>(pending);
        objects.stream().filter(o -> o.phase().equals(phase)).forEach(todo::add);
        pending.clear();
        pending.addAll(ObjectPasses.make(todo, o -> {
            if (!run(o, o.create())) {
                return false;
            }
            made.add(o);
            failures.remove(o.key());
            return true;
        }));
    }

    @Override
    public List<String> finish() {
        List<String> notes = new ArrayList<>(leftOut);
        notes.addAll(ObjectPasses.refused(
                pending,
                failures,
                partial,
                "restore into a new, empty database of the same PostgreSQL major version with the "
                        + "extensions the source has"));
        // a sequence linked to a table takes the table's owner along, and may not be given one before it
        List<ObjectDefinition> ownersOrder = new ArrayList<>(made);
        ownersOrder.sort(Comparator.comparing((ObjectDefinition o) -> o.kind().equals("sequence")));
        if (options.owners()) {
            requireAll(ownersOrder, o -> o.owner() == null ? List.of() : List.of(o.owner()));
        }
        if (options.privileges()) {
            requireAll(made, ObjectDefinition::acl);
        }
        requireAll(made, ObjectDefinition::after);
        requireAll(made, ObjectDefinition::comment);
        return notes;
    }

    /**
     * Statements that must succeed once the objects exist (owners, privileges, comments): all in one
     * round trip, and one object at a time only to name the one the target refused.
     */
    private void requireAll(List<ObjectDefinition> objects, Function<ObjectDefinition, List<String>> statements) {
        List<String> all = new ArrayList<>();
        objects.forEach(o -> all.addAll(statements.apply(o)));
        if (Savepoints.run(connection, all) == null) {
            return;
        }
        for (ObjectDefinition o : objects) {
            if (!run(o, statements.apply(o))) {
                throw new SourceException(
                        "the target refused to finish " + o.describe() + " (" + failures.get(o.key()) + ")");
            }
        }
    }

    /** Runs an object's statements under a savepoint; false (and rolled back) when the target refused one. */
    private boolean run(ObjectDefinition o, List<String> statements) {
        String refused = Savepoints.run(connection, statements);
        if (refused != null) {
            failures.put(o.key(), refused);
        }
        return refused == null;
    }

    @Override
    public void undo() {
        for (int i = made.size() - 1; i >= 0; i--) {
            ObjectDefinition o = made.get(i);
            boolean keep = o.drop() == null
                    || (o.extension() != null
                            && existingExtensions.contains(o.extension().name()))
                    || (o.kind().equals("schema") && existingSchemas.contains(o.schema()));
            if (!keep) {
                run(o, List.of(o.drop().startsWith("DROP ") ? o.drop() + " CASCADE" : o.drop()));
            }
        }
        made.clear();
    }

    @Override
    public Map<String, Integer> counts() {
        Map<String, Integer> out = new TreeMap<>();
        made.stream().filter(o -> !o.isTableEntry()).forEach(o -> out.merge(o.kind(), 1, Integer::sum));
        return out;
    }
}
