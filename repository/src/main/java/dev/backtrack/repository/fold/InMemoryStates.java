package dev.backtrack.repository.fold;

import java.util.Map;
import java.util.function.Consumer;

/**
 * The states of a fold held wholly in memory, found by hash: the checkpoint's rows may come in any
 * key order (after a change of the table's key they do). Not thread-safe.
 */
final class InMemoryStates implements StateLookup {
    private final Map<RowKey, TableFold.Entry> entries;
    private final long merge;

    /** @param merge this merge's number: an entry's pending state of another merge is stale */
    InMemoryStates(Map<RowKey, TableFold.Entry> entries, long merge) {
        this.entries = entries;
        this.merge = merge;
    }

    @Override
    public Pending find(byte[] key, Consumer<Pending> unmatched) {
        RowKey k = new RowKey(key);
        TableFold.Entry e = entries.get(k);
        if (e == null) {
            return null;
        }
        if (e.pendingMerge != merge) {
            e.pending = new Pending(e.state(k));
            e.pendingMerge = merge;
        }
        return e.pending;
    }

    @Override
    public void rest(Consumer<Pending> unmatched) {
        for (Map.Entry<RowKey, TableFold.Entry> x : entries.entrySet()) {
            TableFold.Entry e = x.getValue();
            Pending p = e.pendingMerge == merge ? e.pending : new Pending(e.state(x.getKey()));
            e.pending = null;
            unmatched.accept(p);
        }
    }
}
