package dev.backtrack.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.testkit.SchemaDump.Options;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(180)
class SchemaDumpTest {
    /** The object kinds the fixture must show in a dump, as pg_dump names them in its headers. */
    private static final Set<String> KINDS = Set.of(
            "SCHEMA",
            "EXTENSION",
            "TYPE",
            "DOMAIN",
            "FUNCTION",
            "PROCEDURE",
            "AGGREGATE",
            "CAST",
            "OPERATOR",
            "TABLE",
            "SEQUENCE",
            "SEQUENCE OWNED BY",
            "DEFAULT",
            "VIEW",
            "MATERIALIZED VIEW",
            "TABLE ATTACH",
            "CONSTRAINT",
            "FK CONSTRAINT",
            "INDEX",
            "INDEX ATTACH",
            "STATISTICS",
            "RULE",
            "TRIGGER",
            "ROW SECURITY",
            "POLICY",
            "COMMENT",
            "ACL",
            "DEFAULT ACL");

    private static PostgresCluster cluster;

    @BeforeAll
    static void start() {
        cluster = PostgresCluster.start(Map.of());
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void theFixtureDumpsAlikeInTwoDatabasesAndHoldsEveryObjectKind() throws SQLException {
        DumpedSchema a = fixture("crm_a", 0);
        DumpedSchema b = fixture("crm_b", 0);
        assertEquals(a, b, () -> SchemaDump.diff(a, b));
        Set<String> kinds =
                a.sections().stream().map(DumpedSchema.Section::type).collect(Collectors.toSet());
        assertTrue(
                kinds.containsAll(KINDS),
                "missing kinds: "
                        + KINDS.stream()
                                .filter(k -> !kinds.contains(k))
                                .sorted()
                                .toList());
        assertTrue(a.sections().size() > 100, a.sections().size() + " sections");
    }

    @Test
    void aChangeStepDiffersByTheObjectsItChangedUntilTheOtherDatabaseHasItToo() throws SQLException {
        DumpedSchema b = fixture("crm_b", 0);
        DumpedSchema a = fixture("crm_a", 1);
        assertNotEquals(a, b);
        String diff = SchemaDump.diff(a, b);
        for (String named : List.of(
                "only in A: Name: tag; Type: TABLE; Schema: public",
                "only in A: Name: activity_2024_04; Type: TABLE ATTACH",
                "only in B: Name: contact_directory_gmail; Type: VIEW",
                "only in B: Name: contact_lower_last_name_idx; Type: INDEX",
                "changed: Name: contact; Type: TABLE; Schema: public",
                "  only in A:     phone text\n",
                "changed: Name: deal deal_reader_open; Type: POLICY",
                "changed: Name: deal_stage; Type: TYPE",
                "changed: Name: touch_updated_at(); Type: FUNCTION",
                "only in B: Name: TABLE invoice; Type: ACL")) {
            assertTrue(diff.contains(named), "no '" + named + "' in\n" + diff);
        }
        try (Connection c = cluster.connect("crm_b")) {
            CrmObjects.applyChanges(c, 1);
        }
        DumpedSchema b1 = dump("crm_b", Options.defaults());
        assertEquals(a, b1, () -> SchemaDump.diff(a, b1));
    }

    /**
     * pg_dump's own output restored by psql must dump alike: the fixture is restorable and nothing is hidden by
     * accident.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 3})
    void pgDumpsOwnOutputRestoredByPsqlDumpsAlike(int steps) throws Exception {
        DumpedSchema original = fixture("crm_a", steps);
        cluster.createDatabase("crm_copy");
        psql("crm_copy", SchemaDump.text(cluster, cluster.port(), "crm_a", Options.defaults()));
        DumpedSchema copy = dump("crm_copy", Options.defaults());
        assertEquals(original, copy, () -> SchemaDump.diff(original, copy));
    }

    @Test
    void psqlRunsTheScriptsToTheSameSchemaAsTheJavaSplitter() throws Exception {
        DumpedSchema viaJdbc = fixture("crm_a", 3);
        cluster.createDatabase("crm_psql");
        for (String script : List.of("base.sql", "changes-1.sql", "changes-2.sql", "changes-3.sql")) {
            psql("crm_psql", CrmObjects.text(script));
        }
        DumpedSchema viaPsql = dump("crm_psql", Options.defaults());
        assertEquals(viaJdbc, viaPsql, () -> SchemaDump.diff(viaJdbc, viaPsql));
    }

    @Test
    void theAgentsObjectsAreLeftOutButAUsersPublicationIsNot() throws SQLException {
        DumpedSchema plain = fixture("crm_a", 0);
        fixture("crm_b", 0);
        cluster.execute(
                "crm_b",
                "CREATE SCHEMA backtrack",
                "CREATE TABLE backtrack.offsets (slot text PRIMARY KEY, lsn pg_lsn)",
                "CREATE FUNCTION backtrack.capture_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$",
                "CREATE EVENT TRIGGER backtrack_ddl ON ddl_command_end EXECUTE FUNCTION backtrack.capture_ddl()",
                "COMMENT ON EVENT TRIGGER backtrack_ddl IS 'records DDL'",
                "CREATE PUBLICATION backtrack FOR TABLE public.account, TABLES IN SCHEMA sales");
        DumpedSchema withAgent = dump("crm_b", Options.defaults());
        assertEquals(plain, withAgent, () -> SchemaDump.diff(plain, withAgent));
        String unfiltered =
                SchemaDump.diff(plain, dump("crm_b", Options.defaults().withAgent(AgentObjects.none())));
        for (String type : List.of(
                "SCHEMA",
                "TABLE",
                "FUNCTION",
                "EVENT TRIGGER",
                "PUBLICATION",
                "PUBLICATION TABLE",
                "PUBLICATION TABLES IN SCHEMA")) {
            assertTrue(
                    unfiltered.contains("; Type: " + type + ";"),
                    "the unfiltered dump has no " + type + ":\n" + unfiltered);
        }

        cluster.execute("crm_b", "CREATE PUBLICATION crm_feed FOR TABLE public.contact");
        assertNotEquals(plain, dump("crm_b", Options.defaults()));
        Options renamed =
                Options.defaults().withAgent(AgentObjects.defaults().withPublications("backtrack", "crm_feed"));
        assertEquals(plain, dump("crm_b", renamed));
    }

    @Test
    void ownershipAndPrivilegesCountUnlessIgnored() throws SQLException {
        fixture("crm_a", 0);
        fixture("crm_b", 0);
        cluster.execute(
                "crm_b",
                "ALTER TABLE public.currency OWNER TO postgres",
                "REVOKE SELECT ON public.contact FROM crm_reader");
        String diff = SchemaDump.diff(dump("crm_a", Options.defaults()), dump("crm_b", Options.defaults()));
        assertTrue(
                diff.contains("Name: currency; Type: TABLE") && diff.contains("Name: TABLE contact; Type: ACL"), diff);
        assertNotEquals(
                dump("crm_a", Options.defaults().ignoringOwnership()),
                dump("crm_b", Options.defaults().ignoringOwnership()));
        assertNotEquals(
                dump("crm_a", Options.defaults().ignoringPrivileges()),
                dump("crm_b", Options.defaults().ignoringPrivileges()));
        Options neither = Options.defaults().ignoringOwnership().ignoringPrivileges();
        assertEquals(dump("crm_a", neither), dump("crm_b", neither));
    }

    @Test
    void aDatabasesTimeZoneDoesNotChangeHowPartitionBoundsAreWritten() throws SQLException {
        DumpedSchema utc = fixture("crm_a", 0);
        fixture("crm_b", 0);
        cluster.execute("postgres", "ALTER DATABASE crm_b SET timezone = 'America/New_York'");
        // JDBC sends the JVM's zone when it connects, so only the catalog shows what pg_dump's libpq session gets
        assertEquals(
                "{TimeZone=America/New_York}",
                cluster.queryOne(
                        "crm_b",
                        "SELECT setconfig::text FROM pg_db_role_setting WHERE setdatabase = (SELECT oid FROM "
                                + "pg_database WHERE datname = 'crm_b')"));
        DumpedSchema newYork = dump("crm_b", Options.defaults());
        assertEquals(utc, newYork, () -> SchemaDump.diff(utc, newYork));
    }

    @Test
    void aDatabaseNameWithQuotesAndSpacesIsDumped() {
        String name = "crm 'odd' \\ name";
        cluster.createDatabase(name);
        cluster.execute(name, "CREATE TABLE only_here (id int)");
        String diff = SchemaDump.diff(new DumpedSchema(List.of()), dump(name, Options.defaults()));
        assertTrue(diff.startsWith("1 object(s) differ:\nonly in B: Name: only_here; Type: TABLE"), diff);
        cluster.dropDatabase(name);
    }

    @Test
    void columnOrderAndFunctionBodiesCount() {
        cluster.createDatabase("crm_a");
        cluster.createDatabase("crm_b");
        cluster.execute(
                "crm_a",
                "CREATE TABLE pair (a int, b text)",
                "CREATE FUNCTION one() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$");
        cluster.execute(
                "crm_b",
                "CREATE TABLE pair (b text, a int)",
                "CREATE FUNCTION one() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$");
        assertNotEquals(dump("crm_a", Options.defaults()), dump("crm_b", Options.defaults()));
        cluster.execute(
                "crm_b",
                "DROP TABLE pair",
                "CREATE TABLE pair (a int, b text)",
                "CREATE OR REPLACE FUNCTION one() RETURNS int LANGUAGE sql AS $$ SELECT 1 -- one $$");
        String diff = SchemaDump.diff(dump("crm_a", Options.defaults()), dump("crm_b", Options.defaults()));
        assertTrue(diff.startsWith("1 object(s) differ:\nchanged: Name: one(); Type: FUNCTION"), diff);
    }

    @Test
    void theThreeChangeStepsRunInOrderBetweenWrites() throws SQLException {
        DumpedSchema before = fixture("crm_steps", 0);
        Random random = new Random(15);
        try (Connection c = cluster.connect("crm_steps")) {
            writeRounds(c, random);
            // the default partition, January, February and both hash halves of March (later steps detach and drop some)
            assertEquals(5, count("SELECT count(DISTINCT tableoid) FROM public.activity"));
            for (int step = 1; step <= CrmObjects.STEPS; step++) {
                CrmObjects.applyChanges(c, step);
                writeRounds(c, random);
                DumpedSchema after = dump("crm_steps", Options.defaults());
                assertNotEquals(before, after, "step " + step + " changed nothing");
                before = after;
            }
        }
        assertTrue(
                count("SELECT count(*) FROM public.activity_default WHERE happened_at >= "
                                + "'2024-01-01' AND happened_at < '2024-03-01'")
                        > 0,
                "January's and February's rows land in the default partition once theirs are detached and dropped");
        assertTrue(count("SELECT last_value FROM public.invoice_number_seq") > 5000, "the free sequence advanced");
        assertTrue(count("SELECT count(*) FROM public.audit_log") > 0, "the audit trigger wrote");
        assertTrue(
                count("SELECT count(*) FROM sales.deal WHERE updated_at > created_at") > 0,
                "the BEFORE UPDATE trigger set updated_at");
    }

    @Test
    void aChangeStepThatDoesNotExistIsRefused() throws SQLException {
        try (Connection c = cluster.connect("postgres")) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> CrmObjects.applyChanges(c, 4));
            assertEquals("change step 4 does not exist: the steps are 1 to 3", e.getMessage());
        }
    }

    private static void writeRounds(Connection c, Random random) throws SQLException {
        for (int i = 0; i < 5; i++) {
            CrmObjects.writeSome(c, random);
        }
    }

    private static long count(String sql) {
        return Long.parseLong(cluster.queryOne("crm_steps", sql));
    }

    private DumpedSchema fixture(String database, int steps) throws SQLException {
        cluster.createDatabase(database);
        try (Connection c = cluster.connect(database)) {
            CrmObjects.create(c);
            for (int step = 1; step <= steps; step++) {
                CrmObjects.applyChanges(c, step);
            }
        }
        return dump(database, Options.defaults());
    }

    private static DumpedSchema dump(String database, Options options) {
        return SchemaDump.of(cluster, database, options);
    }

    /** Runs SQL text through the cluster's psql, stopping at the first error. */
    private static void psql(String database, String sql) throws IOException {
        Path file = Files.createTempFile(
                "backtrack-psql-",
                ".sql",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        try {
            Files.writeString(file, sql);
            cluster.runAsPostgres(
                    List.of(
                            cluster.binDirectory().resolve("psql").toString(),
                            "-X",
                            "-q",
                            "-v",
                            "ON_ERROR_STOP=1",
                            "-h",
                            cluster.host(),
                            "-p",
                            Integer.toString(cluster.port()),
                            "-U",
                            cluster.superuser(),
                            "-d",
                            database,
                            "-f",
                            file.toString()),
                    300);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
