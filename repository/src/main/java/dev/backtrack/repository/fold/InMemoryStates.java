package dev.backtrack.repository.fold;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The states of a fold held wholly in memory, found by hash: the checkpoint's rows may come in any
 * key order (after a change of the table's key they do). Not thread-safe.
 */
final class InMemoryStates implements StateLookup {
    private final Map<RowKey, TableFold.Entry> entries;
    private final Map<RowKey, Pending> found = new HashMap<>();

    InMemoryStates(Map<RowKey, TableFold.Entry> entries) {
        this.entries = entries;
    }

    @Override
    public Pending find(byte[] key, Consumer<Pending> unmatched) {
        RowKey k = new RowKey(key);
        TableFold.Entry e = entries.get(k);
        return e == null ? null : found.computeIfAbsent(k, x -> new Pending(e.state(x)));
    }

    @Override
    public void rest(Consumer<Pending> unmatched) {
        for (Map.Entry<RowKey, TableFold.Entry> x : entries.entrySet()) {
            Pending p = found.isEmpty() ? null : found.get(x.getKey());
            unmatched.accept(p != null ? p : new Pending(x.getValue().state(x.getKey())));
        }
    }
}
