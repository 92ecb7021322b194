package dev.backtrack.repository.fold;

import java.util.function.Consumer;

/**
 * How the net states of one key meet, for a table with a primary key (the newest image wins,
 * filling unchanged TOAST values from the one before) and for one without (a multiset of whole
 * rows: copies add up): an older state with a newer one ({@link SortedMerge}), and the fold's state
 * with the checkpoint's rows of that key ({@link TableFold#merge}). Stateless.
 */
enum MergeRule {
    KEYED {
        @Override
        NetState combine(NetState older, NetState newer) {
            if (newer.deleted()) {
                return newer;
            }
            return new NetState(
                    newer.key(), TableFold.resolve(newer.row(), older.deleted() ? null : older.row()), false, 0);
        }

        @Override
        void checkpointRow(Object[] row, Pending state, TableFold fold, Consumer<Object[]> sink) {
            if (state == null || state.taken) {
                sink.accept(row);
                return;
            }
            state.taken = true;
            if (!state.state.deleted()) {
                sink.accept(fold.checked(TableFold.resolve(state.state.row(), row)));
            }
        }

        @Override
        void rest(Pending state, TableFold fold, Consumer<Object[]> sink) {
            if (!state.taken && !state.state.deleted()) {
                sink.accept(fold.checked(state.state.row()));
            }
        }
    },

    KEYLESS {
        @Override
        NetState combine(NetState older, NetState newer) {
            return new NetState(
                    newer.key(),
                    newer.row() != null ? newer.row() : older.row(),
                    false,
                    older.copies() + newer.copies());
        }

        @Override
        void checkpointRow(Object[] row, Pending state, TableFold fold, Consumer<Object[]> sink) {
            if (state != null && state.copies < 0) {
                state.copies++; // a copy the log removed
            } else {
                sink.accept(row);
            }
        }

        @Override
        void rest(Pending state, TableFold fold, Consumer<Object[]> sink) {
            for (int i = 0; i < state.copies; i++) {
                sink.accept(fold.checked(state.state.row()));
            }
        }
    };

    static MergeRule of(boolean keyless) {
        return keyless ? KEYLESS : KEYED;
    }

    /** One state for a key from an older and a newer one. */
    abstract NetState combine(NetState older, NetState newer);

    /** Writes what a checkpoint row becomes given the fold's state of its key (null: the fold has none). */
    abstract void checkpointRow(Object[] row, Pending state, TableFold fold, Consumer<Object[]> sink);

    /** Writes what is left of a state once the checkpoint's rows of its key (if any) were merged with it. */
    abstract void rest(Pending state, TableFold fold, Consumer<Object[]> sink);
}
