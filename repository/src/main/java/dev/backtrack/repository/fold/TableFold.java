package dev.backtrack.repository.fold;

import dev.backtrack.repository.codec.RowCodec;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.RowSize;
import dev.backtrack.repository.model.Unavailable;
import dev.backtrack.repository.schema.TableSchema;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One table's net change over a stretch of log: per key, the last row image (or a deletion), so a
 * restore loads only the state at the target instant. A table without a primary key is kept as a
 * multiset of whole rows. Not thread-safe.
 */
public final class TableFold {
    /** Net state of one key: the row now, or deleted; for keyless tables, a count of copies added or removed. */
    static final class Entry {
        Object[] row;
        boolean deleted;
        int copies;
        long size;
        /** This key's state in the merge numbered {@link #pendingMerge}, so a merge needs no map of its own. */
        Pending pending;

        long pendingMerge;

        NetState state(RowKey key) {
            return new NetState(key.bytes, row, deleted, copies);
        }
    }

    private final TableSchema base;
    private TableSchema schema;
    private int[] key;
    private boolean keyless;
    private Map<RowKey, Entry> entries = new HashMap<>();
    private final List<Evolution> evolutions = new ArrayList<>();
    private boolean truncated;
    private long changes;
    private final FoldMemory memory;
    // estimated bytes of the entries in memory; spilled runs hold the rest, oldest first
    private long bytes;
    private final List<NetStates> runs = new ArrayList<>();
    // set by a change whose rows PostgreSQL rewrote; cleared when the table's whole content follows (TRUNCATE + rows)
    private String lost;
    // numbers each merge, so the entries' pending states of an earlier merge are never taken for this one's
    private long merges;

    public TableFold(TableSchema schema) {
        this(schema, new FoldMemory(Long.MAX_VALUE, null));
    }

    public TableFold(TableSchema schema, FoldMemory memory) {
        this.memory = memory;
        this.base = schema;
        this.schema = schema;
        this.key = schema.keyColumns();
        this.keyless = schema.primaryKey().isEmpty();
    }

    /** The version the table is at now. */
    public TableSchema schema() {
        return schema;
    }

    /** The version the fold started from: the one the checkpoint's rows have. */
    public TableSchema base() {
        return base;
    }

    /**
     * Moves the fold to another version of the table (after DDL): rows kept so far are converted by
     * column number and keyed anew; checkpoint rows are converted when merged.
     *
     * @param statement the DDL that made the version, when known
     */
    public void evolve(TableSchema next, String statement) {
        if (next.id() == schema.id()) {
            return;
        }
        Evolution e = Evolution.between(schema, next, statement);
        if (e.problem() != null) {
            // the rows as PostgreSQL rewrote them follow in the same transaction when the DDL trigger logged them
            forgetAll();
            lost = e.problem();
            schema = next;
            key = next.keyColumns();
            keyless = next.primaryKey().isEmpty();
            evolutions.add(e);
            return;
        }
        boolean sameKey =
                !keyless && !next.primaryKey().isEmpty() && keyAttnums(schema).equals(keyAttnums(next));
        if (!runs.isEmpty()) {
            if (!sameKey) {
                throw new FoldException("the key of " + next.qualifiedName()
                        + " changed after more changes than fit in memory: restore to a checkpoint"
                        + " taken after that change, or give the restore more heap (-Xmx)");
            }
            evolveRuns(e);
        }
        Map<RowKey, Entry> old = entries;
        schema = next;
        key = next.keyColumns();
        keyless = next.primaryKey().isEmpty();
        entries = new HashMap<>();
        for (Map.Entry<RowKey, Entry> x : old.entrySet()) {
            Entry v = x.getValue();
            if (v.row == null) {
                if (!sameKey) {
                    throw new FoldException("the key of " + next.qualifiedName()
                            + " changed after rows were deleted from it:"
                            + " restoring across that change is not supported");
                }
                entries.put(x.getKey(), v);
                continue;
            }
            memory.add(-v.size);
            bytes -= v.size;
            v.size = 0;
            v.row = e.apply(v.row);
            // with an unchanged primary key the key bytes stay the same; otherwise rows are keyed anew
            RowKey k = sameKey ? x.getKey() : keyOf(v.row);
            Entry merged = entries.get(k);
            if (merged != null && keyless) {
                merged.copies += v.copies;
            } else {
                entries.put(k, v);
                account(k, v);
            }
        }
        evolutions.add(e);
    }

