-- Step 3 of the MariaDB CRM fixture's history: renames, merged partitions, tags gone.
-- Same form as base.sql: DELIMITER around bodies, names never qualified with the database.

-- created
CREATE VIEW deal_pipeline AS
    SELECT stage, COUNT(*) AS deals, SUM(amount) AS amount, SUM(weighted_amount) AS weighted FROM deal GROUP BY stage;
ALTER TABLE geo_region ADD COLUMN service_area MULTIPOLYGON REF_SYSTEM_ID=3857 NULL AFTER islands;
ALTER TABLE deal ADD COLUMN is_open BOOLEAN AS (stage NOT IN ('won', 'lost')) VIRTUAL;
-- the indexed virtual column on a table no foreign key rule changes: MariaDB 10.11 marked deal's index on
-- is_open corrupted now and then once cascades from account reached deal (the MDEV-23033 family of bugs)
ALTER TABLE product ADD COLUMN is_free BOOLEAN AS (list_price = 0) VIRTUAL, ADD INDEX product_is_free (is_free);
DELIMITER ;;
CREATE PROCEDURE archive_activity(IN p_before DATE)
    MODIFIES SQL DATA
    COMMENT 'Back again, without the count'
BEGIN
    DELETE FROM activity WHERE happened_on < p_before AND kind IN ('note', 'email');
END;;
DELIMITER ;

-- altered: renames of a column and a table, a table converted to another character set, partitions
-- merged, an event disabled and renamed
ALTER TABLE note RENAME COLUMN pinned TO is_pinned;
RENAME TABLE contact_archive TO contact_history;
ALTER TABLE app_setting CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE activity REORGANIZE PARTITION p2024h1, p2024h2 INTO (PARTITION p2024 VALUES LESS THAN ('2025-01-01'));
ALTER EVENT purge_audit_log DISABLE;
ALTER EVENT purge_audit_log RENAME TO purge_old_audit;
ALTER TABLE staff ALTER COLUMN permissions SET DEFAULT b'00000011';

-- replaced: the trigger now writes the renamed table
DROP TRIGGER contact_ad;
CREATE TRIGGER contact_ad AFTER DELETE ON contact FOR EACH ROW
    REPLACE INTO contact_history (contact_id, account_id, email) VALUES (OLD.contact_id, OLD.account_id, OLD.email);
CREATE OR REPLACE VIEW contact_directory AS
    SELECT c.contact_id, c.full_name, c.email, c.phone, a.name AS account_name, ci.name AS city
    FROM contact c JOIN account a ON a.account_id = c.account_id
    LEFT JOIN address ad ON ad.address_id = a.address_id LEFT JOIN city ci ON ci.city_id = ad.city_id;

-- dropped
DROP VIEW tagged_contacts;
DROP TABLE contact_tag;
DROP EVENT refresh_balances;
DROP PROCEDURE merge_accounts;
DROP INDEX contact_email_domain ON contact;
