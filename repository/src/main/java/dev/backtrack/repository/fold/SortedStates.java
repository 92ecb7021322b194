package dev.backtrack.repository.fold;

import java.util.Arrays;
import java.util.Iterator;
import java.util.function.Consumer;

/**
 * The states of a fold that spilled, read in key order (its runs and memory combined): the
 * checkpoint's rows must come in key order too. Memory: one state. Not thread-safe.
 */
final class SortedStates implements StateLookup {
    private final String table;
    private final Iterator<NetState> states;
    private Pending head;
    private byte[] lastKey;

    SortedStates(String table, Iterator<NetState> states) {
        this.table = table;
        this.states = states;
        advance();
    }

    @Override
    public Pending find(byte[] key, Consumer<Pending> unmatched) {
        if (lastKey != null && Arrays.compareUnsigned(lastKey, key) > 0) {
            throw new FoldException("the rows of " + table + " are out of key order after a type change of its key:"
                    + " restore to a checkpoint taken after that change, or give the restore more heap (-Xmx)");
        }
        lastKey = key;
        while (head != null && Arrays.compareUnsigned(head.state.key(), key) < 0) {
            unmatched.accept(head);
            advance();
        }
        return head != null && Arrays.equals(head.state.key(), key) ? head : null;
    }

    @Override
    public void rest(Consumer<Pending> unmatched) {
        while (head != null) {
            unmatched.accept(head);
            advance();
        }
    }

    private void advance() {
        head = states.hasNext() ? new Pending(states.next()) : null;
    }
}
