package dev.backtrack.testkit;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;

/**
 * One round of writes for {@link CrmObjects#writeSome}. Uses only the tables and columns that every
 * change step keeps, and only activity months no step adds a partition for (a new partition may not
 * cover rows already in the default one). Not thread-safe.
 */
final class CrmWorkload {
    /** Activity months: June 2023 falls in the default partition, March 2024 in a hash-partitioned one. */
    private static final List<OffsetDateTime> MONTHS =
            List.of(month(2023, 6), month(2024, 1), month(2024, 2), month(2024, 3));
    /** Stages every step keeps ('proposal' is renamed in step 3). */
    private static final List<String> STAGES = List.of("lead", "qualified", "won", "lost");

    private final Connection c;
    private final Random random;

    CrmWorkload(Connection c, Random random) {
        this.c = c;
        this.random = random;
    }

    void run() throws SQLException {
        addAccount();
        addContacts();
        addDeals();
        addInvoice();
        assignTerritory();
        logActivity();
        moveActivityToAnotherMonth();
        updateSome();
        if (random.nextInt(3) == 0) {
            // ON UPDATE CASCADE carries the new code into sales.deal
            update("UPDATE public.currency SET code = CASE code WHEN 'GBP' THEN 'GBX' ELSE 'GBP' END WHERE "
                    + "code IN ('GBP', 'GBX')");
        }
        deleteSome();
    }

    private void addAccount() throws SQLException {
        int n = random.nextInt(1_000_000);
        // the composite column is set field by field, since step 2 adds a field to its type
        update(
                "INSERT INTO public.account (name, code, billing_address.street, billing_address.city, "
                        + "billing_address.country)"
                        + " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                "Account " + n,
                "A" + n,
                n + " Main Street",
                "Springfield",
                "US");
    }

    private void addContacts() throws SQLException {
        Long account = randomKey("public.account", "id");
        for (int i = 0; i < 2 && account != null; i++) {
            int n = random.nextInt(1_000_000);
            update(
                    "INSERT INTO public.contact (account_id, email, first_name, last_name) VALUES (?, ?, ?, ?) "
                            + "ON CONFLICT DO NOTHING",
                    account,
                    "person" + n + "@example.com",
                    "First" + n,
                    "Last" + n % 97);
        }
    }

    private void addDeals() throws SQLException {
        for (int i = 0; i < 2; i++) {
            Long account = randomKey("public.account", "id");
            if (account != null) {
                update(
                        "INSERT INTO sales.deal (account_id, owner_contact_id, title, stage, amount, currency)"
                                + " VALUES (?, ?, ?, ?::public.deal_stage, ?, (SELECT code FROM "
                                + "public.currency ORDER BY code OFFSET ? LIMIT 1))",
                        account,
                        randomKey("public.contact", "id"),
                        "Deal " + random.nextInt(10_000),
                        pick(STAGES),
                        amount(),
                        random.nextInt(3));
            }
        }
    }

    private void addInvoice() throws SQLException {
        Long deal = randomKey("sales.deal", "id");
        if (deal != null) {
            update("INSERT INTO sales.invoice (deal_id, total) VALUES (?, ?)", deal, amount().add(BigDecimal.ONE));
            update("UPDATE sales.invoice SET paid = true WHERE number = ?", randomKey("sales.invoice", "number"));
        }
    }

    /** A contact's next week, after its last one, so the exclusion constraint holds. */
    private void assignTerritory() throws SQLException {
        Long contact = randomKey("public.contact", "id");
        if (contact != null) {
            update(
                    "INSERT INTO sales.territory_assignment (contact_id, region, during)"
                            + " SELECT ?, ?, daterange(s, s + 7) FROM (SELECT coalesce(max(upper(during)), "
                            + "DATE '2024-01-01') AS s"
                            + " FROM sales.territory_assignment WHERE contact_id = ?) last",
                    contact,
                    pick(List.of("north", "south", "east")),
                    contact);
        }
    }

    private void logActivity() throws SQLException {
        for (int i = 0; i < 4; i++) {
            update(
                    "INSERT INTO public.activity (happened_at, contact_id, kind, note) VALUES (?, ?, ?, ?)",
                    timeIn(pick(MONTHS)),
                    randomKey("public.contact", "id"),
                    pick(List.of("call", "email", "meeting")),
                    "note " + i);
        }
    }

    /** An UPDATE of the partition key, which moves the row to another partition. */
    private void moveActivityToAnotherMonth() throws SQLException {
        int from = random.nextInt(MONTHS.size());
        int to = (from + 1 + random.nextInt(MONTHS.size() - 1)) % MONTHS.size();
        update(
                "UPDATE public.activity SET happened_at = ? WHERE id = (SELECT min(id) FROM public.activity"
                        + " WHERE happened_at >= ? AND happened_at < ?)",
                timeIn(MONTHS.get(to)),
                MONTHS.get(from),
                MONTHS.get(from).plusMonths(1));
    }

    /** Fires the BEFORE UPDATE triggers that set updated_at and the audit trigger on deals. */
    private void updateSome() throws SQLException {
        update(
                "UPDATE sales.deal SET stage = ?::public.deal_stage WHERE id = ?",
                pick(STAGES),
                randomKey("sales.deal", "id"));
        update(
                "UPDATE public.contact SET last_name = ? WHERE id = ?",
                "Renamed" + random.nextInt(100),
                randomKey("public.contact", "id"));
        update(
                "UPDATE public.account SET billing_address.city = ? WHERE id = ?",
                pick(List.of("Shelbyville", "Ogdenville")),
                randomKey("public.account", "id"));
    }

    /** An account's delete cascades to its contacts, deals, invoices and territories, and nulls other deals' owner. */
    private void deleteSome() throws SQLException {
        if (random.nextInt(3) == 0) {
            update("DELETE FROM public.account WHERE id = ?", randomKey("public.account", "id"));
        }
        if (random.nextBoolean()) {
            update("DELETE FROM public.contact WHERE id = ?", randomKey("public.contact", "id"));
        }
        update("DELETE FROM public.activity WHERE id = ?", randomKey("public.activity", "id"));
    }

    /** A random existing key of {@code table}, or null when it is empty. */
    private Long randomKey(String table, String column) throws SQLException {
        long count = queryLong("SELECT count(*) FROM " + table);
        if (count == 0) {
            return null;
        }
        return queryLong("SELECT " + column + " FROM " + table + " ORDER BY " + column + " OFFSET "
                + random.nextLong(count) + " LIMIT 1");
    }

    private long queryLong(String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void update(String sql, Object... values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                if (values[i] == null) {
                    ps.setNull(i + 1, Types.OTHER);
                } else {
                    ps.setObject(i + 1, values[i]);
                }
            }
            ps.executeUpdate();
        }
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private BigDecimal amount() {
        return BigDecimal.valueOf(random.nextInt(10_000_000), 2);
    }

    private OffsetDateTime timeIn(OffsetDateTime month) {
        return month.plusSeconds(random.nextInt(27 * 24 * 3600));
    }

    private static OffsetDateTime month(int year, int month) {
        return OffsetDateTime.of(year, month, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    }
}
