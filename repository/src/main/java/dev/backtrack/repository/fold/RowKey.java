package dev.backtrack.repository.fold;

import java.util.Arrays;

/** A row's encoded key as a map key (content equality). Immutable. */
final class RowKey {
    final byte[] bytes;
    private final int hash;

    RowKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowKey k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
