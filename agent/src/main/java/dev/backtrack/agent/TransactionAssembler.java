package dev.backtrack.agent;

import dev.backtrack.repository.crypto.Sealer;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.RowSize;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.redolog.ChangeSpill;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the row changes between a transaction's BEGIN and END records. pgoutput and the binlog
 * deliver transactions whole and one after another, so at most one is open. Once the open transaction's
 * rows pass {@code spillBytes} (estimated) they go to a spill file, so memory stays bounded
 * whatever the transaction's size. Not thread-safe.
 */
final class TransactionAssembler {
    private final Path spillDir;
    private final Sealer sealer;
    private final long spillBytes;
    private String openTxId;
    private List<RowChange> changes = new ArrayList<>();
    private long bytes;
    private ChangeSpill spill;
    private long commitMicros = Long.MIN_VALUE;
    private long lastPosition = -1;

    /** @param sealer encrypts the spill files: the repository's key, or null for a plain repository */
    TransactionAssembler(Path spillDir, Sealer sealer, long spillBytes) {
        this.spillDir = spillDir;
        this.sealer = sealer;
        this.spillBytes = spillBytes;
    }

    boolean isOpen() {
        return openTxId != null;
    }

    /**
     * Opens a transaction. The same transaction beginning again means the connector reconnected in
     * the middle of it and resends it whole from the last acknowledged position: the part received
     * before is dropped (nothing of it was logged or acknowledged).
     */
    void begin(String txId) {
        if (txId.equals(openTxId)) {
            discard();
        } else if (openTxId != null) {
            throw new IllegalStateException("transaction " + txId + " began while " + openTxId + " was still open");
        }
        openTxId = txId;
        reset();
    }

    /** Drops the open transaction and its spill file. */
    private void discard() {
        if (spill != null) {
            spill.close();
        }
        openTxId = null;
        reset();
    }

    /** The highest source position a change of the open transaction carried (binlog sources), or -1. */
    long lastPosition() {
        return lastPosition;
    }

    /** Whether the open transaction has no change yet. */
    boolean isEmpty() {
        return changes.isEmpty() && spill == null;
    }

    String openTxId() {
        return openTxId;
    }

    /**
     * A change at a source position (binlog sources: the event's file and offset), so the transaction's position is its
     * last event's.
     */
    void add(String txId, long commitMicros, RowChange change, long position) {
        add(txId, commitMicros, change);
        lastPosition = Math.max(lastPosition, position);
    }

    void add(String txId, long commitMicros, RowChange change) {
        if (openTxId == null) {
            // a change outside BEGIN/END (the connector sends none, but never drop one): it is its own transaction
            openTxId = txId;
        } else if (!openTxId.equals(txId)) {
            throw new IllegalStateException(
                    "change of transaction " + txId + " arrived inside transaction " + openTxId);
        }
        this.commitMicros = commitMicros;
        if (spill != null) {
            spill.add(change);
            return;
        }
        changes.add(change);
        bytes += RowSize.of(change);
        if (bytes > spillBytes) {
            spill = ChangeSpill.create(spillDir, "tx-" + txId, sealer);
            changes.forEach(spill::add);
            changes = new ArrayList<>();
        }
    }

    /**
     * Closes the open transaction; null when it had no captured change. Spilled changes are read back from disk when
     * iterated.
     */
    Transaction end(long commitPosition) {
        Transaction tx;
        if (spill != null) {
            tx = new Transaction(0, commitMicros, commitPosition, openTxId, spill.finish());
        } else {
            tx = changes.isEmpty() ? null : new Transaction(0, commitMicros, commitPosition, openTxId, changes);
        }
        openTxId = null;
        reset();
        return tx;
    }

    private void reset() {
        changes = new ArrayList<>();
        bytes = 0;
        spill = null;
        commitMicros = Long.MIN_VALUE;
        lastPosition = -1;
    }
}
