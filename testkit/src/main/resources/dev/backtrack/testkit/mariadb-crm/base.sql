-- The MariaDB CRM fixture's starting schema, Sakila-like (see MariaDbCrm): 19 tables in three engines,
-- with every column type, default, key, foreign-key action, table option and object kind issue 16 lists.
-- Runs in the connection's current database. Like Sakila's own scripts it uses DELIMITER for bodies, so
-- `mariadb --comments db < base.sql` and MariaDbCrm (MariaDbScript splits it the same way) both run it.
-- Names are never qualified with the database: the fixture is created in databases of any name.

-- reference data; the ascii_bin code compares byte for byte
CREATE TABLE country (
    country_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
    iso_code CHAR(2) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    name VARCHAR(60) NOT NULL,
    last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    PRIMARY KEY (country_id),
    UNIQUE KEY country_iso_code (iso_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE city (
    city_id INT UNSIGNED NOT NULL AUTO_INCREMENT,
    country_id SMALLINT UNSIGNED NOT NULL,
    name VARCHAR(60) NOT NULL,
    last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    PRIMARY KEY (city_id),
    KEY city_country (country_id),
    CONSTRAINT city_country_fk FOREIGN KEY (country_id) REFERENCES country (country_id) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- a SPATIAL index on InnoDB needs a NOT NULL geometry; REF_SYSTEM_ID is the column's SRID
CREATE TABLE address (
    address_id INT UNSIGNED NOT NULL AUTO_INCREMENT,
    city_id INT UNSIGNED NULL,
    line1 VARCHAR(100) NOT NULL,
    postal_code VARCHAR(10) CHARACTER SET ascii COLLATE ascii_general_ci NULL,
    location POINT REF_SYSTEM_ID=4326 NOT NULL,
    last_update TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    PRIMARY KEY (address_id),
    SPATIAL KEY address_location (location),
    CONSTRAINT address_city_fk FOREIGN KEY (city_id) REFERENCES city (city_id) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='Postal addresses with a WGS 84 location';

-- ON DELETE SET DEFAULT: MariaDB 10.11's InnoDB accepts it without a warning and stores RESTRICT
-- (SHOW CREATE TABLE then shows no action); no workload deletes a currency
CREATE TABLE currency (
    code CHAR(3) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    name VARCHAR(40) NOT NULL,
    minor_units TINYINT UNSIGNED NOT NULL DEFAULT 2,
    PRIMARY KEY (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE account (
    account_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    name VARCHAR(100) NOT NULL,
    code VARCHAR(20) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
    status ENUM('lead','active','dormant','closed') NOT NULL DEFAULT 'lead',
    segments SET('smb','enterprise','public','partner') NOT NULL DEFAULT 'smb',
    founded YEAR NULL,
    credit_limit DECIMAL(65,30) NOT NULL DEFAULT 0,
    balance DECIMAL(14,2) NOT NULL DEFAULT 0.00,
    address_id INT UNSIGNED NULL,
    external_ref CHAR(36) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL DEFAULT (UUID()),
    created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    PRIMARY KEY (account_id),
    UNIQUE KEY account_code (code),
    KEY account_address (address_id),
    CONSTRAINT account_address_fk FOREIGN KEY (address_id) REFERENCES address (address_id) ON DELETE SET NULL,
    CONSTRAINT account_credit_limit_non_negative CHECK (credit_limit >= 0)
) ENGINE=InnoDB AUTO_INCREMENT=1000 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci ROW_FORMAT=DYNAMIC
  COMMENT='A customer: a company, or a person buying alone';

CREATE TABLE staff (
    staff_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
    username VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    full_name VARCHAR(100) NOT NULL,
    manager_id SMALLINT UNSIGNED NULL,
    active BIT(1) NOT NULL DEFAULT b'1',
    permissions BIT(8) NOT NULL DEFAULT b'00000001',
    hired_on DATE NOT NULL DEFAULT (CURRENT_DATE),
    last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    PRIMARY KEY (staff_id),
    UNIQUE KEY staff_username (username),
    CONSTRAINT staff_manager_fk FOREIGN KEY (manager_id) REFERENCES staff (staff_id) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE contact (
    contact_id INT UNSIGNED NOT NULL AUTO_INCREMENT,
    account_id BIGINT UNSIGNED NOT NULL,
    first_name VARCHAR(50) NULL,
    last_name VARCHAR(50) NOT NULL,
    email VARCHAR(254) NOT NULL,
    full_name VARCHAR(101) AS (CONCAT_WS(' ', first_name, last_name)) VIRTUAL,
    email_domain VARCHAR(254) AS (SUBSTRING_INDEX(email, '@', -1)) STORED,
    prefs JSON NOT NULL DEFAULT (JSON_OBJECT('newsletter', FALSE)),
    opted_in BIT(1) NOT NULL DEFAULT b'0',
    last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    PRIMARY KEY (contact_id),
    UNIQUE KEY contact_email_per_account (account_id, email),
    KEY contact_email_domain (email_domain),
    CONSTRAINT contact_account_fk FOREIGN KEY (account_id) REFERENCES account (account_id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT contact_email_has_at CHECK (email LIKE '%_@_%')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Sakila's film: unsigned BIGINT beyond 2^63, YEAR, ENUM and SET
CREATE TABLE product (
    product_id INT UNSIGNED NOT NULL AUTO_INCREMENT,
    sku CHAR(12) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    title VARCHAR(200) NOT NULL,
    description TEXT NULL,
    list_price DECIMAL(10,2) NOT NULL DEFAULT 0.00 CHECK (list_price >= 0),
    weight_mg BIGINT UNSIGNED NOT NULL DEFAULT 0,
    released YEAR NULL,
    rating ENUM('G','PG','PG-13','R','NC-17') NULL DEFAULT 'G',
    features SET('Trailers','Commentaries','Deleted Scenes','Behind the Scenes') NULL,
    last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    PRIMARY KEY (product_id),
    UNIQUE KEY product_sku (sku)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Sakila's film_text: only the product triggers write it
CREATE TABLE product_text (
    product_id INT UNSIGNED NOT NULL,
    title VARCHAR(200) NOT NULL,
    description TEXT NULL,
    PRIMARY KEY (product_id),
    FULLTEXT KEY product_text_search (title, description)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE category (
    category_id TINYINT UNSIGNED NOT NULL AUTO_INCREMENT,
    name VARCHAR(25) NOT NULL,
    last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    PRIMARY KEY (category_id),
    UNIQUE KEY category_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE product_category (
    product_id INT UNSIGNED NOT NULL,
    category_id TINYINT UNSIGNED NOT NULL,
    last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    PRIMARY KEY (product_id, category_id),
    KEY product_category_category (category_id),
    CONSTRAINT product_category_product_fk FOREIGN KEY (product_id) REFERENCES product (product_id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT product_category_category_fk FOREIGN KEY (category_id) REFERENCES category (category_id) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- ON UPDATE SET NULL: a contact whose key changes leaves its deals without a contact
CREATE TABLE deal (
    deal_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    account_id BIGINT UNSIGNED NOT NULL,
    contact_id INT UNSIGNED NULL,
    owner_id SMALLINT UNSIGNED NULL,
    title VARCHAR(120) NOT NULL,
    stage ENUM('lead','qualified','proposal','won','lost') NOT NULL DEFAULT 'lead',
    amount DECIMAL(12,2) NOT NULL DEFAULT 0.00,
    probability TINYINT UNSIGNED NOT NULL DEFAULT 10,
    weighted_amount DECIMAL(14,4) AS (amount * probability / 100) STORED,
    opened_on DATE NOT NULL DEFAULT (CURRENT_DATE),
    closes_on DATE NULL DEFAULT (CURRENT_DATE + INTERVAL 30 DAY),
    updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (deal_id),
    KEY deal_account (account_id),
    KEY deal_contact (contact_id),
    KEY deal_owner (owner_id),
    KEY deal_closes_on (closes_on),
    CONSTRAINT deal_account_fk FOREIGN KEY (account_id) REFERENCES account (account_id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT deal_contact_fk FOREIGN KEY (contact_id) REFERENCES contact (contact_id) ON DELETE SET NULL ON UPDATE SET NULL,
    CONSTRAINT deal_owner_fk FOREIGN KEY (owner_id) REFERENCES staff (staff_id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT deal_probability_percent CHECK (probability <= 100)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE deal_item (
    deal_id BIGINT UNSIGNED NOT NULL,
    line_no SMALLINT UNSIGNED NOT NULL,
    product_id INT UNSIGNED NOT NULL,
    quantity INT UNSIGNED NOT NULL DEFAULT 1,
    unit_price DECIMAL(10,2) NOT NULL,
    line_total DECIMAL(12,2) AS (quantity * unit_price) VIRTUAL,
    PRIMARY KEY (deal_id, line_no),
    KEY deal_item_product (product_id),
    CONSTRAINT deal_item_deal_fk FOREIGN KEY (deal_id) REFERENCES deal (deal_id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT deal_item_product_fk FOREIGN KEY (product_id) REFERENCES product (product_id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT deal_item_quantity_positive CHECK (quantity > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE invoice (
    invoice_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    deal_id BIGINT UNSIGNED NOT NULL,
    amount DECIMAL(12,2) NOT NULL,
    currency CHAR(3) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT 'EUR',
    issued_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    due_on DATE AS (DATE(issued_at) + INTERVAL 30 DAY) VIRTUAL,
    paid BIT(1) NOT NULL DEFAULT b'0',
    paid_at DATETIME NULL,
    PRIMARY KEY (invoice_id),
    KEY invoice_deal (deal_id),
    KEY invoice_currency (currency),
    CONSTRAINT invoice_deal_fk FOREIGN KEY (deal_id) REFERENCES deal (deal_id) ON DELETE CASCADE,
    CONSTRAINT invoice_currency_fk FOREIGN KEY (currency) REFERENCES currency (code) ON DELETE SET DEFAULT ON UPDATE CASCADE,
    CONSTRAINT invoice_amount_positive CHECK (amount > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- partitioned InnoDB tables cannot have foreign keys, so contact_id is a plain column
CREATE TABLE activity (
    activity_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    happened_on DATE NOT NULL,
    contact_id INT UNSIGNED NULL,
    kind ENUM('call','email','meeting','note') NOT NULL,
    details VARCHAR(500) NULL,
    PRIMARY KEY (activity_id, happened_on),
    KEY activity_contact (contact_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
PARTITION BY RANGE COLUMNS (happened_on) (
    PARTITION p2023 VALUES LESS THAN ('2024-01-01'),
    PARTITION p2024h1 VALUES LESS THAN ('2024-07-01'),
    PARTITION p2024h2 VALUES LESS THAN ('2025-01-01'),
    PARTITION pmax VALUES LESS THAN (MAXVALUE)
);

-- non-transactional, written by triggers from inside InnoDB statements; FULLTEXT on MyISAM
CREATE TABLE audit_log (
    audit_id INT UNSIGNED NOT NULL AUTO_INCREMENT,
    table_name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
    row_id BIGINT UNSIGNED NOT NULL,
    action ENUM('insert','update','delete') NOT NULL,
    changed_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    detail VARCHAR(1000) NULL,
    PRIMARY KEY (audit_id),
    KEY audit_row (table_name, row_id),
    FULLTEXT KEY audit_detail (detail)
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci PACK_KEYS=1 CHECKSUM=1 COMMENT='Written by triggers only';

-- every geometry type with an SRID, a SPATIAL index, in Aria
CREATE TABLE geo_region (
    region_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
    name VARCHAR(60) NOT NULL,
    shape GEOMETRY REF_SYSTEM_ID=4326 NOT NULL,
    centre POINT REF_SYSTEM_ID=4326 NULL,
    route LINESTRING REF_SYSTEM_ID=4326 NULL,
    boundary POLYGON REF_SYSTEM_ID=4326 NULL,
    hubs MULTIPOINT REF_SYSTEM_ID=4326 NULL,
    roads MULTILINESTRING REF_SYSTEM_ID=4326 NULL,
    islands MULTIPOLYGON REF_SYSTEM_ID=4326 NULL,
    landmarks GEOMETRYCOLLECTION REF_SYSTEM_ID=4326 NULL,
    PRIMARY KEY (region_id),
    SPATIAL KEY geo_region_shape (shape)
) ENGINE=Aria DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci TRANSACTIONAL=1 PAGE_CHECKSUM=1;

-- a latin1 table with a utf8mb4 column
CREATE TABLE note (
    note_id INT UNSIGNED NOT NULL AUTO_INCREMENT,
    contact_id INT UNSIGNED NOT NULL,
    body TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL,
    pinned BOOLEAN NOT NULL DEFAULT FALSE,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (note_id),
    KEY note_contact (contact_id),
    FULLTEXT KEY note_body (body),
    CONSTRAINT note_contact_fk FOREIGN KEY (contact_id) REFERENCES contact (contact_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci ROW_FORMAT=COMPACT;

-- a table with nothing but a key and the database's default character set
CREATE TABLE app_setting (
    name VARCHAR(64) NOT NULL PRIMARY KEY,
    value VARCHAR(255) NULL
) ENGINE=InnoDB;

-- views: one with a definer that is not the creating user (who does not exist: SQL SECURITY INVOKER
-- reads as the caller), one updatable with a CHECK OPTION
CREATE DEFINER='crm_owner'@'%' SQL SECURITY INVOKER VIEW account_summary AS
    SELECT a.account_id, a.name, a.status, COUNT(d.deal_id) AS deals, COALESCE(SUM(d.amount), 0) AS pipeline
    FROM account a LEFT JOIN deal d ON d.account_id = a.account_id
    GROUP BY a.account_id, a.name, a.status;
CREATE ALGORITHM=MERGE SQL SECURITY DEFINER VIEW open_deals AS
    SELECT deal_id, account_id, title, stage, amount, probability FROM deal WHERE stage NOT IN ('won', 'lost')
    WITH CASCADED CHECK OPTION;
CREATE VIEW contact_directory AS
    SELECT c.contact_id, c.full_name, c.email, a.name AS account_name, ci.name AS city
    FROM contact c JOIN account a ON a.account_id = c.account_id
    LEFT JOIN address ad ON ad.address_id = a.address_id LEFT JOIN city ci ON ci.city_id = ad.city_id;

-- routines: with the binary log on, a function must say DETERMINISTIC, NO SQL or READS SQL DATA
CREATE FUNCTION weighted(amount DECIMAL(12,2), probability TINYINT UNSIGNED) RETURNS DECIMAL(14,4)
    DETERMINISTIC NO SQL
    COMMENT 'What a deal is worth times its chance'
    RETURN amount * probability / 100;

DELIMITER ;;
CREATE FUNCTION account_open_amount(p_account BIGINT UNSIGNED) RETURNS DECIMAL(14,2)
    READS SQL DATA
BEGIN
    DECLARE total DECIMAL(14,2);
    -- open means neither won nor lost
    SELECT COALESCE(SUM(amount), 0) INTO total FROM deal WHERE account_id = p_account AND stage NOT IN ('won', 'lost');
    RETURN total;
END;;

CREATE PROCEDURE close_deal(IN p_deal BIGINT UNSIGNED, IN p_won BOOLEAN)
    MODIFIES SQL DATA
    COMMENT 'Marks a deal won or lost'
BEGIN
    IF p_won THEN
        UPDATE deal SET stage = 'won', probability = 100 WHERE deal_id = p_deal;
    ELSE
        UPDATE deal SET stage = 'lost', probability = 0 WHERE deal_id = p_deal;
    END IF;
END;;

CREATE PROCEDURE archive_activity(IN p_before DATE, OUT p_moved INT)
    MODIFIES SQL DATA
BEGIN
    DELETE FROM activity WHERE happened_on < p_before AND kind = 'note';
    SET p_moved = ROW_COUNT();
END;;

-- triggers: the product ones keep product_text in step, as Sakila's film triggers keep film_text
CREATE TRIGGER product_ai AFTER INSERT ON product FOR EACH ROW
BEGIN
    INSERT INTO product_text (product_id, title, description) VALUES (NEW.product_id, NEW.title, NEW.description);
END;;

CREATE TRIGGER product_au AFTER UPDATE ON product FOR EACH ROW
BEGIN
    IF OLD.title <> NEW.title OR NOT (OLD.description <=> NEW.description) OR OLD.product_id <> NEW.product_id THEN
        UPDATE product_text SET product_id = NEW.product_id, title = NEW.title, description = NEW.description
        WHERE product_id = OLD.product_id;
    END IF;
END;;

CREATE TRIGGER product_ad AFTER DELETE ON product FOR EACH ROW
BEGIN
    DELETE FROM product_text WHERE product_id = OLD.product_id;
END;;

CREATE TRIGGER invoice_ai AFTER INSERT ON invoice FOR EACH ROW
BEGIN
    UPDATE account SET balance = balance + NEW.amount
    WHERE account_id = (SELECT account_id FROM deal WHERE deal_id = NEW.deal_id);
END;;

CREATE TRIGGER invoice_bu BEFORE UPDATE ON invoice FOR EACH ROW
BEGIN
    IF NEW.paid = b'1' AND OLD.paid = b'0' THEN
        SET NEW.paid_at = NOW();
    END IF;
END;;

CREATE TRIGGER deal_au AFTER UPDATE ON deal FOR EACH ROW
BEGIN
    IF OLD.stage <> NEW.stage THEN
        INSERT INTO audit_log (table_name, row_id, action, detail)
        VALUES ('deal', NEW.deal_id, 'update', CONCAT('stage ', OLD.stage, ' -> ', NEW.stage));
    END IF;
END;;

CREATE TRIGGER deal_ad AFTER DELETE ON deal FOR EACH ROW
    INSERT INTO audit_log (table_name, row_id, action, detail) VALUES ('deal', OLD.deal_id, 'delete', OLD.title);;

CREATE TRIGGER account_bi BEFORE INSERT ON account FOR EACH ROW
    SET NEW.code = UPPER(NEW.code);;

-- runs before account_bi: two triggers of one table, timing and event, in a chosen order
CREATE TRIGGER account_bi_trim BEFORE INSERT ON account FOR EACH ROW PRECEDES account_bi
    SET NEW.name = TRIM(NEW.name);;

-- a trigger writing the partitioned table
CREATE TRIGGER contact_ai AFTER INSERT ON contact FOR EACH ROW
    INSERT INTO activity (happened_on, contact_id, kind, details) VALUES ('2024-03-15', NEW.contact_id, 'note', 'contact created');;
DELIMITER ;

-- the event scheduler is off on the test servers, so the event never runs: it is schema only
CREATE EVENT purge_audit_log
    ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 03:00:00'
    ON COMPLETION PRESERVE ENABLE
    COMMENT 'Keeps 90 days of audit'
    DO DELETE FROM audit_log WHERE changed_at < NOW() - INTERVAL 90 DAY;

-- reference rows
INSERT INTO currency (code, name, minor_units) VALUES ('EUR', 'Euro', 2), ('GBP', 'Pound sterling', 2), ('JPY', 'Yen', 0);
INSERT INTO country (iso_code, name) VALUES ('FR', 'France'), ('GB', 'United Kingdom'), ('JP', 'Japan'), ('US', 'United States');
INSERT INTO city (country_id, name) SELECT country_id, CONCAT(name, ' capital') FROM country;
INSERT INTO category (name) VALUES ('Software'), ('Hardware'), ('Services'), ('Training');
INSERT INTO staff (username, full_name) VALUES ('boss', 'Big Boss');
INSERT INTO staff (username, full_name, manager_id, permissions) VALUES ('ann', 'Ann Seller', 1, b'00000111'), ('bob', 'Bob Seller', 1, b'00000011');
INSERT INTO app_setting (name, value) VALUES ('currency', 'EUR'), ('fiscal_year_start', '01-01');
