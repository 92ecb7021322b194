-- Step 1 of the MariaDB CRM fixture's history: tags, phone numbers, 2025's activity partition.
-- Same form as base.sql: DELIMITER around bodies, names never qualified with the database.

-- created
CREATE TABLE tag (
    tag_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
    label VARCHAR(40) NOT NULL,
    PRIMARY KEY (tag_id),
    UNIQUE KEY tag_label (label)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE contact_tag (
    contact_id INT UNSIGNED NOT NULL,
    tag_id SMALLINT UNSIGNED NOT NULL,
    PRIMARY KEY (contact_id, tag_id),
    CONSTRAINT contact_tag_contact_fk FOREIGN KEY (contact_id) REFERENCES contact (contact_id) ON DELETE CASCADE,
    CONSTRAINT contact_tag_tag_fk FOREIGN KEY (tag_id) REFERENCES tag (tag_id) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE FUNCTION initials(first VARCHAR(50), last VARCHAR(50)) RETURNS CHAR(2) CHARACTER SET utf8mb4
    DETERMINISTIC NO SQL
    RETURN CONCAT(LEFT(COALESCE(first, ''), 1), LEFT(last, 1));
CREATE VIEW tagged_contacts AS
    SELECT ct.contact_id, t.label FROM contact_tag ct JOIN tag t ON t.tag_id = ct.tag_id;
CREATE TRIGGER contact_tag_ai AFTER INSERT ON contact_tag FOR EACH ROW
    INSERT INTO audit_log (table_name, row_id, action, detail) VALUES ('contact_tag', NEW.contact_id, 'insert', CONCAT('tag ', NEW.tag_id));
CREATE INDEX contact_name ON contact (last_name, first_name);
INSERT INTO tag (label) VALUES ('vip'), ('churn risk'), ('newsletter');

-- altered
ALTER TABLE contact ADD COLUMN phone VARCHAR(30) CHARACTER SET ascii COLLATE ascii_general_ci NULL AFTER email;
ALTER TABLE account ALTER COLUMN status SET DEFAULT 'active';
ALTER TABLE product MODIFY COLUMN title VARCHAR(255) NOT NULL;
ALTER TABLE note COMMENT = 'Free text about a contact', ROW_FORMAT = DYNAMIC;
ALTER TABLE activity REORGANIZE PARTITION pmax INTO (
    PARTITION p2025 VALUES LESS THAN ('2026-01-01'),
    PARTITION pmax VALUES LESS THAN (MAXVALUE)
);
ALTER EVENT purge_audit_log ON SCHEDULE EVERY 12 HOUR STARTS '2030-01-01 03:00:00' COMMENT 'Keeps 90 days of audit, twice a day';

-- replaced
CREATE OR REPLACE ALGORITHM=MERGE SQL SECURITY DEFINER VIEW open_deals AS
    SELECT deal_id, account_id, contact_id, title, stage, amount, probability, closes_on FROM deal WHERE stage NOT IN ('won', 'lost')
    WITH CASCADED CHECK OPTION;
DROP PROCEDURE close_deal;
DELIMITER ;;
CREATE PROCEDURE close_deal(IN p_deal BIGINT UNSIGNED, IN p_won BOOLEAN)
    MODIFIES SQL DATA
    COMMENT 'Marks a deal won or lost, closing it today'
BEGIN
    UPDATE deal SET stage = IF(p_won, 'won', 'lost'), probability = IF(p_won, 100, 0), closes_on = CURRENT_DATE
    WHERE deal_id = p_deal;
END;;
CREATE OR REPLACE TRIGGER deal_au AFTER UPDATE ON deal FOR EACH ROW
BEGIN
    -- the owner's changes are audited too now
    IF OLD.stage <> NEW.stage OR NOT (OLD.owner_id <=> NEW.owner_id) THEN
        INSERT INTO audit_log (table_name, row_id, action, detail)
        VALUES ('deal', NEW.deal_id, 'update', CONCAT('stage ', OLD.stage, ' -> ', NEW.stage, ', owner ', COALESCE(NEW.owner_id, '-')));
    END IF;
END;;
DELIMITER ;

-- dropped
DROP INDEX deal_closes_on ON deal;
DROP PROCEDURE archive_activity;
