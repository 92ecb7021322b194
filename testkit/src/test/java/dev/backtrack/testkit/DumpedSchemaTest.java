package dev.backtrack.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DumpedSchemaTest {
    private static final String TABLE = """
            --
            -- Name: t; Type: TABLE; Schema: public; Owner: o
            --

            CREATE TABLE public.t (
                a integer,
                b text
            );


            ALTER TABLE public.t OWNER TO o;

            SET default_tablespace = '';

            """;
    private static final String GRANTS = """
            --
            -- Name: TABLE t; Type: ACL; Schema: public; Owner: o
            --

            GRANT SELECT ON TABLE public.t TO r1;
            GRANT SELECT ON TABLE public.t TO r2;

            """;

    private static String dump(String key, String version, String... sections) {
        return "--\n-- PostgreSQL database dump\n--\n\n\\restrict " + key + "\n\n-- Dumped from database version "
                + version + "\n\n"
                + "SET statement_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', false);\n\n"
                + String.join("", sections)
                + "--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict " + key + "\n";
    }

    private static DumpedSchema parse(String dump) {
        return DumpedSchema.parse(dump, AgentObjects.defaults());
    }

    @Test
    void objectOrderGrantOrderRestrictKeysVersionsAndSetsDoNotCount() {
        DumpedSchema a = parse(dump("Key1", "15.20", TABLE, GRANTS));
        String swappedGrants =
                GRANTS.replace("r1;", "r3;").replace("r2;", "r1;").replace("r3;", "r2;");
        DumpedSchema b =
                parse(dump("OtherKey", "15.21", swappedGrants, TABLE.replace("SET default_tablespace = '';", "")));
        assertEquals(a, b, () -> SchemaDump.diff(a, b));
        DumpedSchema.Section table = a.sections().stream()
                .filter(s -> s.type().equals("TABLE"))
                .findFirst()
                .orElseThrow();
        assertEquals(
                List.of("ALTER TABLE public.t OWNER TO o", "CREATE TABLE public.t (\n    a integer,\n    b text\n)"),
                table.statements(),
                "statements sorted, each one's text intact");
        assertEquals("no differences", SchemaDump.diff(a, b));
    }

    @Test
    void columnOrderCountsAndTheDiffShowsTheLinesThatDiffer() {
        DumpedSchema a = parse(dump("K", "15", TABLE, GRANTS));
        DumpedSchema b = parse(dump(
                "K",
                "15",
                TABLE.replace("a integer,\n    b text", "b text,\n    a integer"),
                GRANTS.replace("r2;", "r9;")));
        assertNotEquals(a, b);
        String diff = SchemaDump.diff(a, b);
        assertTrue(diff.startsWith("2 object(s) differ:\n"), diff);
        assertTrue(
                diff.contains("changed: Name: t; Type: TABLE; Schema: public; Owner: o\n  only in A:     a "
                        + "integer,\n  only in A:     b text\n"
                        + "  only in B:     b text,\n  only in B:     a integer\n"),
                diff);
        assertTrue(
                diff.contains("changed: Name: TABLE t; Type: ACL; Schema: public; Owner: o\n"
                        + "  only in A: GRANT SELECT ON TABLE public.t TO r2;\n  only in B: GRANT "
                        + "SELECT ON TABLE public.t TO r9;\n"),
                diff);
    }

    @Test
    void anObjectOnOneSideIsShownWhole() {
        DumpedSchema a = parse(dump("K", "15", TABLE, GRANTS));
        DumpedSchema b = parse(dump("K", "15", TABLE));
        assertEquals(
                "1 object(s) differ:\nonly in A: Name: TABLE t; Type: ACL; Schema: public; Owner: o\n"
                        + "  GRANT SELECT ON TABLE public.t TO r1;\n  GRANT SELECT ON TABLE public.t TO r2;\n",
                SchemaDump.diff(a, b));
    }

    @Test
    void theAgentsSchemaEventTriggersAndPublicationsAreLeftOut() {
        String agents = """
                --
                -- Name: backtrack; Type: SCHEMA; Schema: -; Owner: postgres
                --

                CREATE SCHEMA backtrack;

                --
                -- Name: capture(); Type: FUNCTION; Schema: backtrack; Owner: postgres
                --

                CREATE FUNCTION backtrack.capture() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END; $$;

                --
                -- Name: backtrack t; Type: PUBLICATION TABLE; Schema: public; Owner: -
                --

                ALTER PUBLICATION backtrack ADD TABLE ONLY public.t;

                --
                -- Name: EVENT TRIGGER backtrack_ddl; Type: COMMENT; Schema: -; Owner: postgres
                --

                COMMENT ON EVENT TRIGGER backtrack_ddl IS 'x';

                """;
        DumpedSchema without = parse(dump("K", "15", TABLE));
        assertEquals(without, parse(dump("K", "15", agents, TABLE)));
        assertEquals(
                5,
                DumpedSchema.parse(dump("K", "15", agents, TABLE), AgentObjects.none())
                        .sections()
                        .size());
    }
}
