package dev.backtrack.agent;

import dev.backtrack.repository.model.Micros;
import dev.backtrack.repository.model.Transaction;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Counters the agent reports while it runs. Thread-safe. */
final class CaptureStatus {
    final AtomicLong transactions = new AtomicLong();
    final AtomicLong rowChanges = new AtomicLong();
    final AtomicLong snapshotRows = new AtomicLong();
    final AtomicLong batches = new AtomicLong();
    volatile long lastCommitMicros = Long.MIN_VALUE;
    volatile long lastLoggedAtMillis;

    void logged(List<Transaction> txs) {
        transactions.addAndGet(txs.size());
        long n = 0;
        for (Transaction tx : txs) {
            n += tx.changes().size();
        }
        rowChanges.addAndGet(n);
        batches.incrementAndGet();
        lastCommitMicros = txs.get(txs.size() - 1).commitMicros();
        lastLoggedAtMillis = System.currentTimeMillis();
    }

    void snapshotRow() {
        snapshotRows.incrementAndGet();
    }

    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    /** "10:31:06 UTC (12 s)": when a state of the agent began, and how long ago, for the status line. */
    static String since(long epochMillis) {
        return CLOCK.format(Instant.ofEpochMilli(epochMillis)) + " UTC ("
                + (System.currentTimeMillis() - epochMillis) / 1000 + " s)";
    }

    String line() {
        if (transactions.get() == 0 && snapshotRows.get() > 0) {
            return "snapshot: " + snapshotRows.get() + " rows read so far";
        }
        String last = lastCommitMicros == Long.MIN_VALUE ? "none yet" : Micros.format(lastCommitMicros);
        return String.format(
                "logged %d transactions (%d row changes) in %d group commits; last commit %s",
                transactions.get(), rowChanges.get(), batches.get(), last);
    }
}
