package dev.backtrack.testkit;

import java.sql.SQLException;
import java.util.List;
import java.util.Random;

/**
 * The updates, key changes and deletes of one {@link MariaDbCrmWorkload} round. InnoDB carries out the
 * foreign keys' actions itself and the binary log holds only the statement's own rows, so every
 * cascade here is one a restore must repeat. Not thread-safe.
 */
final class MariaDbCrmChanges {
    private static final String NO_REPORTS =
            "staff_id NOT IN (SELECT manager_id FROM staff WHERE manager_id IS NOT NULL)";
    private final MariaDbRandomRows db;
    private final Random random;

    MariaDbCrmChanges(MariaDbRandomRows db, Random random) {
        this.db = db;
        this.random = random;
    }

    /** Fires the triggers on UPDATE and ON UPDATE CURRENT_TIMESTAMP, and writes spatial values. */
    void updateSome() throws SQLException {
        db.update(
                "UPDATE account SET credit_limit = credit_limit + 1, status = ? WHERE account_id = ?",
                db.pick(List.of("lead", "active", "dormant", "closed")),
                db.randomKey("account", "account_id"));
        Long deal = db.randomKey("deal", "deal_id");
        if (deal != null) {
            db.update("CALL close_deal(?, ?)", deal, random.nextBoolean());
        }
        db.update(
                "UPDATE deal SET owner_id = ?, stage = ? WHERE deal_id = ?",
                db.randomKey("staff", "staff_id"),
                db.pick(List.of("lead", "qualified", "proposal")),
                db.randomKey("deal", "deal_id"));
        db.update(
                "UPDATE product SET title = CONCAT('Renamed ', product_id, ' #', ?) WHERE product_id = ?",
                random.nextInt(100),
                db.randomKey("product", "product_id"));
        db.update(
                "UPDATE contact SET opted_in = b'1', prefs = JSON_SET(prefs, '$.newsletter', TRUE) WHERE "
                        + "contact_id = ?",
                db.randomKey("contact", "contact_id"));
        db.update(
                "INSERT INTO staff (username, full_name, manager_id) VALUES (?, ?, ?)",
                "user" + random.nextInt(1_000_000),
                "Staff Member",
                db.randomKey("staff", "staff_id"));
        new MariaDbGeometries(db, random).moveCentre();
    }

    /** Parent keys change under ON UPDATE CASCADE children (and ON UPDATE SET NULL ones, for a contact's deals). */
    void changeKeys() throws SQLException {
        if (random.nextInt(3) == 0) {
            newKey("country", "country_id", "TRUE", 60_000);
        }
        if (random.nextInt(3) == 0) {
            newKey("category", "category_id", "TRUE", 250);
        }
        if (random.nextInt(3) == 0) {
            db.update("UPDATE currency SET code = CASE code WHEN 'GBP' THEN 'GBX' ELSE 'GBP' END WHERE code IN "
                    + "('GBP', 'GBX')");
        }
        // a note's foreign key has no ON UPDATE action (RESTRICT), so only contacts without notes move
        newKey("contact", "contact_id", "contact_id NOT IN (SELECT contact_id FROM note)", 4_000_000_000L);
        // a self-referencing ON UPDATE CASCADE that would change staff again is refused by InnoDB: no managers
        newKey("staff", "staff_id", NO_REPORTS, 60_000);
        if (random.nextInt(3) == 0) {
            newKey("account", "account_id", "TRUE", Long.MAX_VALUE);
        }
    }

    /** Deletes parents whose children have ON DELETE CASCADE and SET NULL, and rows whose triggers write elsewhere. */
    void deleteSome() throws SQLException {
        if (random.nextInt(4) == 0) {
            db.update("DELETE FROM country WHERE country_id = ?", db.randomKey("country", "country_id"));
        }
        if (random.nextInt(3) == 0) {
            db.update("DELETE FROM account WHERE account_id = ?", db.randomKey("account", "account_id"));
        }
        if (random.nextBoolean()) {
            db.update("DELETE FROM contact WHERE contact_id = ?", db.randomKey("contact", "contact_id"));
        }
        if (random.nextBoolean()) {
            db.update("DELETE FROM deal WHERE deal_id = ?", db.randomKey("deal", "deal_id"));
        }
        if (random.nextInt(4) == 0) {
            db.update("DELETE FROM staff WHERE staff_id = ?", db.randomKey("staff", "staff_id", NO_REPORTS));
        }
        if (random.nextInt(3) == 0) {
            db.update(
                    "DELETE FROM product WHERE product_id = ?",
                    db.randomKey("product", "product_id", "product_id NOT IN (SELECT product_id FROM deal_item)"));
        }
        db.update("DELETE FROM activity WHERE activity_id = ?", db.randomKey("activity", "activity_id"));
    }

    /** Moves one row matching {@code where} to the key after the largest, unless that would pass {@code limit}. */
    private void newKey(String table, String column, String where, long limit) throws SQLException {
        Long key = db.randomKey(table, column, where);
        Long max = db.queryLong("SELECT MAX(" + column + ") FROM " + table);
        if (key != null && max < limit) {
            db.update("UPDATE " + table + " SET " + column + " = ? WHERE " + column + " = ?", max + 1, key);
        }
    }
}
