package dev.backtrack.cli;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.redolog.LogCursor;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * A client of the fault tests' ledger: one transaction after another, each a ledger row and its
 * account's balance (plus {@code extra}'s statement, if any), until {@code running} is false. The
 * ledger is the source's own record of what was committed; {@code committed} counts the commits.
 */
final class LedgerClient {
    private LedgerClient() {}

    static void run(
            CaptureFixture f,
            AtomicBoolean running,
            AtomicLong committed,
            AtomicReference<Throwable> failure,
            Random random,
            Function<Random, String> extra) {
        try (Connection c = f.connect();
                Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            while (running.get()) {
                int account = 1 + random.nextInt(50);
                String amount = (random.nextInt(20000) - 10000) / 100.0 + "";
                st.executeUpdate("INSERT INTO ledger (account, amount) VALUES (" + account + ", " + amount + ")");
                st.executeUpdate("UPDATE balances SET balance = balance + " + amount + " WHERE account = " + account);
                if (extra != null) {
                    st.executeUpdate(extra.apply(random));
                }
                try {
                    c.commit();
                    committed.incrementAndGet();
                } catch (SQLException e) {
                    c.rollback();
                    // two clients updating the same balances deadlock now and then: the loser's transaction is not
                    // committed
                    if (!"40P01".equals(e.getSQLState())) {
                        throw e;
                    }
                }
                Thread.sleep(random.nextInt(3));
            }
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        }
    }

    /**
     * Reads the whole log and returns how many transactions changed rows; fails if commit positions go
     * backwards or a transaction is in it twice. The agent's own messages (sequence values, heartbeats)
     * are transactions too, and are not counted.
     */
    static long rowTransactionsLoggedOnce(Path repository) {
        long txs = 0;
        Set<String> txIds = new HashSet<>();
        long lastPosition = -1;
        try (LogCursor cursor = Repository.open(repository).readLog(1)) {
            while (cursor.hasNext()) {
                Transaction tx = cursor.next();
                org.junit.jupiter.api.Assertions.assertTrue(
                        tx.position() > lastPosition, "commit positions go backwards at sequence " + tx.sequence());
                org.junit.jupiter.api.Assertions.assertTrue(
                        txIds.add(tx.txId()), "transaction " + tx.txId() + " is in the log twice");
                lastPosition = tx.position();
                if (tx.changes().stream().anyMatch(c -> c.op() != Op.MESSAGE)) {
                    txs++;
                }
            }
        }
        return txs;
    }
}
