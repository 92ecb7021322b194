package dev.backtrack.repository.fold;

import dev.backtrack.repository.codec.RowCodec;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Unavailable;
import dev.backtrack.repository.schema.TableSchema;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One table's net change over a stretch of log: per key, the last row image (or a deletion), so a
 * restore loads only the state at the target instant. A table without a primary key is kept as a
 * multiset of whole rows. Not thread-safe.
 */
public final class TableFold {
    /** Net state of one key: the row now, or deleted; for keyless tables, a count of copies added or removed. */
    private static final class Entry {
        Object[] row;
        boolean deleted;
        int copies;
    }

    private final TableSchema schema;
    private final int[] key;
    private final boolean keyless;
    private final Map<RowKey, Entry> entries = new HashMap<>();
    private boolean truncated;
    private long changes;

    public TableFold(TableSchema schema) {
        this.schema = schema;
        this.key = schema.keyColumns();
        this.keyless = schema.primaryKey().isEmpty();
    }

    public TableSchema schema() {
        return schema;
    }

    public boolean truncated() {
        return truncated;
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
            case TRUNCATE -> {
                entries.clear();
                truncated = true;
            }
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
            return;
        }
        Object[] previous = e != null && !e.deleted ? e.row : before;
        if (e == null) {
            e = new Entry();
            entries.put(k, e);
        }
        e.row = resolve(row, previous);
        e.deleted = false;
    }

    private void remove(Object[] before) {
        if (before == null) {
            throw new FoldException("a delete on " + schema.qualifiedName() + " carries no old row: capture it with REPLICA IDENTITY DEFAULT or FULL");
        }
        if (keyless) {
            RowKey k = keyOf(before);
            Entry e = entries.computeIfAbsent(k, x -> new Entry());
            if (e.row == null) {
                e.row = before;
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
    }

    /** Fills unavailable (unchanged TOAST) values from the previous image, when there is one. */
    private static Object[] resolve(Object[] row, Object[] previous) {
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
     * Streams the table's state: checkpoint rows (in key order, ignored after a TRUNCATE) with the
     * fold applied, then rows the log added. Fails on a value the log never carried.
     */
    public void merge(Iterator<Map.Entry<byte[], Object[]>> checkpointRows, Consumer<Object[]> sink) {
        Map<RowKey, Entry> pending = new HashMap<>(entries);
        if (!truncated) {
            while (checkpointRows.hasNext()) {
                Map.Entry<byte[], Object[]> cp = checkpointRows.next();
                RowKey k = new RowKey(cp.getKey());
                Entry e = pending.get(k);
                if (e == null) {
                    sink.accept(cp.getValue());
                } else if (keyless) {
                    if (e.copies < 0) {
                        e.copies++;
                    } else {
                        sink.accept(cp.getValue());
                    }
                } else {
                    pending.remove(k);
                    if (!e.deleted) {
                        sink.accept(checked(resolve(e.row, cp.getValue())));
                    }
                }
            }
        }
        for (Entry e : pending.values()) {
            if (keyless) {
                for (int i = 0; i < e.copies; i++) {
                    sink.accept(checked(e.row));
                }
            } else if (!e.deleted) {
                sink.accept(checked(e.row));
            }
        }
    }

    private Object[] checked(Object[] row) {
        for (int i = 0; i < row.length; i++) {
            if (row[i] == Unavailable.VALUE) {
                throw new FoldException("column " + schema.qualifiedName() + "." + schema.columns().get(i).name()
                        + " kept an unchanged TOAST value whose earlier image is in neither the checkpoint nor the log: restore to a later checkpoint or take a fresh one");
            }
        }
        return row;
    }
}
