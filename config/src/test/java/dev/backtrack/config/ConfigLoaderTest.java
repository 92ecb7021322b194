package dev.backtrack.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final String PASSWORD = "pa$$-W0rd\\1";
    private static final String MINIMAL = """
            source:
              url: jdbc:postgresql://db.internal:5433/crm?sslmode=require
              user: backtrack
            repository:
              path: /var/lib/backtrack/crm
            """;

    @TempDir
    Path dir;

    private Path file(String yaml) throws IOException {
        return Files.writeString(dir.resolve("backtrack.yaml"), yaml);
    }

    private BacktrackConfig load(String yaml, Map<String, String> env) throws IOException {
        return new ConfigLoader(env).read(file(yaml));
    }

    private ConfigException refused(String yaml, Map<String, String> env) throws IOException {
        Path f = file(yaml);
        return assertThrows(ConfigException.class, () -> new ConfigLoader(env).read(f));
    }

    private static void assertMentions(ConfigException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
        }
    }

    @Test
    void readsAValidFileSubstitutingVariablesFromTheEnvironment() throws IOException {
        BacktrackConfig c =
                load("""
                source:
                  url: jdbc:postgresql://${DB_HOST}:5433/crm
                  user: backtrack
                  password: ${CRM_DB_PASSWORD}
                  tables-include: [public.contacts, "public.deals"]
                  tables-exclude: public.audit_.*, public.tmp_.*
                  slot: backtrack_crm
                  publication: backtrack_pub
                  heartbeat-interval: 30s
                repository:
                  path: ${REPO_DIR}/crm
                  compression-level: 6
                  segment-size-mb: 128
                checkpoint:
                  full-interval: 6h
                  diff-interval: 2h
                  incr-interval: 15m
                  incr-log-mb: 64
                agent:
                  max-batch-size: 4096
                """, Map.of("DB_HOST", "db.internal", "CRM_DB_PASSWORD", PASSWORD, "REPO_DIR", "/srv/backtrack"));
        SourceConfig s = c.source();
        assertEquals("jdbc:postgresql://db.internal:5433/crm", s.url());
        assertEquals("db.internal", s.host());
        assertEquals(5433, s.port());
        assertEquals("crm", s.database());
        assertEquals("backtrack", s.user());
        assertEquals(PASSWORD, s.password(), "replacement text is taken literally ($ and \\ included)");
        assertEquals(List.of("public.contacts", "public.deals"), s.tablesInclude());
        assertEquals(List.of("public.audit_.*", "public.tmp_.*"), s.tablesExclude());
        assertEquals("backtrack_crm", s.slot());
        assertEquals("backtrack_pub", s.publication());
        assertEquals(Duration.ofSeconds(30), s.heartbeatInterval());
        assertEquals(Path.of("/srv/backtrack/crm"), c.repository().path());
        assertEquals(6, c.repository().compressionLevel());
        assertEquals(128L << 20, c.repository().segmentBytes());
        assertEquals(
                new CheckpointSchedule(Duration.ofHours(6), Duration.ofHours(2), Duration.ofMinutes(15), 64L << 20),
                c.agent().schedule());
        assertEquals(4096, c.agent().maxBatchSize());
    }

    @Test
    void aBareYamlOffOrOnMeansTheWordNotABoolean() throws IOException {
        assertEquals(
                "off",
                load(MINIMAL.replace("source:\n", "source:\n  capture-ddl: off\n"), Map.of())
                        .source()
                        .captureDdl());
        assertEquals(
                "on",
                load(MINIMAL.replace("source:\n", "source:\n  capture-ddl: on\n"), Map.of())
                        .source()
                        .captureDdl());
        assertEquals("auto", load(MINIMAL, Map.of()).source().captureDdl());
        assertMentions(
                assertThrows(
                        ConfigException.class,
                        () -> load(MINIMAL.replace("source:\n", "source:\n  capture-ddl: maybe\n"), Map.of())),
                "source.capture-ddl",
                "auto, on, off");
    }

    @Test
    void fillsInDefaultsForOptionalKeys() throws IOException {
        BacktrackConfig c = load(MINIMAL, Map.of());
        assertEquals("", c.source().password());
        assertEquals(List.of(), c.source().tablesInclude());
        assertEquals("backtrack", c.source().slot());
        assertEquals(Duration.ofSeconds(10), c.source().heartbeatInterval());
        assertEquals(3, c.repository().compressionLevel());
        assertEquals(64L << 20, c.repository().segmentBytes());
        assertEquals(
                new CheckpointSchedule(Duration.ofDays(7), Duration.ofDays(1), Duration.ofHours(1), 0),
                c.agent().schedule());
        assertEquals("crm", c.source().database());
    }

    @Test
    void environmentOverridesTheFile() throws IOException {
        BacktrackConfig c = load(
                MINIMAL,
                Map.of(
                        "BACKTRACK_SOURCE_URL",
                        "jdbc:postgresql://other:5432/sales",
                        "BACKTRACK_REPOSITORY_COMPRESSION_LEVEL",
                        "9",
                        "BACKTRACK_SOURCE_PASSWORD",
                        "${SECRET}",
                        "SECRET",
                        "s3cr3t"));
        assertEquals("jdbc:postgresql://other:5432/sales", c.source().url());
        assertEquals("sales", c.source().database());
        assertEquals(9, c.repository().compressionLevel());
        assertEquals("s3cr3t", c.source().password());
        assertEquals("backtrack", c.source().user(), "keys without an override keep the file's value");
    }

    @Test
    void environmentCanSupplyARequiredKeyMissingFromTheFile() throws IOException {
        BacktrackConfig c = load(
                "repository:\n  path: /r\n",
                Map.of("BACKTRACK_SOURCE_URL", "jdbc:postgresql://h/crm", "BACKTRACK_SOURCE_USER", "u"));
        assertEquals("h", c.source().host());
        assertEquals(5432, c.source().port());
    }

    @Test
    void anUnknownSectionIsRefusedNamingIt() throws IOException {
        assertMentions(refused(MINIMAL + "sorce:\n  url: x\n", Map.of()), "sorce", "source");
    }

    @Test
    void anUnknownKeyIsRefusedListingTheValidOnes() throws IOException {
        ConfigException e = refused(MINIMAL.replace("  user: backtrack", "  user: backtrack\n  passwd: x"), Map.of());
        assertMentions(e, "source.passwd", "url", "user", "password", "tables-include", "slot", "heartbeat-interval");
        assertFalse(e.getMessage().contains("compression-level"), "only keys of that section: " + e.getMessage());
    }

    @Test
    void aMissingRequiredKeyIsRefusedNamingItAndItsEnvironmentVariable() throws IOException {
        assertMentions(
                refused(MINIMAL.replace("  user: backtrack\n", ""), Map.of()), "source.user", "BACKTRACK_SOURCE_USER");
        assertMentions(refused(MINIMAL.replace("  user: backtrack\n", "  user: \"  \"\n"), Map.of()), "source.user");
        assertMentions(refused("source:\n  url: jdbc:postgresql://h/crm\n  user: u\n", Map.of()), "repository.path");
        assertMentions(refused("", Map.of()), "source.url");
    }

    @Test
    void aBadIntegerIsRefusedNamingTheKey() throws IOException {
        for (String bad : new String[] {"abc", "3.5", "0", "20", "99999999999"}) {
            ConfigException e = refused(MINIMAL + "  compression-level: " + bad + "\n", Map.of());
            assertMentions(e, "repository.compression-level", bad);
        }
        assertMentions(
                refused(MINIMAL, Map.of("BACKTRACK_AGENT_MAX_BATCH_SIZE", "lots")), "agent.max-batch-size", "lots");
    }

    @Test
    void aBadDurationIsRefusedNamingTheKey() throws IOException {
        for (String bad :
                new String[] {"30", "30 s", "1.5h", "-5s", "soon", "99999999999999999999s", "9999999999999999d"}) {
            ConfigException e = refused(MINIMAL + "checkpoint:\n  incr-interval: \"" + bad + "\"\n", Map.of());
            assertMentions(e, "checkpoint.incr-interval");
        }
        assertMentions(refused(MINIMAL + "checkpoint:\n  full-interval: 0s\n", Map.of()), "checkpoint.full-interval");
        assertMentions(
                refused(MINIMAL.replace("  user: backtrack", "  user: backtrack\n  heartbeat-interval: 10x"), Map.of()),
                "source.heartbeat-interval",
                "10x");
    }

    @Test
    void anUnsetVariableIsRefusedNamingTheKeyAndTheVariable() throws IOException {
        ConfigException e = refused(
                MINIMAL.replace("  user: backtrack", "  user: backtrack\n  password: ${CRM_DB_PASSWORD}"),
                Map.of("OTHER", "x"));
        assertMentions(e, "source.password", "CRM_DB_PASSWORD");
    }

    @Test
    void invalidYamlIsRefusedNamingTheFile() throws IOException {
        ConfigException e = refused("source:\n  url: [unclosed\n  user: x\n", Map.of());
        assertMentions(e, dir.resolve("backtrack.yaml").toString(), "YAML");
        assertMentions(refused("- just\n- a list\n", Map.of()), "mapping");
        assertMentions(refused(MINIMAL + "agent: 5\n", Map.of()), "agent");
        assertMentions(refused(MINIMAL.replace("user: backtrack", "user: {name: x}"), Map.of()), "source.user");
    }

    @Test
    void aMissingFileIsRefusedNamingIt() {
        Path missing = dir.resolve("nope.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of()).read(missing));
        assertMentions(e, missing.toString());
    }

    @Test
    void anUnsupportedUrlIsRefusedNamingTheKey() throws IOException {
        for (String url : new String[] {
            "jdbc:oracle:thin:@h:1521/crm",
            "jdbc:sqlserver://h:1433/crm",
            "postgresql://h/crm",
            "jdbc:postgresql:crm",
            "jdbc:mariadb:crm"
        }) {
            assertMentions(
                    refused(MINIMAL.replace("jdbc:postgresql://db.internal:5433/crm?sslmode=require", url), Map.of()),
                    "source.url");
        }
        assertMentions(
                refused(MINIMAL.replace("db.internal:5433/crm?sslmode=require", "db.internal:5433"), Map.of()),
                "source.url");
    }

    @Test
    void mariaDbAndMySqlUrlsSelectTheirEngineAndPort() throws IOException {
        for (String engine : new String[] {"mariadb", "mysql"}) {
            SourceConfig s = load(
                            MINIMAL.replace(
                                    "jdbc:postgresql://db.internal:5433/crm?sslmode=require",
                                    "jdbc:" + engine + "://db.internal/crm"),
                            Map.of())
                    .source();
            assertEquals(engine, s.engine().id());
            assertEquals(3306, s.port());
            assertEquals("crm", s.database());
            assertEquals(5401, s.serverId());
        }
    }

    @Test
    void anInvalidSlotNameIsRefusedNamingTheKey() throws IOException {
        assertMentions(
                refused(MINIMAL.replace("  user: backtrack", "  user: backtrack\n  slot: Back-Track"), Map.of()),
                "source.slot");
    }

    @Test
    void sourceConfigToStringNeverContainsThePassword() throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("BACKTRACK_SOURCE_PASSWORD", PASSWORD);
        SourceConfig s = load(MINIMAL, env).source();
        assertEquals(PASSWORD, s.password());
        assertFalse(s.toString().contains(PASSWORD), s.toString());
        assertFalse(s.toString().contains("W0rd"), s.toString());
        assertTrue(s.toString().contains("backtrack"), "other fields are still shown: " + s);
        assertFalse(load(MINIMAL, Map.of()).source().toString().contains("null"));
    }
}
