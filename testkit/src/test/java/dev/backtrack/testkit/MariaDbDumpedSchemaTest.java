package dev.backtrack.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.testkit.MariaDbDumpedSchema.Section;
import dev.backtrack.testkit.MariaDbSchemaDump.Options;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Parses a real mariadb-dump 10.11 output ({@code mariadb-dump-sample.sql}: a table, a view, triggers, routines, an
 * event).
 */
class MariaDbDumpedSchemaTest {
    private static final String SAMPLE = sample();
    private static final String SQL_MODE =
            "SET sql_mode = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,"
                    + "NO_ENGINE_SUBSTITUTION'";

    @Test
    void everyObjectIsOneSectionAndTheDumpsOwnSessionIsLeftOut() {
        MariaDbDumpedSchema schema = parse(SAMPLE, Options.defaults());
        assertEquals(
                List.of(
                        "DATABASE",
                        "EVENT ev",
                        "FUNCTION f0",
                        "FUNCTION f1",
                        "PROCEDURE pr",
                        "TABLE a",
                        "TRIGGER a_au",
                        "TRIGGER a_bi",
                        "TRIGGER a_bi0",
                        "VIEW va"),
                schema.sections().stream().map(Section::header).toList());
        assertEquals(
                List.of("CREATE DATABASE IF NOT EXISTS ? DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"),
                schema.ofKind("DATABASE").get(0).statements());
        String text = schema.toString();
        for (String gone : List.of(
                "SET NAMES",
                "@OLD_",
                "@saved",
                "TIME_ZONE='+00:00'",
                "FOREIGN_KEY_CHECKS",
                "sandbox",
                "`sample`",
                "DROP ")) {
            assertFalse(text.contains(gone), gone + " in\n" + text);
        }
    }

    @Test
    void aTablesAutoIncrementCounterIsLeftOutButItsColumnsAndOptionsAreKept() {
        List<String> table =
                parse(SAMPLE, Options.defaults()).ofKind("TABLE").get(0).statements();
        assertEquals(1, table.size(), "a table has no creation context: " + table);
        assertTrue(
                table.get(0)
                        .startsWith("CREATE TABLE `a` (\n  `id` int(11) NOT NULL AUTO_INCREMENT,\n  `n` int(11) "
                                + "DEFAULT 2,"),
                table.get(0));
        assertTrue(
                table.get(0)
                        .endsWith(") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='hi'"),
                table.get(0));
        assertEquals(
                parse(SAMPLE, Options.defaults()),
                parse(SAMPLE.replace("AUTO_INCREMENT=101", "AUTO_INCREMENT=9000"), Options.defaults()));
    }

    @Test
    void aTriggerKeepsItsCreationContextItsDatabaseCollationAndItsActionOrder() {
        assertEquals(
                List.of(
                        "SET character_set_client = utf8mb3",
                        "SET character_set_results = utf8mb3",
                        "SET collation_connection = utf8mb3_general_ci",
                        "ALTER DATABASE ? CHARACTER SET latin1 COLLATE latin1_swedish_ci",
                        SQL_MODE,
                        "-- action order 1 of BEFORE INSERT ON a",
                        "CREATE DEFINER=`root`@`127.0.0.1` TRIGGER a_bi0 BEFORE INSERT ON a FOR EACH ROW SET "
                                + "NEW.n = 0"),
                section("TRIGGER a_bi0").statements());
        assertTrue(section("TRIGGER a_bi").statements().contains("-- action order 2 of BEFORE INSERT ON a"));
        assertTrue(section("TRIGGER a_au").statements().contains("-- action order 1 of AFTER UPDATE ON a"));
    }

    @Test
    void onlyARoutineCreatedUnderAnotherDatabaseCollationCarriesIt() {
        assertTrue(section("FUNCTION f0")
                .statements()
                .contains("ALTER DATABASE ? CHARACTER SET latin1 COLLATE latin1_swedish_ci"));
        assertEquals(
                List.of(
                        "SET character_set_client = utf8mb3",
                        "SET character_set_results = utf8mb3",
                        "SET collation_connection = utf8mb3_general_ci",
                        SQL_MODE,
                        "CREATE DEFINER=`root`@`127.0.0.1` FUNCTION `f1`() RETURNS int(11)\n    "
                                + "DETERMINISTIC\nRETURN 1"),
                section("FUNCTION f1").statements());
    }

