package dev.backtrack.cli.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.Random;
import java.util.UUID;

/** The statements a CRM user's day is made of. Not thread-safe: one per client. */
public final class CrmOperations {
    private static final String[] STAGES = {"lead", "qualified", "proposal", "won", "lost"};
    private static final String[] INDUSTRIES = {"software", "retail", "health", "finance", "logistics", "énergie"};
    private final Random random;

    public CrmOperations(Random random) {
        this.random = random;
    }

    public void newAccount(Connection c, int contacts, int deals, int activities) throws SQLException {
        long account;
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO accounts (name, domain, industry, employees, annual_revenue, tags) VALUES (?, ?, "
                        + "?, ?, ?::numeric, ?) RETURNING id")) {
            String name = "Account " + random.nextInt(1_000_000);
            ps.setString(1, name);
            ps.setString(
                    2,
                    random.nextInt(10) == 0
                            ? null
                            : "acct-"
                                    + new UUID(random.nextLong(), random.nextLong())
                                            .toString()
                                            .substring(0, 13) + ".example");
            ps.setString(3, INDUSTRIES[random.nextInt(INDUSTRIES.length)]);
            ps.setInt(4, random.nextInt(50_000));
            ps.setString(5, (random.nextInt(100_000_000)) + "." + String.format("%02d", random.nextInt(100)));
            ps.setArray(
                    6,
                    c.createArrayOf(
                            "text",
                            random.nextBoolean()
                                    ? new String[] {"vip", "emea"}
                                    : new String[] {"smb", null, "a \"quoted\", tag"}));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                account = rs.getLong(1);
            }
        }
        for (int i = 0; i < contacts; i++) {
            newContact(c, account);
        }
        for (int i = 0; i < deals; i++) {
            newDeal(c, account);
        }
        for (int i = 0; i < activities; i++) {
            newActivity(c, account);
        }
    }

    public void newContact(Connection c, long account) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO contacts (account_id, first_name, last_name, email, phone, birthday, score, \
                external_id, profile, notes, avatar, last_seen)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?)""")) {
            ps.setLong(1, account);
            ps.setString(2, random.nextInt(20) == 0 ? "Zoë" : "First" + random.nextInt(1000));
            ps.setString(3, "Last\t" + random.nextInt(1000));
            ps.setString(4, "user" + random.nextInt(1_000_000) + "@example.com");
            ps.setString(5, random.nextInt(4) == 0 ? null : "+1-555-" + random.nextInt(10_000));
            ps.setObject(6, LocalDate.of(1950 + random.nextInt(55), 1 + random.nextInt(12), 1 + random.nextInt(28)));
            ps.setShort(7, (short) random.nextInt(100));
            ps.setObject(8, UUID.randomUUID());
            ps.setString(
                    9,
                    "{\"lang\": \"en\", \"opt_in\": " + random.nextBoolean() + ", \"visits\": " + random.nextInt(500)
                            + "}");
            ps.setString(10, random.nextInt(5) == 0 ? longNotes() : "met at the fair\nfollow up");
            ps.setBytes(11, random.nextInt(3) == 0 ? null : bytes(16 + random.nextInt(64)));
            ps.setTimestamp(12, new Timestamp(1_700_000_000_000L + random.nextInt(1_000_000_000)));
            ps.executeUpdate();
        }
    }

    public void newDeal(Connection c, long account) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO deals (account_id, contact_id, title, stage, amount, probability, close_date, custom)
                VALUES (?, ?, ?, ?::deal_stage, ?::numeric, ?, ?, ?::json)""")) {
            ps.setLong(1, account);
            ps.setObject(2, random.nextInt(3) == 0 ? null : (long) random.nextInt(10_000));
            ps.setString(3, "Deal " + random.nextInt(100_000));
            ps.setString(4, STAGES[random.nextInt(STAGES.length)]);
            ps.setString(5, random.nextInt(1_000_000) + "." + String.format("%02d", random.nextInt(100)));
            ps.setFloat(6, random.nextFloat());
            ps.setObject(7, LocalDate.of(2026, 1 + random.nextInt(12), 1 + random.nextInt(28)));
            ps.setString(8, "{\"source\":  \"web\", \"source\": \"dup key kept\"}");
            ps.executeUpdate();
        }
    }

    public void newActivity(Connection c, long account) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO activities VALUES (?, ?, now(), ?)")) {
            ps.setLong(1, account);
            ps.setString(2, random.nextBoolean() ? "call" : "email");
            ps.setString(3, random.nextInt(4) == 0 ? null : "talked about renewal");
            ps.executeUpdate();
        }
    }

    /** One random CRM transaction; the caller commits. */
    public void randomTransaction(Connection c) throws SQLException {
        long maxAccount = max(c, "accounts");
        int pick = random.nextInt(100);
        try (Statement st = c.createStatement()) {
            if (pick < 15) {
                newAccount(c, 1 + random.nextInt(2), 1, 1);
            } else if (pick < 40) {
                st.executeUpdate("UPDATE contacts SET email = 'moved" + random.nextInt(1000) + "@example.org', score = "
                        + random.nextInt(100) + ", updated_at = now() WHERE id = "
                        + (1 + random.nextInt((int) Math.max(1, max(c, "contacts")))));
            } else if (pick < 60) {
                st.executeUpdate("UPDATE deals SET stage = '" + STAGES[random.nextInt(STAGES.length)]
                        + "', amount = amount + 1.25 WHERE id = "
                        + (1 + random.nextInt((int) Math.max(1, max(c, "deals")))));
            } else if (pick < 70) {
                st.executeUpdate("DELETE FROM deals WHERE id = "
                        + (1 + random.nextInt((int) Math.max(1, max(c, "deals")))));
            } else if (pick < 80) {
                newActivity(c, 1 + random.nextInt((int) Math.max(1, maxAccount)));
                st.executeUpdate("UPDATE activities SET detail = 'rescheduled' WHERE ctid = (SELECT ctid FROM "
                        + "activities WHERE kind = 'call' LIMIT 1)");
            } else if (pick < 85) {
                st.executeUpdate(
                        "DELETE FROM activities WHERE ctid = (SELECT ctid FROM activities ORDER BY random() LIMIT 1)");
            } else if (pick < 90) {
                st.executeUpdate("UPDATE contacts SET notes = '" + longNotes() + "' WHERE id = "
                        + (1 + random.nextInt((int) Math.max(1, max(c, "contacts")))));
            } else if (pick < 95) {
                st.executeUpdate(
                        "UPDATE accounts SET active = NOT active, tags = array_append(tags, 'touched') WHERE id = "
                                + (1 + random.nextInt((int) Math.max(1, maxAccount))));
            } else {
                st.executeUpdate("DELETE FROM contacts WHERE id = "
                        + (1 + random.nextInt((int) Math.max(1, max(c, "contacts")))));
            }
        }
    }

    private static long max(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT coalesce(max(id), 0) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** About 6 KiB of random hex: too large and too random to stay inline, so PostgreSQL TOASTs it. */
    private String longNotes() {
        StringBuilder b = new StringBuilder(6200);
        while (b.length() < 6144) {
            b.append(Long.toHexString(random.nextLong()));
        }
        return b.toString();
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
