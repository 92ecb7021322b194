package dev.backtrack.testkit;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Random;

/**
 * One round of writes for {@link MariaDbCrm#writeSome}: inserts with default keys, then updates, key
 * changes and deletes ({@link MariaDbCrmChanges}). Uses only the tables and columns every change step
 * keeps, and activity dates no step drops a partition for. Not thread-safe.
 */
final class MariaDbCrmWorkload {
    /** Activity dates land in 2024's halves (merged in step 3), 2025 (its own partition from step 1) and later. */
    private static final List<String> DAYS = List.of("2024-02-10", "2024-08-20", "2025-05-05", "2026-11-30");

    private final MariaDbRandomRows db;
    private final Random random;

    MariaDbCrmWorkload(Connection c, Random random) {
        this.db = new MariaDbRandomRows(c, random);
        this.random = random;
    }

    void run() throws SQLException {
        addPlaces();
        addAccount();
        addContacts();
        addProduct();
        addDeals();
        addInvoice();
        logActivity();
        addNote();
        new MariaDbGeometries(db, random).addRegion();
        MariaDbCrmChanges changes = new MariaDbCrmChanges(db, random);
        changes.updateSome();
        changes.changeKeys();
        changes.deleteSome();
    }

    private void addPlaces() throws SQLException {
        String iso = "" + (char) ('A' + random.nextInt(26)) + (char) ('A' + random.nextInt(26));
        db.update("INSERT IGNORE INTO country (iso_code, name) VALUES (?, ?)", iso, "Country " + iso);
        Long country = db.randomKey("country", "country_id");
        db.update("INSERT INTO city (country_id, name) VALUES (?, ?)", country, "City " + random.nextInt(1000));
        db.update(
                "INSERT INTO address (city_id, line1, postal_code, location) VALUES (?, ?, ?, "
                        + "ST_PointFromText(?, 4326))",
                db.randomKey("city", "city_id"),
                random.nextInt(500) + " Main Street",
                String.format("%05d", random.nextInt(100_000)),
                "POINT(" + coordinate(90) + " " + coordinate(180) + ")");
    }

    /** Spaces around the name and a lower-case code, which the BEFORE INSERT triggers trim and upper-case. */
    private void addAccount() throws SQLException {
        int n = random.nextInt(1_000_000);
        BigDecimal credit = new BigDecimal(
                random.nextInt(1_000_000) + "." + "123456789012345678901234567890".substring(random.nextInt(30)));
        db.update(
                "INSERT IGNORE INTO account (name, code, segments, credit_limit, address_id) VALUES (?, ?, ?, ?, ?)",
                "  Account " + n + " ",
                "acc" + n,
                db.pick(List.of("smb", "enterprise,partner", "public", "")),
                credit,
                db.randomKey("address", "address_id"));
    }

    /** contact_ai writes an activity row for each. */
    private void addContacts() throws SQLException {
        Long account = db.randomKey("account", "account_id");
        for (int i = 0; i < 2 && account != null; i++) {
            int n = random.nextInt(1_000_000);
            if (random.nextBoolean()) {
                db.update(
                        "INSERT IGNORE INTO contact (account_id, first_name, last_name, email) VALUES (?, ?, ?, ?)",
                        account,
                        "First" + n,
                        "Last" + n % 97,
                        "person" + n + "@example.com");
            } else {
                db.update(
                        "INSERT IGNORE INTO contact (account_id, last_name, email, prefs, opted_in) VALUES (?, "
                                + "?, ?, ?, b'1')",
                        account,
                        "Solo" + n,
                        "solo" + n + "@example.org",
                        "{\"newsletter\": true, \"score\": " + n % 10 + "}");
            }
        }
    }

    /** product_ai copies it into product_text; a weight beyond 2^63 needs the full unsigned BIGINT. */
    private void addProduct() throws SQLException {
        int n = random.nextInt(1_000_000);
        String weight = random.nextBoolean()
                ? "18446744073709551" + String.format("%03d", random.nextInt(616))
                : Integer.toString(n);
        db.update(
                "INSERT IGNORE INTO product (sku, title, description, list_price, weight_mg, released, rating, "
                        + "features)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                String.format("SKU%09d", n),
                "Product " + n,
                random.nextBoolean() ? null : "About product " + n,
                BigDecimal.valueOf(random.nextInt(100_000), 2),
                weight,
                1990 + random.nextInt(40),
                db.pick(List.of("G", "PG", "PG-13", "R")),
                db.pick(List.of("Trailers", "Trailers,Commentaries", "Deleted Scenes,Behind the Scenes", "")));
        db.update(
                "INSERT IGNORE INTO product_category (product_id, category_id) VALUES (?, ?)",
                db.randomKey("product", "product_id"),
                db.randomKey("category", "category_id"));
    }

    private void addDeals() throws SQLException {
        for (int i = 0; i < 2; i++) {
            Long account = db.randomKey("account", "account_id");
            Long product = db.randomKey("product", "product_id");
            if (account == null || product == null) {
                return;
            }
            db.update(
                    "INSERT INTO deal (account_id, contact_id, owner_id, title, amount, probability) VALUES (?, "
                            + "(SELECT MIN(contact_id) FROM contact WHERE account_id = ?), ?, ?, ?, ?)",
                    account,
                    account,
                    db.randomKey("staff", "staff_id"),
                    "Deal " + random.nextInt(10_000),
                    amount(),
                    random.nextInt(101));
            db.update(
                    "INSERT INTO deal_item (deal_id, line_no, product_id, quantity, unit_price) SELECT "
                            + "MAX(deal_id), 1, ?, ?, ? FROM deal",
                    product,
                    1 + random.nextInt(5),
                    amount());
        }
    }

    /** invoice_ai adds the amount to the account's balance (ON UPDATE CURRENT_TIMESTAMP fires there). */
    private void addInvoice() throws SQLException {
        Long deal = db.randomKey("deal", "deal_id");
        if (deal != null) {
            db.update(
                    "INSERT INTO invoice (deal_id, amount, currency) VALUES (?, ?, (SELECT code FROM currency "
                            + "ORDER BY code LIMIT 1 OFFSET ?))",
                    deal,
                    amount().add(BigDecimal.ONE),
                    random.nextInt(3));
            db.update("UPDATE invoice SET paid = b'1' WHERE invoice_id = ?", db.randomKey("invoice", "invoice_id"));
        }
    }

    private void logActivity() throws SQLException {
        for (int i = 0; i < 3; i++) {
            db.update(
                    "INSERT INTO activity (happened_on, contact_id, kind, details) VALUES (? + INTERVAL ? DAY, "
                            + "?, ?, ?)",
                    db.pick(DAYS),
                    random.nextInt(20),
                    db.randomKey("contact", "contact_id"),
                    db.pick(List.of("call", "email", "meeting")),
                    "activity " + random.nextInt(1000));
        }
    }

    private void addNote() throws SQLException {
        Long contact = db.randomKey("contact", "contact_id");
        if (contact != null) {
            db.update(
                    "INSERT INTO note (contact_id, body) VALUES (?, ?)",
                    contact,
                    "Met at the fair, wants a demo \u2013 r\u00e9union " + random.nextInt(100));
        }
    }

    private BigDecimal amount() {
        return BigDecimal.valueOf(1 + random.nextInt(10_000_000), 2);
    }

    private String coordinate(int limit) {
        return BigDecimal.valueOf(random.nextInt(2 * limit * 100) - limit * 100, 2)
                .toPlainString();
    }
}
