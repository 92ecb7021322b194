package dev.backtrack.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class MariaDbScriptTest {

    @Test
    void aDelimiterLineChangesWhatEndsAStatementSoBodiesKeepTheirSemicolons() {
        String body = "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND";
        assertEquals(
                List.of("SELECT 0", body, "SELECT 3"),
                MariaDbScript.split("SELECT 0;\nDELIMITER ;;\n" + body + ";;\ndelimiter ;\nSELECT 3;\n"));
    }

    @Test
    void commentsBeforeAStatementAreDroppedAndCommentsInsideAreKept() {
        String trigger = "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN -- why; here\n  # and here;\n  SET "
                + "NEW.n = 1; /* done; */ END";
        assertEquals(
                List.of(trigger, "SELECT 2"),
                MariaDbScript.split("-- first\n# second\n/* third; */\nDELIMITER //\n" + trigger
                        + "//\nDELIMITER ;\n-- last\nSELECT 2;"));
    }

    @Test
    void quotedTextAndIdentifiersKeepTheirDelimiters() {
        String sql = "SELECT 'it''s; here', 'back\\'slash;', \"dq;\\\"x\", `odd;``name`";
        assertEquals(List.of(sql, "SELECT 2"), MariaDbScript.split(sql + "; SELECT 2"));
    }

    @Test
    void twoDashesWithoutASpaceAreArithmeticNotAComment() {
        assertEquals(
                List.of("SELECT 5--3", "SELECT 1 -- one;\n+ 1"),
                MariaDbScript.split("SELECT 5--3; SELECT 1 -- one;\n+ 1;"));
    }

    @Test
    void executableCommentsAreStatementTextAndUnwrapToWhatTheServerReads() {
        List<String> statements = MariaDbScript.split(
                "/*!40101 SET NAMES utf8mb4 */;\nDELIMITER ;;\n/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`%`*/"
                        + " /*!50003 TRIGGER t AFTER DELETE ON a FOR EACH ROW BEGIN /* note */ SET @x = '*/'; "
                        + "END */;;\nDELIMITER ;\n");
        assertEquals("/*!40101 SET NAMES utf8mb4 */", statements.get(0));
        assertEquals(40101, MariaDbScript.leadingVersion(statements.get(0)));
        assertEquals("SET NAMES utf8mb4 ", MariaDbScript.unwrapExecutableComments(statements.get(0)));
        assertEquals(
                "CREATE DEFINER=`root`@`%` TRIGGER t AFTER DELETE ON a FOR EACH ROW BEGIN /* note */ SET @x = "
                        + "'*/'; END ",
                MariaDbScript.unwrapExecutableComments(statements.get(1)));
        assertEquals(0, MariaDbScript.leadingVersion("SET x = 1"));
    }

    @Test
    void theSandboxClientCommandMariadbDumpWritesFirstIsAStatementOfItsOwn() {
        assertEquals(
                List.of("/*M!999999\\- enable the sandbox mode */", "/*!40101 SET NAMES utf8mb4 */"),
                MariaDbScript.split("/*M!999999\\- enable the sandbox mode */ \n-- MariaDB dump\n/*!40101 SET NAMES "
                        + "utf8mb4 */;\n"));
    }

    @Test
    void aDelimiterWordInsideAStatementIsNoCommand() {
        assertEquals(List.of("SELECT 1 AS\ndelimiter"), MariaDbScript.split("SELECT 1 AS\ndelimiter;"));
    }
}
