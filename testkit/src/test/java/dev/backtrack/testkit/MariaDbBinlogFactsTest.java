package dev.backtrack.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.testkit.MariaDbPitr.BinlogCoordinates;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What MariaDB 10.11 does that issue 16's restore relies on or must make up for, checked on a real server. */
@Timeout(120)
class MariaDbBinlogFactsTest {
    private static final MariaDbServer SERVER = MariaDbServer.shared();
    private static final String DB = "crm_binlog_facts";

    /** InnoDB runs foreign-key actions below the binary log: a restore replaying rows must let the target cascade. */
    @Test
    void aParentsDeleteOrKeyUpdateLogsOnlyTheParentsRowNotTheCascadedChildren() {
        SERVER.createDatabase(DB);
        SERVER.execute(
                DB,
                "CREATE TABLE parent (id INT PRIMARY KEY) ENGINE=InnoDB",
                "CREATE TABLE nulled (id INT PRIMARY KEY, p INT, FOREIGN KEY (p) REFERENCES parent (id) ON "
                        + "DELETE SET NULL ON UPDATE CASCADE) ENGINE=InnoDB",
                "CREATE TABLE deleted (id INT PRIMARY KEY, p INT, FOREIGN KEY (p) REFERENCES parent (id) ON "
                        + "DELETE CASCADE ON UPDATE CASCADE) ENGINE=InnoDB",
                "INSERT INTO parent VALUES (1), (2)",
                "INSERT INTO nulled VALUES (10, 1), (11, 1), (12, 2)",
                "INSERT INTO deleted VALUES (20, 1), (21, 2)");

        String delete = rowEventsOf("DELETE FROM parent WHERE id = 1");
        assertEquals(List.of("### DELETE FROM `" + DB + "`.`parent`"), statementLines(delete), delete);
        // the children's tables are mapped (Table_map events) though none of their rows is logged
        assertTrue(
                delete.contains("Table_map: `" + DB + "`.`nulled`")
                        && delete.contains("Table_map: `" + DB + "`.`deleted`"),
                delete);
        assertEquals("2", SERVER.queryOne(DB, "SELECT COUNT(*) FROM nulled WHERE p IS NULL"), "ON DELETE SET NULL ran");
        assertEquals("1", SERVER.queryOne(DB, "SELECT COUNT(*) FROM deleted"), "ON DELETE CASCADE ran");

        String update = rowEventsOf("UPDATE parent SET id = 3 WHERE id = 2");
        assertEquals(List.of("### UPDATE `" + DB + "`.`parent`"), statementLines(update), update);
        assertEquals(
                "3 3",
                SERVER.queryOne(
                        DB, "SELECT CONCAT(n.p, ' ', d.p) FROM nulled n, deleted d WHERE n.id = 12 AND d.id = 21"),
                "ON UPDATE CASCADE ran");
    }

    /** The issue asks for SET DEFAULT; MariaDB 10.11's InnoDB takes the clause without a word and keeps RESTRICT. */
    @Test
    void onDeleteSetDefaultIsAcceptedWithoutAWarningAndStoredAsRestrict() throws SQLException {
        SERVER.createDatabase(DB);
        SERVER.execute(DB, "CREATE TABLE parent (id INT PRIMARY KEY) ENGINE=InnoDB");
        try (Connection c = SERVER.connect(DB);
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE child (id INT PRIMARY KEY, p INT DEFAULT 1, FOREIGN KEY (p) REFERENCES parent (id)"
                    + " ON DELETE SET DEFAULT ON UPDATE SET DEFAULT) ENGINE=InnoDB");
            assertNull(st.getWarnings(), "no warning");
        }
        assertEquals(
                "RESTRICT RESTRICT",
                SERVER.queryOne(
                        DB,
                        "SELECT CONCAT(DELETE_RULE, ' ', UPDATE_RULE) FROM information_schema.REFERENTIAL_CONSTRAINTS"
                                + " WHERE CONSTRAINT_SCHEMA = '" + DB + "' AND TABLE_NAME = 'child'"));
        assertFalse(SERVER.run("mariadb", "--batch", "-e", "SHOW CREATE TABLE " + DB + ".child")
                .contains("SET DEFAULT"));
        SERVER.execute(DB, "INSERT INTO parent VALUES (1), (2)", "INSERT INTO child VALUES (1, 2)");
        IllegalStateException refused =
                assertThrows(IllegalStateException.class, () -> SERVER.execute(DB, "DELETE FROM parent WHERE id = 2"));
        assertTrue(refused.getMessage().contains("a foreign key constraint fails"), refused.getMessage());
        assertEquals("2", SERVER.queryOne(DB, "SELECT p FROM child"));
    }

    /** Runs {@code sql} and returns the decoded row events it wrote to the binary log. */
    private static String rowEventsOf(String sql) {
        BinlogCoordinates before = MariaDbPitr.currentPosition(SERVER);
        SERVER.execute(DB, sql);
        BinlogCoordinates after = MariaDbPitr.currentPosition(SERVER);
        assertEquals(before.file(), after.file(), "the binary log rotated in between");
        Path file = Path.of(SERVER.dataDir().toString(), before.file());
        return SERVER.run(
                "mariadb-binlog",
                "--base64-output=decode-rows",
                "--verbose",
                "--start-position=" + before.position(),
                "--stop-position=" + after.position(),
                file.toString());
    }

    /** The first line of each decoded row ({@code ### INSERT INTO}, {@code ### UPDATE}, {@code ### DELETE FROM}). */
    private static List<String> statementLines(String decoded) {
        Pattern row = Pattern.compile("^### (INSERT INTO|UPDATE|DELETE FROM) .*");
        return decoded.lines().filter(l -> row.matcher(l).matches()).toList();
    }
}
