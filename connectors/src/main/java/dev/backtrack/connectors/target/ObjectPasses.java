package dev.backtrack.connectors.target;

import dev.backtrack.connectors.SourceException;
import dev.backtrack.repository.objects.ObjectDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * How an engine's {@link ObjectRestore} makes a phase's objects without knowing their dependencies:
 * in passes, and what stays refused is reported the same way on every engine. Thread-safe (stateless).
 */
public final class ObjectPasses {
    private ObjectPasses() {}

    /**
     * Makes each object with {@code make} (false: the target refused it); one refused, which may need
     * another made later in the same pass, is tried again while a pass still makes one. Returns those
     * still refused.
     */
    public static List<ObjectDefinition> make(List<ObjectDefinition> todo, Predicate<ObjectDefinition> make) {
        boolean progress = true;
        while (!todo.isEmpty() && progress) {
            progress = false;
            List<ObjectDefinition> failed = new ArrayList<>();
            for (ObjectDefinition o : todo) {
                if (make.test(o)) {
                    progress = true;
                } else {
                    failed.add(o);
                }
            }
            todo = failed;
        }
        return todo;
    }

    /**
     * The notes for the objects still refused ({@code why}: the target's reason by key): each left out
     * when the restore leaves tables out ({@code partial}), else the restore fails on the first with {@code fix}.
     */
    public static List<String> refused(
            List<ObjectDefinition> refused, Map<String, String> why, boolean partial, String fix) {
        List<String> notes = new ArrayList<>();
        for (ObjectDefinition o : refused) {
            if (!partial) {
                throw new SourceException("the target refused " + o.describe() + " (" + why.get(o.key()) + "): " + fix);
            }
            notes.add("left out: " + o.describe() + " (" + why.get(o.key()) + ")");
        }
        return notes;
    }
}
