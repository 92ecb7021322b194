package dev.backtrack.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdbcUrlTest {
    @TempDir
    Path dir;

    @Test
    void masksTheValueOfEveryParameterNamedLikeAPassword() {
        assertEquals(
                "jdbc:postgresql://db:5432/crm?sslmode=verify-full&sslpassword=***&password=***&"
                        + "sslrootcert=/etc/ca.pem",
                JdbcUrl.masked("jdbc:postgresql://db:5432/crm?sslmode=verify-full&sslpassword=s3c=r&password=pw&"
                        + "sslrootcert=/etc/ca.pem"));
        assertEquals(
                "jdbc:mariadb://db/crm?keyStore=/k.p12&keyStorePassword=***&TRUSTSTOREPASSWORD=***",
                JdbcUrl.masked("jdbc:mariadb://db/crm?keyStore=/k.p12&keyStorePassword=a=b&TRUSTSTOREPASSWORD=c"));
        assertEquals("jdbc:postgresql://db/crm", JdbcUrl.masked("jdbc:postgresql://db/crm"));
    }

    @Test
    void readsParametersAsEachDriverDoes() {
        assertEquals(
                Map.of("sslmode", "verify-full", "sslrootcert", "/etc/my ca.pem"),
                JdbcUrl.parameters("jdbc:postgresql://db/crm?sslmode=verify-full&sslrootcert=%2Fetc%2Fmy%20ca.pem"));
        assertEquals(
                "/etc/my%20ca.pem",
                JdbcUrl.parameter("jdbc:mariadb://db/crm?SERVERSSLCERT=/etc/my%20ca.pem", "serverSslCert"));
        assertNull(
                JdbcUrl.parameter("jdbc:postgresql://db/crm?SSLMODE=require", "sslmode"),
                "pgjdbc names are case-sensitive");
    }

    @Test
    void postgresTlsModesAreTheOnesPgjdbcKnows() {
        assertEquals("verify-full", JdbcUrl.tlsMode("jdbc:postgresql://db/crm?sslmode=VERIFY-FULL", "source.url"));
        assertEquals("verify-full", JdbcUrl.tlsMode("jdbc:postgresql://db/crm?ssl=true", "source.url"));
        assertEquals("require", JdbcUrl.tlsMode("jdbc:postgresql://db/crm?ssl=true&sslmode=require", "source.url"));
        assertNull(JdbcUrl.tlsMode("jdbc:postgresql://db/crm?ssl=false", "source.url"));
        assertNull(JdbcUrl.tlsMode("jdbc:postgresql://db/crm", "source.url"));
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> JdbcUrl.tlsMode("jdbc:postgresql://db/crm?sslmode=verify_full", "source.url"));
        assertEquals(
                "source.url has sslmode=verify_full, which PostgreSQL does not know: use one of disable, "
                        + "allow, prefer, require, verify-ca,"
                        + " verify-full (verify-full with sslrootcert=/path/ca.pem checks the server's "
                        + "certificate and host name)",
                e.getMessage());
    }

    @Test
    void mariaDbTlsModesAreTheOnesConnectorJKnowsWithItsOtherSpellings() {
        assertEquals("verify-full", JdbcUrl.tlsMode("jdbc:mariadb://db/crm?sslMode=VERIFY_IDENTITY", "source.url"));
        assertEquals("verify-ca", JdbcUrl.tlsMode("jdbc:mysql://db/crm?sslmode=verify_ca", "source.url"));
        assertEquals("trust", JdbcUrl.tlsMode("jdbc:mariadb://db/crm?sslMode=REQUIRED", "source.url"));
        assertEquals("disable", JdbcUrl.tlsMode("jdbc:mariadb://db/crm?sslMode=false", "source.url"));
        assertEquals("verify-full", JdbcUrl.tlsMode("jdbc:mariadb://db/crm?useSsl=true&sslMode=disable", "source.url"));
        assertEquals("trust", JdbcUrl.tlsMode("jdbc:mariadb://db/crm?useSSL&trustServerCertificate=1", "source.url"));
        assertNull(JdbcUrl.tlsMode("jdbc:mariadb://db/crm", "source.url"));
        ConfigException e = assertThrows(
                ConfigException.class, () -> JdbcUrl.tlsMode("jdbc:mariadb://db/crm?sslMode=strict", "--target-url"));
        assertTrue(
                e.getMessage()
                        .startsWith("--target-url has sslMode=strict, which the MariaDB driver does not know: use "
                                + "one of disable, trust, verify-ca, verify-full"),
                e.getMessage());
    }

    @Test
    void theConfigurationRefusesAnUnknownTlsModeInOneLineWithoutItsPasswords() throws Exception {
        Path file = Files.writeString(dir.resolve("backtrack.yaml"), """
                source:
                  url: jdbc:postgresql://db:5432/crm?sslmode=full&sslpassword=Key-S3cret
                  user: backtrack
                repository:
                  path: /var/lib/backtrack/crm
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of()).read(file));
        assertTrue(
                e.getMessage().startsWith("source.url has sslmode=full, which PostgreSQL does not know: use one of"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("Key-S3cret"), e.getMessage());
        BacktrackConfig ok = new ConfigLoader(Map.of())
                .read(Files.writeString(file, Files.readString(file).replace("sslmode=full", "sslmode=verify-full")));
        assertFalse(ok.source().toString().contains("Key-S3cret"), ok.source().toString());
    }
}
