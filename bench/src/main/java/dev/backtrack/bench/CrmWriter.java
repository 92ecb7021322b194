package dev.backtrack.bench;

import dev.backtrack.testkit.MariaDbServer;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One connection committing CRM transactions to MariaDB, of {@link MariaDbBench#CHANGES_PER_TX} row changes each. Not
 * thread-safe.
 */
final class CrmWriter implements AutoCloseable {
    private final Connection c;
    private final PreparedStatement contact;
    private final PreparedStatement activities;
    private final PreparedStatement update;
    private final SplittableRandom r;
    private final int accounts;
    private final long[] recent = new long[1024];
    private long written;

    CrmWriter(MariaDbServer server, String db, long seed, int accounts) throws SQLException {
        c = server.connect(db);
        c.setAutoCommit(false);
        contact = c.prepareStatement(
                "INSERT INTO contacts (account_id, first_name, last_name, email, phone, lifetime_value, "
                        + "created_at, updated_at,"
                        + " attributes, notes) VALUES (?, ?, ?, ?, ?, ?, NOW(6), NOW(6), ?, ?)",
                Statement.RETURN_GENERATED_KEYS);
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            values.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, NOW(6) + INTERVAL ? MINUTE, ?, ?, ?)");
        }
        activities = c.prepareStatement(
                "INSERT INTO activities (contact_id, account_id, kind, subject, due_at, amount, body, done) VALUES "
                        + values);
        update = c.prepareStatement("UPDATE contacts SET lifetime_value = lifetime_value + ?, updated_at = NOW(6),"
                + " attributes = JSON_SET(attributes, '$.score', ?) WHERE id = ?");
        r = new SplittableRandom(seed);
        this.accounts = Math.max(1, accounts);
    }

    /** {@code clients} threads, each committing {@code txPerClient} CRM transactions. */
    static void writeBacklog(MariaDbServer my, String db, int clients, int txPerClient, int accounts) throws Exception {
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < clients; i++) {
            int n = i;
            Thread t = new Thread(
                    () -> {
                        try (CrmWriter w = new CrmWriter(my, db, 1000L + n, accounts)) {
                            for (int k = 0; k < txPerClient && failure.get() == null; k++) {
                                w.tx();
                            }
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        }
                    },
                    "bench-writer-" + i);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a writer failed: " + failure.get(), failure.get());
        }
    }

    /** Commits one transaction; returns the new contact's id. */
    long tx() throws SQLException {
        long account = 1 + r.nextInt(accounts);
        String firstName = Words.pick(r, Words.FIRST);
        String lastName = Words.pick(r, Words.LAST);
        contact.setLong(1, account);
        contact.setString(2, firstName);
        contact.setString(3, lastName);
        contact.setString(
                4,
                (firstName + "." + lastName + "." + r.nextInt(1_000_000)).toLowerCase(Locale.ROOT) + "@"
                        + Words.pick(r, Words.DOMAIN));
        contact.setString(
                5, "+1 " + (200 + r.nextInt(800)) + " " + (100 + r.nextInt(900)) + " " + (1000 + r.nextInt(9000)));
        contact.setBigDecimal(6, BigDecimal.valueOf(r.nextLong(10_000_000L), 2));
        contact.setString(
                7,
                "{\"source\": \"" + Words.pick(r, Words.SOURCE) + "\", \"score\": " + r.nextInt(100) + ", \"tags\": [\""
                        + Words.pick(r, Words.TAG) + "\", \"" + Words.pick(r, Words.TAG) + "\"], \"consent\": "
                        + r.nextBoolean() + "}");
        contact.setString(8, Words.sentence(r, 25 + r.nextInt(20)));
        contact.executeUpdate();
        long id;
        try (ResultSet keys = contact.getGeneratedKeys()) {
            keys.next();
            id = keys.getLong(1);
        }
        int p = 1;
        for (int i = 0; i < 3; i++) {
            activities.setLong(p++, id);
            activities.setLong(p++, account);
            activities.setString(p++, Words.pick(r, Words.KIND));
            activities.setString(p++, Words.sentence(r, 4 + r.nextInt(5)));
            activities.setInt(p++, r.nextInt(60 * 24 * 30));
            activities.setBigDecimal(p++, BigDecimal.valueOf(r.nextLong(100_000_000L), 2));
            activities.setString(p++, Words.sentence(r, 15 + r.nextInt(25)));
            activities.setBoolean(p++, r.nextInt(4) == 0);
        }
        activities.executeUpdate();
        long target = written == 0 ? id : recent[r.nextInt((int) Math.min(written, recent.length))];
        update.setBigDecimal(1, BigDecimal.valueOf(1 + r.nextLong(10_000L), 2));
        update.setInt(2, r.nextInt(100));
        update.setLong(3, target);
        update.executeUpdate();
        c.commit();
        recent[(int) (written++ % recent.length)] = id;
        return id;
    }

    @Override
    public void close() throws SQLException {
        c.close();
    }
}
