package dev.backtrack.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlScriptTest {

    @Test
    void aSemicolonEndsAStatementAndCommentsBetweenStatementsAreDropped() {
        assertEquals(
                List.of("SELECT 1", "SELECT\n 2"),
                SqlScript.split("-- first\nSELECT 1; -- a comment; with a semicolon\nSELECT\n 2;\n\n"));
    }

    @Test
    void aDollarQuotedBodyKeepsItsSemicolonsAndComments() {
        String body = "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $fn$\nBEGIN\n  -- why; here\n  RETURN "
                + "1;\nEND;\n$fn$";
        assertEquals(List.of(body, "SELECT $$a;b$$"), SqlScript.split(body + ";\nSELECT $$a;b$$;"));
    }

    @Test
    void quotedTextAndIdentifiersKeepTheirSemicolons() {
        String sql = "SELECT 'it''s; here', \"odd;name\", E'back\\'slash;'";
        assertEquals(List.of(sql, "SELECT 2"), SqlScript.split(sql + "; SELECT 2"));
    }

    @Test
    void aBackslashEscapesOnlyInAnEStringNotAfterAWordEndingInE() {
        assertEquals(List.of("SELECT 1 WHERE'a\\'", "SELECT 2"), SqlScript.split("SELECT 1 WHERE'a\\'; SELECT 2"));
    }

    @Test
    void blockCommentsNestAndAreDropped() {
        assertEquals(List.of("SELECT   1"), SqlScript.split("SELECT /* a /* b; */ c; */ 1;"));
    }

    @Test
    void aDollarInsideAnIdentifierOrAParameterIsNoQuote() {
        assertEquals(
                List.of("SELECT a$b$ FROM t", "PREPARE p AS SELECT $1", "SELECT 3"),
                SqlScript.split("SELECT a$b$ FROM t; PREPARE p AS SELECT $1; SELECT 3"));
    }

    @Test
    void aMetaCommandAtAStatementsStartRunsToTheEndOfItsLine() {
        assertEquals(
                List.of("\\restrict Abc123", "SELECT 1", "\\unrestrict Abc123"),
                SqlScript.split("\\restrict Abc123\n\nSELECT 1;\n\\unrestrict Abc123\n"));
    }

    @Test
    void everyFixtureScriptSplitsIntoStatementsThatEachStartWithAKeyword() {
        for (String script : List.of("base.sql", "changes-1.sql", "changes-2.sql", "changes-3.sql")) {
            List<String> statements = CrmObjects.statements(script);
            for (String s : statements) {
                assertTrue(s.matches("(?s)[A-Z]+ .*"), script + ": not a statement: " + s);
            }
            assertTrue(statements.size() > 20, script + " has " + statements.size() + " statements");
        }
    }
}
