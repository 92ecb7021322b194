package dev.backtrack.repository.fold;

import java.util.Iterator;

/** Net states sorted by key (unsigned bytes): a fold's spilled run, or a delta checkpoint's table. */
public interface NetStates {
    Iterator<NetState> read();

    /** Frees what the states take on disk, if they are scratch; a repository's files stay. */
    default void delete() {}
}
