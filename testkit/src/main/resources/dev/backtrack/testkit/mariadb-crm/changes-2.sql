-- Step 2 of the MariaDB CRM fixture's history: engines change, 2023's activity goes, a second event.
-- Same form as base.sql: DELIMITER around bodies, names never qualified with the database.

-- created
CREATE TABLE contact_archive (
    contact_id INT UNSIGNED NOT NULL,
    account_id BIGINT UNSIGNED NOT NULL,
    email VARCHAR(254) NOT NULL,
    archived_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (contact_id)
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci ROW_FORMAT=FIXED;
CREATE TRIGGER contact_ad AFTER DELETE ON contact FOR EACH ROW
    REPLACE INTO contact_archive (contact_id, account_id, email) VALUES (OLD.contact_id, OLD.account_id, OLD.email);
CREATE EVENT refresh_balances
    ON SCHEDULE EVERY 1 HOUR STARTS '2030-01-01 00:00:00'
    ON COMPLETION NOT PRESERVE DISABLE
    DO UPDATE account a SET balance = (SELECT COALESCE(SUM(i.amount), 0) FROM invoice i JOIN deal d ON d.deal_id = i.deal_id
        WHERE d.account_id = a.account_id);
DELIMITER ;;
CREATE PROCEDURE merge_accounts(IN p_from BIGINT UNSIGNED, IN p_into BIGINT UNSIGNED)
    MODIFIES SQL DATA
BEGIN
    UPDATE deal SET account_id = p_into WHERE account_id = p_from;
    DELETE FROM account WHERE account_id = p_from;
END;;
DELIMITER ;

-- altered: a column dropped, a type and character set changed, a default changed, an engine changed,
-- a partition dropped (its rows with it), a CHECK added, a foreign key's action changed, a counter moved
ALTER TABLE account DROP COLUMN founded;
ALTER TABLE product MODIFY COLUMN description MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL;
ALTER TABLE deal ALTER COLUMN probability SET DEFAULT 20;
ALTER TABLE audit_log ENGINE=Aria TRANSACTIONAL=0;
ALTER TABLE activity DROP PARTITION p2023;
ALTER TABLE invoice ADD CONSTRAINT invoice_amount_below_a_billion CHECK (amount < 1000000000);
ALTER TABLE deal DROP FOREIGN KEY deal_owner_fk;
ALTER TABLE deal ADD CONSTRAINT deal_owner_fk FOREIGN KEY (owner_id) REFERENCES staff (staff_id) ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE invoice AUTO_INCREMENT = 50000;
ALTER TABLE contact MODIFY COLUMN prefs JSON NOT NULL DEFAULT (JSON_OBJECT('newsletter', FALSE, 'language', 'en'));

-- replaced
CREATE OR REPLACE FUNCTION weighted(amount DECIMAL(12,2), probability TINYINT UNSIGNED) RETURNS DECIMAL(14,4)
    DETERMINISTIC NO SQL
    COMMENT 'What a deal is worth times its chance, rounded to cents'
    RETURN ROUND(amount * probability / 100, 2);
DROP VIEW account_summary;
CREATE SQL SECURITY DEFINER VIEW account_summary AS
    SELECT a.account_id, a.name, a.status, a.balance, COUNT(d.deal_id) AS deals, COALESCE(SUM(d.amount), 0) AS pipeline
    FROM account a LEFT JOIN deal d ON d.account_id = a.account_id
    GROUP BY a.account_id, a.name, a.status, a.balance;

-- dropped
DROP TRIGGER invoice_bu;
DROP FUNCTION initials;
