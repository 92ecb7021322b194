package dev.backtrack.repository.fold;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * An iterator over a source read one element ahead: {@link #advance} returns the next element, or
 * null at the end. The first element is read on the first {@link #hasNext}. Not thread-safe.
 */
public abstract class LookAhead<T> implements Iterator<T> {
    private T next;
    private boolean read;

    /** The next element, or null when there is none. */
    protected abstract T advance();

    @Override
    public boolean hasNext() {
        if (!read) {
            next = advance();
            read = true;
        }
        return next != null;
    }

    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        read = false;
        return next;
    }
}
