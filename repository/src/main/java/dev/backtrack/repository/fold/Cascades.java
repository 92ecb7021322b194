package dev.backtrack.repository.fold;

import dev.backtrack.repository.codec.RowCodec;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Applies to a fold the rows a binlog source's foreign key rules changed, which the binlog does not
 * hold: a child row that referenced a parent key when that key was deleted or changed (its last change
 * came before, in log order) is deleted (ON DELETE CASCADE), given nulls (SET NULL) or the new key
 * (ON UPDATE CASCADE), as InnoDB did at that point. What a rule changed can hit further children in
 * turn; a table is read again until nothing more changes. Not thread-safe.
 */
public final class Cascades {
    private static final int MAX_PASSES = 100_000;

    private final ReferentialActions actions;
    private final Map<String, TableFold> tables;
    private final Set<String> work = new LinkedHashSet<>();
    private long changed;

    private Cascades(ReferentialActions actions, Map<String, TableFold> tables) {
        this.actions = actions;
        this.tables = tables;
    }

    /** A row a rule changed: as it was, as it is now (null: deleted), and the log order of the change. */
    private record Change(Object[] before, Object[] after, long order) {}

    /**
     * Changes the fold's child tables as the rules did; returns how many rows they changed.
     *
     * @param tables   the fold's tables by qualified name, holding the state from a full checkpoint on
     * @param fullRows a table's rows in the full checkpoint the fold continues (key order)
     * @param applied  also told of each change made (a delta checkpoint's own fold takes them too)
     */
    public static long resolve(
            ReferentialActions actions,
            Map<String, TableFold> tables,
            Function<TableFold, Iterator<Map.Entry<byte[], Object[]>>> fullRows,
            BiConsumer<String, RowChange> applied) {
        if (actions.hitCount() == 0) {
            return 0;
        }
        Cascades c = new Cascades(actions, tables);
        actions.tablesChanged(tables.values());
        actions.hits.keySet().forEach(fk -> c.work.add(fk.child()));
        int passes = 0;
        while (!c.work.isEmpty()) {
            String child = c.work.iterator().next();
            c.work.remove(child);
            TableFold f = tables.get(child);
            if (f != null) {
                c.pass(f, fullRows, applied);
            }
            if (++passes > MAX_PASSES) {
                throw new FoldException("the foreign key rules of " + child + " did not settle after " + MAX_PASSES
                        + " passes: report this with the repository's log");
            }
        }
        return c.changed;
    }

    /** Reads the child table once, then applies what the rules did to its rows. */
    private void pass(
            TableFold f,
            Function<TableFold, Iterator<Map.Entry<byte[], Object[]>>> fullRows,
            BiConsumer<String, RowChange> applied) {
        String table = f.schema().qualifiedName();
        List<ForeignKeyAction> keys = actions.hits.keySet().stream()
                .filter(fk -> fk.child().equals(table))
                .toList();
        List<int[]> columns = keys.stream()
                .map(fk -> ForeignKeyAction.positions(f.schema(), fk.childColumns()))
                .toList();
        Map<RowKey, Long> times = actions.lastChange.computeIfAbsent(table, k -> new HashMap<>());
        List<Change> changes = new ArrayList<>();
        f.merge(fullRows.apply(f), row -> {
            Change c = follow(keys, columns, row, times.getOrDefault(new RowKey(f.keyBytes(row)), Long.MIN_VALUE));
            if (c != null) {
                changes.add(c);
            }
        });
        for (Change c : changes) {
            RowChange rc = c.after() == null
                    ? new RowChange(f.schema().id(), Op.DELETE, c.before(), null)
                    : new RowChange(f.schema().id(), Op.UPDATE, c.before(), c.after());
            f.apply(rc);
            applied.accept(table, rc);
            times.put(new RowKey(f.keyBytes(c.after() == null ? c.before() : c.after())), c.order());
            changed++;
            hitReferencing(f, c);
        }
    }

    /**
     * Applies to one row, in log order, the hits on the keys it references from its last change on.
     * Hits at one place in the log come from one statement (what a rule causes takes its cause's place):
     * they act together, and a delete among them wins, as it does in InnoDB whichever rule runs first.
     * A hit at the row's own place is one this row has not taken yet: a rule that changed the row set
     * the key it followed to null or to the new key, and a logged change of the row can be hit at its
     * own place only through the row's reference to itself.
     */
    private Change follow(List<ForeignKeyAction> keys, List<int[]> columns, Object[] row, long since) {
        Object[] now = row;
        long at = since;
        long from = since;
        while (true) {
            long next = nextHit(keys, columns, now, from);
            if (next == Long.MAX_VALUE) {
                return at == since && now == row ? null : new Change(row, now, at);
            }
            Object[] changed = now.clone();
            for (int i = 0; i < keys.size(); i++) {
                ReferentialActions.Hit h = hitAt(keys.get(i), columns.get(i), now, next);
                if (h == null) {
                    continue;
                }
                ForeignKeyAction.Rule rule = keys.get(i).rule(h.deleted());
                if (rule == ForeignKeyAction.Rule.CASCADE && h.deleted()) {
                    return new Change(row, null, next);
                }
                int[] cols = columns.get(i);
                for (int j = 0; j < cols.length; j++) {
                    changed[cols[j]] = rule == ForeignKeyAction.Rule.SET_NULL ? null : h.newValues()[j];
                }
            }
            now = changed;
            at = next;
            from = next + 1;
        }
    }

    /** The earliest place at or after {@code from} of a hit on a key the row references now; MAX_VALUE when none. */
    private long nextHit(List<ForeignKeyAction> keys, List<int[]> columns, Object[] row, long from) {
        long next = Long.MAX_VALUE;
        for (int i = 0; i < keys.size(); i++) {
            List<ReferentialActions.Hit> list = hitsOn(keys.get(i), columns.get(i), row);
            if (list != null) {
                for (ReferentialActions.Hit h : list) {
                    if (h.order() >= from) {
                        next = Math.min(next, h.order());
                        break;
                    }
                }
            }
        }
        return next;
    }

    private ReferentialActions.Hit hitAt(ForeignKeyAction fk, int[] cols, Object[] row, long order) {
        List<ReferentialActions.Hit> list = hitsOn(fk, cols, row);
        if (list != null) {
            for (ReferentialActions.Hit h : list) {
                if (h.order() == order) {
                    return h;
                }
            }
        }
        return null;
    }

    /** The hits on the key the row references through {@code fk}, oldest first; null when it references none. */
    private List<ReferentialActions.Hit> hitsOn(ForeignKeyAction fk, int[] cols, Object[] row) {
        if (cols == null || ReferentialActions.hasNull(row, cols)) {
            return null;
        }
        return actions.hits.get(fk).get(new RowKey(RowCodec.key(row, cols)));
    }

    /** A row the rules deleted or changed is a parent's change in turn: its own children are read again. */
    private void hitReferencing(TableFold f, Change c) {
        for (ForeignKeyAction fk : actions.referencing(f.schema().qualifiedName())) {
            if (actions.parentChanged(fk, f.schema(), c.order(), c.before(), c.after())) {
                work.add(fk.child());
            }
        }
    }
}
