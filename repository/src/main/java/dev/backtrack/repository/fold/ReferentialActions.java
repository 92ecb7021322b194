package dev.backtrack.repository.fold;

import dev.backtrack.config.Engine;
import dev.backtrack.repository.codec.RowCodec;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.schema.TableSchema;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a fold of a binlog source's log needs to apply the foreign key rules the binlog left out
 * ({@link Cascades}): every parent delete and key change a CASCADE or SET NULL rule reacts to, at
 * its place in the log, and when each row of a child table last changed. Not thread-safe.
 */
public final class ReferentialActions {
    /** A parent's delete, or its key change to {@code newValues}, at {@code order} in the log. */
    record Hit(long order, boolean deleted, Object[] newValues) {}

    private final boolean on;
    private Map<String, List<ForeignKeyAction>> byParent = Map.of();
    private Set<String> children = Set.of();
    // per foreign key, per referenced key (encoded): the hits on it, oldest first
    final Map<ForeignKeyAction, Map<RowKey, List<Hit>>> hits = new HashMap<>();
    // per child table, per row key: the log order of its last change
    final Map<String, Map<RowKey, Long>> lastChange = new HashMap<>();
    private long count;

    private ReferentialActions(boolean on) {
        this.on = on;
    }

    /**
     * Records for MariaDB and MySQL sources, whose binlog lacks the rows the rules change; nothing for PostgreSQL,
     * whose log has them.
     */
    public static ReferentialActions forEngine(Engine engine) {
        return new ReferentialActions(engine.binlog());
    }

    public static ReferentialActions off() {
        return new ReferentialActions(false);
    }

    /** Parent deletes and key changes recorded (and those the rules caused, once resolved). */
    public long hitCount() {
        return count;
    }

    /** Re-reads which tables are parents and children of a rule, from the tables' current versions. */
    void tablesChanged(Collection<TableFold> tables) {
        if (!on) {
            return;
        }
        Map<String, List<ForeignKeyAction>> parents = new HashMap<>();
        Set<String> kids = new HashSet<>();
        for (TableFold f : tables) {
            for (ForeignKeyAction fk : ForeignKeyAction.of(f.schema())) {
                parents.computeIfAbsent(fk.parent(), k -> new ArrayList<>()).add(fk);
                kids.add(fk.child());
            }
        }
        byParent = parents;
        children = kids;
    }

    List<ForeignKeyAction> referencing(String parent) {
        return byParent.getOrDefault(parent, List.of());
    }

    /**
     * Notes a change of {@code f} (already applied) at {@code order}: a child row's time, a parent's delete or key
     * change.
     */
    void record(long order, TableFold f, RowChange c) {
        if (!on) {
            return;
        }
        String table = f.schema().qualifiedName();
        if (children.contains(table)) {
            Map<RowKey, Long> times = lastChange.computeIfAbsent(table, k -> new HashMap<>());
            if (c.after() != null) {
                times.put(new RowKey(f.keyBytes(c.after())), order);
            }
            if (c.before() != null) {
                times.put(new RowKey(f.keyBytes(c.before())), order);
            }
        }
        for (ForeignKeyAction fk : referencing(table)) {
            parentChanged(fk, f.schema(), order, c.before(), c.op() == Op.DELETE ? null : c.after());
        }
    }

    /**
     * Records a hit on {@code fk} when a parent row was deleted ({@code after} null) or its referenced
     * columns changed; returns whether it did.
     */
    boolean parentChanged(ForeignKeyAction fk, TableSchema parent, long order, Object[] before, Object[] after) {
        boolean deleted = after == null;
        int[] columns = ForeignKeyAction.positions(parent, fk.parentColumns());
        if (before == null
                || columns == null
                || fk.rule(deleted) == ForeignKeyAction.Rule.NONE
                || hasNull(before, columns)) {
            return false;
        }
        RowKey old = new RowKey(RowCodec.key(before, columns));
        Object[] now = null;
        if (!deleted) {
            if (old.equals(new RowKey(RowCodec.key(after, columns)))) {
                return false;
            }
            now = new Object[columns.length];
            for (int i = 0; i < columns.length; i++) {
                now[i] = after[columns[i]];
            }
        }
        List<Hit> list = hits.computeIfAbsent(fk, k -> new HashMap<>()).computeIfAbsent(old, k -> new ArrayList<>());
        Hit hit = new Hit(order, deleted, now);
        int at = list.size();
        // hits a rule caused are found after later ones from the log: keep the list in log order
        while (at > 0 && list.get(at - 1).order() > order) {
            at--;
        }
        list.add(at, hit);
        count++;
        return true;
    }

    static boolean hasNull(Object[] row, int[] columns) {
        for (int c : columns) {
            if (row[c] == null) {
                return true;
            }
        }
        return false;
    }
}
