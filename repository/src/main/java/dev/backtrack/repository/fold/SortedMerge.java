package dev.backtrack.repository.fold;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The merge of a table whose fold spilled to disk: the runs and the entries in memory are merged by
 * key (older states first, so a later state wins and fills unchanged TOAST values from an earlier
 * one), then joined with the checkpoint's rows, which are in the same key order. Memory: one state
 * per run. Not thread-safe.
 */
final class SortedMerge {
    private final TableFold fold;

    SortedMerge(TableFold fold) {
        this.fold = fold;
    }

    private record Head(NetState state, int source, Iterator<NetState> rest) {}

    void run(Iterator<Map.Entry<byte[], Object[]>> checkpointRows, Consumer<Object[]> sink) {
        Iterator<NetState> states = combined(fold.sortedSources());
        NetState st = states.hasNext() ? states.next() : null;
        Object[] cpRow = null;
        byte[] cpKey = null, lastCpKey = null;
        while (true) {
            if (cpRow == null && checkpointRows.hasNext()) {
                Map.Entry<byte[], Object[]> cp = fold.current(checkpointRows.next());
                cpRow = cp.getValue();
                cpKey = cp.getKey();
                if (lastCpKey != null && Arrays.compareUnsigned(lastCpKey, cpKey) > 0) {
                    throw new FoldException("the rows of " + fold.schema().qualifiedName()
                            + " are out of key order after a type change of its key:"
                            + " restore to a checkpoint taken after that change, or give the restore more heap (-Xmx)");
                }
                lastCpKey = cpKey;
            }
            if (cpRow == null && st == null) {
                return;
            }
            int cmp = cpRow == null ? 1 : st == null ? -1 : Arrays.compareUnsigned(cpKey, st.key());
            if (cmp < 0) {
                sink.accept(cpRow);
                cpRow = null;
            } else if (cmp > 0) {
                emit(st, sink);
                st = states.hasNext() ? states.next() : null;
            } else if (fold.keyless()) {
                // every checkpoint copy of this row, plus the fold's net copies
                int copies = st.copies();
                Object[] row = cpRow;
                byte[] key = cpKey;
                while (cpRow != null && Arrays.equals(cpKey, key)) {
                    copies++;
                    cpRow = null;
                    if (checkpointRows.hasNext()) {
                        Map.Entry<byte[], Object[]> cp = fold.current(checkpointRows.next());
                        cpRow = cp.getValue();
                        cpKey = cp.getKey();
                        lastCpKey = cpKey;
                    }
                }
                for (int i = 0; i < copies; i++) {
                    sink.accept(fold.checked(row));
                }
                st = states.hasNext() ? states.next() : null;
            } else {
                if (!st.deleted()) {
                    sink.accept(fold.checked(TableFold.resolveFrom(st.row(), cpRow)));
                }
                cpRow = null;
                st = states.hasNext() ? states.next() : null;
            }
        }
    }

    private void emit(NetState st, Consumer<Object[]> sink) {
        if (fold.keyless()) {
            for (int i = 0; i < st.copies(); i++) {
                sink.accept(fold.checked(st.row()));
            }
        } else if (!st.deleted()) {
            sink.accept(fold.checked(st.row()));
        }
    }

    /** One state per key: the states of all sources for that key, folded from the oldest source to the newest. */
    Iterator<NetState> combined(List<Iterator<NetState>> sources) {
        PriorityQueue<Head> heads = new PriorityQueue<>((a, b) -> {
            int c = Arrays.compareUnsigned(a.state().key(), b.state().key());
            return c != 0 ? c : Integer.compare(a.source(), b.source());
        });
        for (int i = 0; i < sources.size(); i++) {
            if (sources.get(i).hasNext()) {
                heads.add(new Head(sources.get(i).next(), i, sources.get(i)));
            }
        }
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return !heads.isEmpty();
            }

            @Override
            public NetState next() {
                NetState acc = null;
                byte[] key = heads.peek().state().key();
                while (!heads.isEmpty() && Arrays.equals(heads.peek().state().key(), key)) {
                    Head h = heads.poll();
                    acc = acc == null ? h.state() : combine(acc, h.state());
                    if (h.rest().hasNext()) {
                        heads.add(new Head(h.rest().next(), h.source(), h.rest()));
                    }
                }
                return acc;
            }
        };
    }

    private NetState combine(NetState older, NetState newer) {
        if (fold.keyless()) {
            return new NetState(
                    newer.key(),
                    newer.row() != null ? newer.row() : older.row(),
                    false,
                    older.copies() + newer.copies());
        }
        if (newer.deleted()) {
            return newer;
        }
        return new NetState(
                newer.key(), TableFold.resolveFrom(newer.row(), older.deleted() ? null : older.row()), false, 0);
    }
}
