package dev.backtrack.connectors.target;

import dev.backtrack.repository.objects.ObjectDefinition;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes the source's objects beyond its tables (views, functions, triggers, ...) on a restore's
 * target, in the restore's transactions: {@link #check} before anything is written, then
 * {@link #make} for each phase ({@link ObjectDefinition#PRE} before the tables, {@link
 * ObjectDefinition#TABLE} once they exist, {@link ObjectDefinition#POST} after rows, keys and
 * indexes), then {@link #finish}. Not thread-safe.
 */
public interface ObjectRestore {

    /**
     * What a restore leaves out: owners and privileges, as pg_restore's --no-owner and --no-privileges
     * do, and objects of the {@code deferred} kinds (a migration makes its triggers and rules at cutover,
     * so they do not fire again on the changes it applies). MariaDB/MySQL: {@code definer} is the
     * account views, routines, triggers and events run as (null: the restoring user; {@link #KEEP}: the
     * source's), and events are made disabled unless {@code enableEvents}.
     */
    record Options(boolean owners, boolean privileges, Set<String> deferred, String definer, boolean enableEvents) {
        public static final String KEEP = "keep";
        public static final Options ALL = new Options(true, true, Set.of(), null, false);

        public Options(boolean owners, boolean privileges) {
            this(owners, privileges, Set.of(), null, false);
        }

        /** The same, with objects of these kinds left for later. */
        public Options deferring(Set<String> kinds) {
            return new Options(owners, privileges, kinds, definer, enableEvents);
        }

        /** The same, with this definer and events enabled or not. */
        public Options binlog(String newDefiner, boolean events) {
            return new Options(owners, privileges, deferred, newDefiner, events);
        }
    }

    /**
     * @param restored the tables the restore makes (qualified names); an object of another table is left out
     * @param partial  the restore leaves tables out, so an object that needs one of them is a note, not an error
     */
    record Scope(Set<String> restored, boolean partial) {}

    /** Refuses, before anything is written, a target that lacks what the objects need (an extension, a role). */
    void check();

    /** Makes the objects of one phase, and again those of earlier phases that needed something not made yet. */
    void make(String phase);

    /** Gives owners, privileges and comments, runs what waits for everything else; returns notes for the report. */
    List<String> finish();

    /** Drops what {@link #make} made, after a failed restore that committed it. */
    void undo();

    /** The objects a target of the other engine leaves out, one line each; known before anything is made. */
    default List<String> leftOut() {
        return List.of();
    }

    /** The objects that were made (or, for a target that cannot take them, left out), by kind. */
    Map<String, Integer> counts();

    /** For a restore without object definitions (a checkpoint from before they were kept). */
    ObjectRestore NONE = new ObjectRestore() {
        public void check() {}

        public void make(String phase) {}

        public List<String> finish() {
            return List.of();
        }

        public void undo() {}

        public Map<String, Integer> counts() {
            return Map.of();
        }
    };
}
