package dev.backtrack.connectors.mariadb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.config.Engine;
import dev.backtrack.connectors.SourceException;
import dev.backtrack.connectors.target.TargetDatabase;
import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.Constraint;
import dev.backtrack.repository.schema.TableSchema;
import dev.backtrack.testkit.MariaDbServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MariaDbTargetTest {
    private static final MariaDbServer SERVER = MariaDbServer.shared();

    private static Column column(String name, String type, boolean nullable, String defaultExpression) {
        return new Column(name, type, nullable, defaultExpression, null, null, null);
    }

    private static Column autoIncrement(String name, String type) {
        return new Column(name, type, false, null, null, "auto_increment", null);
    }

    private static TableSchema table(
            int id,
            String schema,
            String name,
            List<Column> columns,
            List<String> primaryKey,
            List<String> indexes,
            List<Constraint> constraints) {
        return new TableSchema(
                id,
                id,
                schema,
                name,
                columns,
                primaryKey,
                primaryKey.isEmpty() ? null : "PRIMARY",
                Map.of(),
                Map.of(),
                indexes,
                constraints,
                false,
                1);
    }

    static final TableSchema ACCOUNTS = table(
            1,
            "crm",
            "accounts",
            List.of(
                    autoIncrement("id", "int(11)"),
                    column("email", "varchar(50) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci", false, null),
                    column("name", "text", true, "NULL"),
                    column("balance", "decimal(12,2)", false, "0.00"),
                    column("status", "enum('active','on hold')", false, "'active'"),
                    column("tags", "set('x','y','z')", true, "NULL"),
                    column("created", "timestamp(3)", false, "current_timestamp(3)"),
                    new Column(
                            "email_domain", "varchar(50)", true, null, null, null, "substring_index(`email`,'@',-1)")),
            List.of("id"),
            List.of("CREATE UNIQUE INDEX `uq_email` ON `accounts` (`email`)"),
            List.of());

    static final TableSchema PAYMENTS = table(
            2,
            "crm",
            "payments",
            List.of(
                    autoIncrement("id", "bigint(20) unsigned"),
                    column("account_id", "int(11)", false, null),
                    column("amount", "decimal(12,2)", false, null),
                    column("big", "bigint(20) unsigned", true, "NULL"),
                    column("flag", "tinyint(1)", true, "NULL"),
                    column("small", "smallint(6)", true, "NULL"),
                    column("medium", "mediumint(9)", true, "NULL"),
                    column("count", "int(10) unsigned", true, "NULL"),
                    column("f", "float", true, "NULL"),
                    column("d", "double", true, "NULL"),
                    column("code", "char(3)", true, "'EUR'"),
                    column("note", "longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci", true, "NULL"),
                    column("doc", "json", true, "NULL"),
                    column("raw", "binary(16)", true, "NULL"),
                    column("vb", "varbinary(255)", true, "NULL"),
                    column("bl", "blob", true, "NULL"),
                    column("lbl", "longblob", true, "NULL"),
                    column("b1", "bit(1)", true, "NULL"),
                    column("b5", "bit(5)", true, "NULL"),
                    column("b12", "bit(12)", true, "NULL"),
                    column("day", "date", true, "NULL"),
                    column("at", "datetime", true, "NULL"),
                    column("at6", "datetime(6)", true, "NULL"),
                    column("t6", "time(6)", true, "NULL"),
                    column("yr", "year(4)", true, "NULL"),
                    column("paid", "timestamp", true, "NULL")),
            List.of("id"),
            List.of("CREATE INDEX `ix_account_note` ON `payments` (`account_id`,`note`(10))"),
            List.of(
                    new Constraint(
                            "fk_account",
                            "f",
                            "FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE CASCADE ON "
                                    + "UPDATE RESTRICT"),
                    new Constraint("ck_amount", "c", "CHECK (`amount` >= 0)"),
                    // what MariaDB lists for a json column; the json type makes it again
                    new Constraint("doc", "c", "CHECK (json_valid(`doc`))")));

    /**
     * No primary key, from another source database, an AUTO_INCREMENT column that only a unique index
     * leads, a unique constraint and a foreign key to a table not restored.
     */
    static final TableSchema EVENTS = table(
            3,
            "audit",
            "events",
            List.of(
                    column("msg", "varchar(20)", false, "'hello'"),
                    column("tm", "time", true, "NULL"),
                    column("account_id", "int(11)", true, "NULL"),
                    autoIncrement("seq", "int(11)")),
            List.of(),
            List.of("CREATE UNIQUE INDEX `uq_seq` ON `events` (`seq`)"),
            List.of(
                    new Constraint("uq_msg_tm", "u", "UNIQUE (`msg`,`tm`)"),
                    new Constraint("fk_user", "f", "FOREIGN KEY (`account_id`) REFERENCES `users` (`id`)")));

    static final List<TableSchema> TABLES = List.of(ACCOUNTS, PAYMENTS, EVENTS);

    static final long AT6 =
            LocalDateTime.parse("2026-01-02T03:04:05.123456").toEpochSecond(ZoneOffset.UTC) * 1_000_000L + 123_456;
    static final long AT = LocalDateTime.parse("2001-02-03T04:05:06").toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
    static final byte[] RAW = {0, 1, 2, 0, (byte) 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    private static void restore(TargetDatabase db, List<TableSchema> tables, Map<String, Long> captured) {
        db.checkEmpty();
        db.begin();
        db.createTables(tables, Map.of("ignored", "START 1"));
        TargetDatabase.RowLoader accounts = db.load(ACCOUNTS);
        // the generated column's slot is skipped, whatever it holds
        accounts.add(new Object[] {
            0L, "zero@example.com", null, "0.00", "active", null, "2026-01-02T03:04:05.123Z", "ignored"
        });
        accounts.add(new Object[] {
            1L, "ana@example.com", "Ana 😀 Müller", "12.50", "on hold", "x,z", "2026-01-02T03:04:05Z", null
        });
        accounts.add(new Object[] {7L, "bo@example.org", "", "-3.10", "active", "", "1999-12-31T23:59:59.999Z", null});
        assertEquals(3, accounts.finish());
        TargetDatabase.RowLoader payments = db.load(PAYMENTS);
        payments.add(new Object[] {
            1L,
            1L,
            "12.50",
            "18446744073709551615",
            1L,
            -32768L,
            8388607L,
            4294967295L,
            3.14f,
            0.1 + 0.2,
            "USD",
            "line one\nline 'two' \\ tab\t😀",
            "{\"a\": [1, 2, {\"b\": null}]}",
            RAW,
            new byte[] {0, 0, 'a'},
            new byte[] {0},
            new byte[0],
            true,
            new byte[] {0x15},
            new byte[] {0x5c, 0x0a},
            LocalDate.parse("2026-01-02").toEpochDay(),
            AT,
            AT6,
            -(838L * 3600 + 59 * 60 + 59) * 1_000_000L,
            2024L,
            "2026-01-02T03:04:05Z"
        });
        payments.add(new Object[] {
            2L,
            7L,
            "0.00",
            "0",
            0L,
            0L,
            0L,
            0L,
            -1.5f,
            -1e300,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            false,
            new byte[] {0},
            new byte[] {0, 0},
            LocalDate.parse("1900-01-01").toEpochDay(),
            -1L,
            -1L,
            100L * 3_600_000_000L + 500_000L,
            1901L,
            null
        });
        Object[] nulls = new Object[PAYMENTS.columns().size()];
        nulls[0] = 3L;
        nulls[1] = 0L;
        nulls[2] = "1.00";
        nulls[23] = -1_500_000L;
        payments.add(nulls);
        assertEquals(3, payments.finish());
        TargetDatabase.RowLoader events = db.load(EVENTS);
        events.add(new Object[] {"started", 3_723_000_000L, 5L, 9L});
        events.add(new Object[] {"started", null, null, 5L});
        assertEquals(2, events.finish());
        db.addKeys(tables);
        List<String> notes = db.addIndexesAndConstraints(tables);
        assertEquals(
                List.of("foreign key audit.events.fk_user left out: it references a table that is not restored"),
                notes);
        db.setSequences(tables, captured);
        db.commit();
        db.analyze(tables);
    }

    @ParameterizedTest(name = "bulk={0}")
    @ValueSource(booleans = {true, false})
    void restoresEveryTypeExactly(boolean bulk) throws SQLException {
        String name = bulk ? "restored_bulk" : "restored_rows";
        SERVER.createDatabase(name);
        try (MariaDbTarget db = MariaDbTarget.connect(SERVER.jdbcUrl(name), "root", "")) {
            if (!bulk) {
                db.useMultiRowInserts();
            }
            assertEquals(Engine.MARIADB, db.engine());
            assertEquals(name, db.database());
            // accounts: the source's counter (100) is above the rows'; payments: none captured; events: no counter
            restore(db, TABLES, Map.of("crm.accounts", 100L, "crm.payments", 2L));
        }
        try (Connection c = SERVER.connect(name);
                Statement st = c.createStatement()) {
            st.execute("SET time_zone = '+00:00'");
            assertEquals(
                    List.of(
                            "0|zero@example.com|null|0.00|active|null|2026-01-02 03:04:05.123|example.com",
                            "1|ana@example.com|Ana 😀 Müller|12.50|on hold|x,z|2026-01-02 03:04:05.000|example.com",
                            "7|bo@example.org||-3.10|active||1999-12-31 23:59:59.999|example.org"),
                    rows(
                            st,
                            "SELECT id, email, name, CAST(balance AS CHAR), status, tags, CAST(created AS "
                                    + "CHAR), email_domain FROM accounts ORDER BY id"));
            assertEquals(
                    List.of(
                            "1|1|12.50|18446744073709551615|1|-32768|8388607|4294967295|3.14|0.30000000000000004|USD|"
                                    + "line one\nline 'two' \\ tab\t😀|{\"a\": [1, 2, {\"b\": "
                                    + "null}]}|00010200FF0000000000000000000000|000061|00||"
                                    + "1|15|A5C|2026-01-02|2001-02-03 04:05:06|2026-01-02 "
                                    + "03:04:05.123456|-838:59:59.000000|2024|2026-01-02 03:04:05",
                            "2|7|0.00|0|0|0|0|0|-1.5|-1e300|null|null|null|null|null|null|null|"
                                    + "0|0|0|1900-01-01|1969-12-31 23:59:59|1969-12-31 "
                                    + "23:59:59.999999|100:00:00.500000|1901|null",
                            "3|0|1.00|null|null|null|null|null|null|null|null|null|null|null|null|null|null|"
                                    + "null|null|null|null|null|null|-00:00:01.500000|null|null"),
                    rows(
                            st,
                            "SELECT id, account_id, CAST(amount AS CHAR), CAST(big AS CHAR), flag, small, "
                                    + "medium, CAST(count AS CHAR), CAST(f AS CHAR),"
                                    + " CAST(d AS CHAR), code, note, doc, HEX(raw), HEX(vb), HEX(bl), "
                                    + "HEX(lbl), CAST(b1 + 0 AS CHAR), HEX(b5), HEX(b12),"
                                    + " CAST(day AS CHAR), CAST(at AS CHAR), CAST(at6 AS CHAR), CAST(t6 AS "
                                    + "CHAR), CAST(yr AS CHAR), CAST(paid AS CHAR)"
                                    + " FROM payments ORDER BY id"));
            assertEquals(
                    List.of("started|01:02:03|5|9", "started|null|null|5"),
                    rows(st, "SELECT msg, CAST(tm AS CHAR), account_id, seq FROM events ORDER BY tm DESC"));
            // the row with id 0 kept its 0 (NO_AUTO_VALUE_ON_ZERO), not a fresh counter value
            assertEquals("1", one(st, "SELECT COUNT(*) FROM accounts WHERE id = 0"));

            String accounts = one(st, "SHOW CREATE TABLE accounts", 2);
            assertTrue(accounts.contains("`id` int(11) NOT NULL AUTO_INCREMENT"), accounts);
            assertTrue(
                    accounts.contains(
                            "`email_domain` varchar(50) GENERATED ALWAYS AS (substring_index(`email`,'@',-1)) STORED"),
                    accounts);
            assertTrue(accounts.contains("`created` timestamp(3) NOT NULL DEFAULT current_timestamp(3)"), accounts);
            assertTrue(accounts.contains("`status` enum('active','on hold') NOT NULL DEFAULT 'active'"), accounts);
            assertTrue(accounts.contains("PRIMARY KEY (`id`)"), accounts);
            assertTrue(accounts.contains("UNIQUE KEY `uq_email` (`email`)"), accounts);
            assertTrue(accounts.contains("AUTO_INCREMENT=100"), accounts);
            assertTrue(accounts.contains("COLLATE utf8mb4_unicode_ci"), accounts);
            String payments = one(st, "SHOW CREATE TABLE payments", 2);
            assertTrue(payments.contains("`id` bigint(20) unsigned NOT NULL AUTO_INCREMENT"), payments);
            assertTrue(payments.contains("KEY `ix_account_note` (`account_id`,`note`(10))"), payments);
            assertTrue(
                    payments.contains("CONSTRAINT `fk_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) "
                            + "ON DELETE CASCADE"),
                    payments);
            assertTrue(payments.contains("CONSTRAINT `ck_amount` CHECK (`amount` >= 0)"), payments);
            assertTrue(payments.contains("`code` char(3) DEFAULT 'EUR'"), payments);
            assertTrue(payments.contains("CHECK (json_valid(`doc`))"), payments);
            assertTrue(payments.contains("AUTO_INCREMENT=4"), payments);
            String events = one(st, "SHOW CREATE TABLE events", 2);
            assertTrue(events.contains("UNIQUE KEY `uq_msg_tm` (`msg`,`tm`)"), events);
            assertTrue(!events.contains("FOREIGN KEY"), events);
            assertTrue(events.contains("`seq` int(11) NOT NULL AUTO_INCREMENT"), events);
            assertTrue(events.contains("AUTO_INCREMENT=10"), events);
            assertTrue(!events.contains("PRIMARY KEY"), events);

            // the counters work: the next account gets 100, the next payment 4
            st.execute("INSERT INTO accounts (email) VALUES ('new@example.com')");
            assertEquals("100", one(st, "SELECT id FROM accounts WHERE email = 'new@example.com'"));
            st.execute("INSERT INTO payments (account_id, amount) VALUES (100, 1)");
            assertEquals("4", one(st, "SELECT MAX(id) FROM payments"));
            // the constraints hold
            assertThrows(
                    SQLException.class, () -> st.execute("INSERT INTO payments (account_id, amount) VALUES (1, -1)"));
            assertThrows(
                    SQLException.class,
                    () -> st.execute("INSERT INTO payments (account_id, amount) VALUES (12345, 1)"));
            assertThrows(
                    SQLException.class, () -> st.execute("INSERT INTO accounts (email) VALUES ('ana@example.com')"));
        }
    }

    @Test
    void refusesANonEmptyDatabaseAndDropsWhatItRestored() {
        SERVER.createDatabase("restored_twice");
        SERVER.execute("restored_twice", "CREATE VIEW v AS SELECT 1 AS one");
        try (MariaDbTarget db = MariaDbTarget.connect(SERVER.jdbcUrl("restored_twice"), "root", "")) {
            SourceException e = assertThrows(SourceException.class, db::checkEmpty);
            assertEquals(
                    "target database restored_twice at " + SERVER.jdbcUrl("restored_twice")
                            + " is not empty (it has view v): "
                            + "restore into a new, empty database, e.g. CREATE DATABASE crm_restored",
                    e.getMessage());
            SERVER.execute("restored_twice", "DROP VIEW v");
            restore(db, TABLES, Map.of());
            assertTrue(assertThrows(SourceException.class, db::checkEmpty)
                    .getMessage()
                    .contains("(it has table "));
            db.dropRestored(TABLES, Map.of());
            db.checkEmpty();
        }
        assertEquals(
                "0",
                SERVER.queryOne(
                        "restored_twice",
                        "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'restored_twice'"));
    }

    @ParameterizedTest(name = "bulk={0}")
    @ValueSource(booleans = {true, false})
    void aValueThatDoesNotFitFailsNamingTableAndRow(boolean bulk) {
        String name = bulk ? "restored_narrow_bulk" : "restored_narrow_rows";
        SERVER.createDatabase(name);
        TableSchema narrow = table(
                9,
                "crm",
                "codes",
                List.of(autoIncrement("id", "int(11)"), column("code", "varchar(3)", false, null)),
                List.of("id"),
                List.of(),
                List.of());
        try (MariaDbTarget db = MariaDbTarget.connect(SERVER.jdbcUrl(name), "root", "")) {
            if (!bulk) {
                db.useMultiRowInserts();
            }
            db.begin();
            db.createTables(List.of(narrow), Map.of());
            TargetDatabase.RowLoader loader = db.load(narrow);
            // past the first bulk batch, so the row number counts across batches
            for (long id = 1; id <= 10_002; id++) {
                loader.add(new Object[] {id, "abc"});
            }
            loader.add(new Object[] {10_003L, "abcd"});
            SourceException e = assertThrows(SourceException.class, loader::finish);
            assertTrue(
                    e.getMessage()
                            .startsWith("loading crm.codes into " + name
                                    + ".codes failed at row 10003 (Data too long for column 'code')"),
                    e.getMessage());
            assertTrue(
                    e.getMessage().contains("): the value does not fit the column as the table version defines it"),
                    e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
            loader.cancel();
            db.rollback();
            db.dropRestored(List.of(narrow), Map.of());
            db.checkEmpty();
        }
    }

    @Test
    void acceptsAMysqlUrlAndNamesAMissingDatabase() {
        SERVER.createDatabase("restored_mysql");
        try (MariaDbTarget db = MariaDbTarget.connect(
                SERVER.jdbcUrl("restored_mysql").replace("jdbc:mariadb:", "jdbc:mysql:"), "root", "")) {
            assertEquals(Engine.MYSQL, db.engine());
            db.checkEmpty();
        }
        SourceException none =
                assertThrows(SourceException.class, () -> MariaDbTarget.connect(SERVER.jdbcUrl(""), "root", ""));
        assertTrue(
                none.getMessage().startsWith("target URL " + SERVER.jdbcUrl("") + " names no database: add one"),
                none.getMessage());
        SourceException missing = assertThrows(
                SourceException.class, () -> MariaDbTarget.connect(SERVER.jdbcUrl("no_such_db"), "root", ""));
        assertTrue(
                missing.getMessage()
                        .startsWith("target database in " + SERVER.jdbcUrl("no_such_db") + " does not exist"),
                missing.getMessage());
    }

    @Test
    void readsTheReferencedTableOfAForeignKey() {
        assertEquals(
                List.of("accounts"), MariaDbTarget.referencedTable("FOREIGN KEY (`a`) REFERENCES `accounts` (`id`)"));
        assertEquals(
                List.of("other", "we`ird"),
                MariaDbTarget.referencedTable(
                        "FOREIGN KEY (`a`) REFERENCES `other`.`we``ird` (`id`) ON DELETE CASCADE"));
    }

    private static List<String> rows(Statement st, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    b.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(b.toString());
            }
        }
        return out;
    }

    private static String one(Statement st, String sql) throws SQLException {
        return one(st, sql, 1);
    }

    private static String one(Statement st, String sql, int column) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(column) : null;
        }
    }

    @Test
    void formatsTemporalValues() {
        assertEquals("1969-12-31 23:59:59.999999", MariaDbValues.datetime(-1));
        assertEquals("-838:59:59.000000", MariaDbValues.time(-3_020_399_000_000L));
        assertEquals("00:00:00.000001", MariaDbValues.time(1));
        assertEquals("2026-01-02 03:04:05.123", MariaDbValues.timestamp("2026-01-02T03:04:05.123Z"));
        assertEquals("2026-01-02 02:04:05.000000", MariaDbValues.timestamp("2026-01-02T03:04:05+01:00"));
    }
}
