package dev.backtrack.repository.model;

import java.util.List;

/**
 * A committed source transaction as the log stores it. {@code sequence} is the log's own contiguous
 * number (1, 2, ...); {@code position} is the source's commit position (PostgreSQL: commit LSN) and
 * orders transactions; {@code commitMicros} is the source's commit time in microseconds since the epoch.
 * A transaction too large for one log batch is read back as several parts with the same sequence:
 * every part but the last has {@code continued} set, and the changes of all parts, in order, are the
 * transaction's changes.
 */
public record Transaction(
        long sequence, long commitMicros, long position, String txId, List<RowChange> changes, boolean continued) {

    public Transaction(long sequence, long commitMicros, long position, String txId, List<RowChange> changes) {
        this(sequence, commitMicros, position, txId, changes, false);
    }

    public Transaction withSequence(long newSequence) {
        return new Transaction(newSequence, commitMicros, position, txId, changes, continued);
    }
}