    /** Rewrites each run in the new version, streaming (a delta checkpoint's run may exceed the memory budget). */
    private void evolveRuns(Evolution e) {
        for (int i = 0; i < runs.size(); i++) {
            NetStates old = runs.get(i);
            Iterator<NetState> states = old.read();
            Iterator<NetState> moved = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return states.hasNext();
                }

                @Override
                public NetState next() {
                    NetState st = states.next();
                    return st.row() == null ? st : new NetState(st.key(), e.apply(st.row()), st.deleted(), st.copies());
                }
            };
            runs.set(i, FoldRun.write(memory.nextRunFile(), moved, memory.scratchKey()));
            old.delete();
        }
    }

    private void forgetAll() {
        entries = new HashMap<>();
        memory.add(-bytes);
        bytes = 0;
        runs.forEach(NetStates::delete);
        runs.clear();
    }

    /** Keeps the estimated size of an entry (key, row, bookkeeping) in the table's and the fold's count. */
    private void account(RowKey k, Entry e) {
        long size = 64 + k.bytes.length + RowSize.of(e.row);
        memory.add(size - e.size);
        bytes += size - e.size;
        e.size = size;
    }

    /** Estimated bytes this table holds in memory. */
    long bytesInMemory() {
        return bytes;
    }

    /** Writes the entries in memory to a sorted run on disk and forgets them. */
    void spill() {
        if (entries.isEmpty()) {
            return;
        }
        List<NetState> states = new ArrayList<>(entries.size());
        for (Map.Entry<RowKey, Entry> x : entries.entrySet()) {
            states.add(x.getValue().state(x.getKey()));
        }
        entries = new HashMap<>();
        memory.add(-bytes);
        bytes = 0;
        runs.add(FoldRun.write(memory.nextRunFile(), FoldRun.sort(states), memory.scratchKey()));
    }

    private static List<Integer> keyAttnums(TableSchema s) {
        List<Integer> out = new ArrayList<>();
        for (int c : s.keyColumns()) {
            out.add(s.columns().get(c).attnum());
        }
        return out;
    }

    public boolean truncated() {
        return truncated;
    }

    /**
     * Adds net states newer than everything folded so far (a delta checkpoint's table, keyed in the
     * fold's current version); they are merged by key, like a spilled run, and never held in memory.
     */
    public void addStates(NetStates newer) {
        spill();
        runs.add(newer);
    }

    /** Drops the table's content so far, as a TRUNCATE does; what follows is its whole content. */
    public void truncate() {
        forgetAll();
        lost = null;
        truncated = true;
    }

    /** True when nothing changed the table: no row, no new version, no TRUNCATE. */
    public boolean untouched() {
        return changes == 0 && runs.isEmpty() && entries.isEmpty() && evolutions.isEmpty() && !truncated;
    }

    /** Why the table's content cannot be derived (a rewrite whose rows the log lacks), or null. */
    public String lost() {
        return lost;
    }

    /** The ids of the versions the table moved through, oldest first (empty when it kept its version). */
    public List<Integer> versions() {
        return evolutions.stream().map(e -> e.to().id()).toList();
    }

    /** Every key's net state, in key order: runs and memory combined. */
    public Iterator<NetState> netStates() {
        return SortedMerge.combined(sortedSources(), MergeRule.of(keyless));
    }

    public long changes() {
        return changes;
    }

    public void apply(RowChange c) {
        changes++;
        switch (c.op()) {
            case INSERT -> put(c.after(), null);
            case UPDATE -> {
                if (keyless) {
                    remove(c.before());
                    put(c.after(), c.before());
                } else {
                    if (c.before() != null) {
                        RowKey old = keyOf(c.before());
                        if (!old.equals(keyOf(c.after()))) {
                            markDeleted(old);
                        }
                    }
                    put(c.after(), c.before());
                }
            }
            case DELETE -> remove(c.before());
            case TRUNCATE -> truncate();
            case MESSAGE -> throw new FoldException("a message is not a change of table " + schema.qualifiedName());
        }
    }

    private RowKey keyOf(Object[] row) {
        return new RowKey(RowCodec.key(row, key));
    }

    private void put(Object[] row, Object[] before) {
        RowKey k = keyOf(row);
        Entry e = entries.get(k);
        if (keyless) {
            if (e == null) {
                e = new Entry();
                entries.put(k, e);
            }
            e.row = resolve(row, before);
            e.copies++;
            account(k, e);
            return;
        }
        Object[] previous = e != null && !e.deleted ? e.row : before;
        if (e == null) {
            e = new Entry();
            entries.put(k, e);
        }
        e.row = resolve(row, previous);
        e.deleted = false;
        account(k, e);
    }

    private void remove(Object[] before) {
        if (before == null) {
            throw new FoldException("a delete on " + schema.qualifiedName()
                    + " carries no old row: capture it with REPLICA IDENTITY DEFAULT or FULL");
        }
        if (keyless) {
            RowKey k = keyOf(before);
            Entry e = entries.computeIfAbsent(k, x -> new Entry());
            if (e.row == null) {
                e.row = before;
                account(k, e);
            }
            e.copies--;
        } else {
            markDeleted(keyOf(before));
        }
    }

    private void markDeleted(RowKey k) {
        Entry e = entries.computeIfAbsent(k, x -> new Entry());
        e.row = null;
        e.deleted = true;
        account(k, e);
    }

    /** Fills unavailable (unchanged TOAST) values from the previous image, when there is one. */
    static Object[] resolve(Object[] row, Object[] previous) {
        if (previous == null) {
            return row;
        }
        Object[] out = null;
        for (int i = 0; i < row.length; i++) {
            if (row[i] == Unavailable.VALUE && i < previous.length && previous[i] != Unavailable.VALUE) {
                if (out == null) {
                    out = row.clone();
                }
                out[i] = previous[i];
            }
        }
        return out == null ? row : out;
    }

    /**
     * Streams the table's state: checkpoint rows (ignored after a TRUNCATE) with the fold applied,
     * and the rows the log added. One pass over the checkpoint rows: each is moved to the current
     * table version and meets its key's state ({@link MergeRule}). The states are found in memory
     * ({@link InMemoryStates}), or, once the fold spilled, in key order ({@link SortedStates}), and the
     * checkpoint rows must then come in key order too. Fails on a value the log never carried. The
     * fold stays as it was.
     */
    public void merge(Iterator<Map.Entry<byte[], Object[]>> checkpointRows, Consumer<Object[]> sink) {
        if (lost != null) {
            throw new FoldException(lost);
        }
        MergeRule rule = MergeRule.of(keyless);
        StateLookup states = runs.isEmpty()
                ? new InMemoryStates(entries, ++merges)
                : new SortedStates(schema.qualifiedName(), netStates());
        Consumer<Pending> unmatched = state -> rule.rest(state, this, sink);
        Iterator<Map.Entry<byte[], Object[]>> rows = truncated ? Collections.emptyIterator() : checkpointRows;
        while (rows.hasNext()) {
            Map.Entry<byte[], Object[]> cp = current(rows.next());
            rule.checkpointRow(cp.getValue(), states.find(cp.getKey(), unmatched), this, sink);
        }
        states.rest(unmatched);
    }

    /** The runs, oldest first, then the entries in memory as the newest run (sorted, not written). */
    private List<Iterator<NetState>> sortedSources() {
        List<Iterator<NetState>> out = new ArrayList<>();
        for (NetStates r : runs) {
            out.add(r.read());
        }
        List<NetState> now = new ArrayList<>(entries.size());
        for (Map.Entry<RowKey, Entry> x : entries.entrySet()) {
            now.add(x.getValue().state(x.getKey()));
        }
        out.add(FoldRun.sort(now).iterator());
        return out;
    }

    /**
     * A checkpoint row (key, row) as the fold's current table version has it: each definition change
     * applied, keyed anew if any was. The only place a checkpoint row is moved to the current version.
     */
    private Map.Entry<byte[], Object[]> current(Map.Entry<byte[], Object[]> checkpointRow) {
        if (evolutions.isEmpty()) {
            return checkpointRow;
        }
        Object[] row = checkpointRow.getValue();
        for (Evolution ev : evolutions) {
            row = ev.apply(row);
        }
        return new AbstractMap.SimpleImmutableEntry<>(keyBytes(row), row);
    }

    byte[] keyBytes(Object[] row) {
        return RowCodec.key(row, key);
    }

    Object[] checked(Object[] row) {
        for (int i = 0; i < row.length; i++) {
            if (row[i] == Unavailable.VALUE) {
                throw new FoldException("column " + schema.qualifiedName() + "."
                        + schema.columns().get(i).name()
                        + " kept an unchanged TOAST value whose earlier image is in neither the checkpoint nor the log:"
                        + " restore to a later checkpoint or take a fresh one");
            }
        }
        return row;
    }
}
