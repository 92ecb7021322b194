package dev.backtrack.repository.fold;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The merge by key of a table's sorted sources of net states (spilled runs, a delta checkpoint's
 * states, the entries in memory) into one state per key, folded from the oldest source to the
 * newest, so a later state wins ({@link MergeRule#combine}). Memory: one state per source.
 */
final class SortedMerge {
    private SortedMerge() {}

    private record Head(NetState state, int source, Iterator<NetState> rest) {}

    /** One state per key: the states of all sources for that key, folded from the oldest source to the newest. */
    static Iterator<NetState> combined(List<Iterator<NetState>> sources, MergeRule rule) {
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
                    acc = acc == null ? h.state() : rule.combine(acc, h.state());
                    if (h.rest().hasNext()) {
                        heads.add(new Head(h.rest().next(), h.source(), h.rest()));
                    }
                }
                return acc;
            }
        };
    }
}
