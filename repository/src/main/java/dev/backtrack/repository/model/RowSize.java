package dev.backtrack.repository.model;

import java.util.List;

/** A rough size in memory of rows and changes, to decide when to spill to disk. Thread-safe (stateless). */
public final class RowSize {
    private static final int PER_VALUE = 16;

    private RowSize() {}

    public static long of(RowChange c) {
        return 64 + of(c.before()) + of(c.after());
    }

    public static long of(Object[] row) {
        if (row == null) {
            return 0;
        }
        long n = 16L + 8L * row.length;
        for (Object v : row) {
            n += value(v);
        }
        return n;
    }

    private static long value(Object v) {
        if (v instanceof String s) {
            return PER_VALUE + 24 + s.length();
        }
        if (v instanceof byte[] b) {
            return PER_VALUE + b.length;
        }
        if (v instanceof List<?> l) {
            long n = PER_VALUE + 8L * l.size();
            for (Object e : l) {
                n += value(e);
            }
            return n;
        }
        return PER_VALUE;
    }
}
