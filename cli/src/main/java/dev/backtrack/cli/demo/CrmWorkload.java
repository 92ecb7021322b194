package dev.backtrack.cli.demo;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Several CRM clients, each committing random transactions, that can be held between transactions
 * so an instant can be noted with nothing in flight. Thread-safe.
 */
public final class CrmWorkload implements AutoCloseable {
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock(true);
    private final List<Thread> clients = new ArrayList<>();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;

    public CrmWorkload(String url, String user, int clientCount, long seed) {
        for (int i = 0; i < clientCount; i++) {
            Random random = new Random(seed + i);
            Thread t = new Thread(() -> work(url, user, random), "crm-client-" + i);
            t.setDaemon(true);
            clients.add(t);
        }
    }

    public void start() {
        clients.forEach(Thread::start);
    }

    private void work(String url, String user, Random random) {
        try (Connection c = DriverManager.getConnection(url, user, "")) {
            c.setAutoCommit(false);
            CrmOperations ops = new CrmOperations(random);
            while (running) {
                gate.readLock().lock();
                try {
                    ops.randomTransaction(c);
                    c.commit();
                    committed.incrementAndGet();
                } catch (SQLException e) {
                    c.rollback();
                    // deadlocks and serialization failures between clients are part of a CRM's day
                    if (!"40P01".equals(e.getSQLState()) && !"40001".equals(e.getSQLState())) {
                        throw e;
                    }
                } finally {
                    gate.readLock().unlock();
                }
            }
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        }
    }

    /** Holds every client between transactions until the returned hold is closed. */
    public AutoCloseable hold() {
        gate.writeLock().lock();
        return () -> gate.writeLock().unlock();
    }

    public long committed() {
        return committed.get();
    }

    /** Stops the clients after their current transaction; rethrows a client's failure. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : clients) {
            t.join(30_000);
        }
        Throwable f = failure.get();
        if (f != null) {
            throw new IllegalStateException("a CRM client failed: " + f.getMessage(), f);
        }
    }
}
