package dev.backtrack.agent;

import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the row changes between a transaction's BEGIN and END records. pgoutput delivers
 * transactions whole and one after another, so at most one is open. Not thread-safe.
 */
final class TransactionAssembler {
    private String openTxId;
    private List<RowChange> changes = new ArrayList<>();
    private long commitMicros = Long.MIN_VALUE;

    boolean isOpen() {
        return openTxId != null;
    }

    void begin(String txId) {
        if (openTxId != null) {
            throw new IllegalStateException("transaction " + txId + " began while " + openTxId + " was still open");
        }
        openTxId = txId;
        changes = new ArrayList<>();
        commitMicros = Long.MIN_VALUE;
    }

    void add(String txId, long commitMicros, RowChange change) {
        if (openTxId == null) {
            // a change outside BEGIN/END (the connector sends none, but never drop one): it is its own transaction
            openTxId = txId;
        } else if (!openTxId.equals(txId)) {
            throw new IllegalStateException("change of transaction " + txId + " arrived inside transaction " + openTxId);
        }
        this.commitMicros = commitMicros;
        changes.add(change);
    }

    int size() {
        return changes.size();
    }

    /** Closes the open transaction; null when it had no captured change. */
    Transaction end(long commitPosition) {
        Transaction tx = changes.isEmpty() ? null : new Transaction(0, commitMicros, commitPosition, openTxId, changes);
        openTxId = null;
        changes = new ArrayList<>();
        return tx;
    }
}
