package dev.backtrack.bench;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.redolog.LogCursor;

/** What a stretch of the redo log holds: transactions, row changes, and transactions without a row change (other). */
record LogCount(long transactions, long rowChanges, long other) {
    /** Transactions and row changes (insert, update, delete) in the repository's log from {@code fromSequence} on. */
    static LogCount of(Repository repo, long fromSequence) {
        long txs = 0, rows = 0, other = 0;
        try (LogCursor c = repo.readLog(fromSequence)) {
            while (c.hasNext()) {
                Transaction tx = c.next();
                txs++;
                boolean data = false;
                for (RowChange ch : tx.changes()) {
                    if (ch.op() == Op.INSERT || ch.op() == Op.UPDATE || ch.op() == Op.DELETE) {
                        rows++;
                        data = true;
                    }
                }
                if (!data) {
                    other++;
                }
            }
        }
        return new LogCount(txs, rows, other);
    }
}