    @Test
    void aViewIsItsFinalDefinitionNotThePlaceholderMadeBeforeTheTables() {
        List<String> view = section("VIEW va").statements();
        assertEquals(
                "CREATE ALGORITHM=UNDEFINED \nDEFINER=`nobody`@`%` SQL SECURITY INVOKER \nVIEW `va` AS select "
                        + "`a`.`id` AS `id`,`a`.`t` AS `t`"
                        + " from `a` where `a`.`id` > 0 \nWITH CASCADED CHECK OPTION",
                view.get(view.size() - 1));
    }

    @Test
    void aBodyThatChangesIsNamedInTheDiff() {
        MariaDbDumpedSchema changed = parse(SAMPLE.replace("SET NEW.n = 1", "SET NEW.n = 2"), Options.defaults());
        String diff = MariaDbSchemaDump.diff(parse(SAMPLE, Options.defaults()), changed);
        assertEquals(
                "1 object(s) differ:\nchanged: TRIGGER a_bi\n"
                        + "  only in A: CREATE DEFINER=`root`@`127.0.0.1` TRIGGER a_bi BEFORE INSERT ON a FOR "
                        + "EACH ROW SET NEW.n = 1;\n"
                        + "  only in B: CREATE DEFINER=`root`@`127.0.0.1` TRIGGER a_bi BEFORE INSERT ON a FOR "
                        + "EACH ROW SET NEW.n = 2;\n",
                diff);
    }

    @Test
    void theDefinerCountsUnlessIgnored() {
        String restored = SAMPLE.replace("`nobody`@`%`", "`backtrack`@`localhost`")
                .replace("`root`@`127.0.0.1`", "`backtrack`@`localhost`");
        assertNotEquals(parse(SAMPLE, Options.defaults()), parse(restored, Options.defaults()));
        assertEquals(
                parse(SAMPLE, Options.defaults().ignoringDefiner()),
                parse(restored, Options.defaults().ignoringDefiner()));
        assertTrue(
                parse(SAMPLE, Options.defaults().ignoringDefiner()).toString().contains("CREATE DEFINER=? EVENT `ev`"));
    }

    @Test
    void anEventsEnabledStateCountsUnlessIgnored() {
        String disabled = SAMPLE.replace("PRESERVE ENABLE", "PRESERVE DISABLE ON SLAVE");
        assertNotEquals(parse(SAMPLE, Options.defaults()), parse(disabled, Options.defaults()));
        assertEquals(
                parse(SAMPLE, Options.defaults().ignoringEventStatus()),
                parse(disabled, Options.defaults().ignoringEventStatus()));
    }

    @Test
    void theCreatingClientsCharacterSetCountsUnlessIgnoredButItsSqlModeAlwaysCounts() {
        String viaJdbc =
                SAMPLE.replace("= utf8mb3 */", "= utf8mb4 */").replace("utf8mb3_general_ci", "utf8mb4_general_ci");
        assertNotEquals(parse(SAMPLE, Options.defaults()), parse(viaJdbc, Options.defaults()));
        Options ignoring = Options.defaults().ignoringClientCharset();
        assertEquals(parse(SAMPLE, ignoring), parse(viaJdbc, ignoring));
        String ignoreSpace =
                viaJdbc.replace("sql_mode              = 'STRICT", "sql_mode              = 'IGNORE_SPACE,STRICT");
        assertTrue(MariaDbSchemaDump.diff(parse(SAMPLE, ignoring), parse(ignoreSpace, ignoring))
                .startsWith("7 object(s) differ:"));
    }

    @Test
    void aStatementTheParserDoesNotKnowIsKeptNotHidden() {
        MariaDbDumpedSchema schema = parse(SAMPLE + "\nGRANT SELECT ON a TO someone;\n", Options.defaults());
        assertEquals(
                List.of("GRANT SELECT ON a TO someone"),
                schema.ofKind("OTHER").get(0).statements());
    }

    private static Section section(String header) {
        return parse(SAMPLE, Options.defaults()).sections().stream()
                .filter(s -> s.header().equals(header))
                .findFirst()
                .orElseThrow();
    }

    private static MariaDbDumpedSchema parse(String dump, Options options) {
        return MariaDbDumpedSchema.parse(dump, options);
    }

    private static String sample() {
        try (InputStream in = MariaDbDumpedSchemaTest.class.getResourceAsStream("mariadb-dump-sample.sql")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
