package dev.backtrack.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.capture.mariadb.MariaDbSettings;
import dev.backtrack.capture.postgres.CaptureSettings;
import dev.backtrack.config.ConfigException;
import dev.backtrack.config.SourceConfig;
import dev.backtrack.connectors.SourceTls;
import dev.backtrack.testkit.TestCertificates;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceTlsTest {
    @TempDir
    Path dir;

    private static SourceConfig source(String url) {
        return new SourceConfig(
                url, "backtrack", "", List.of(), List.of(), "backtrack", "backtrack", "auto", Duration.ofSeconds(10));
    }

    @Test
    void postgresStreamingGetsEverySslParameterOfTheUrl() {
        Properties p = CaptureSettings.of(
                source("jdbc:postgresql://db:5432/crm?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem"
                        + "&sslkey=/etc/client.p12&sslpassword=k&ApplicationName=x"),
                List.of("public.t"),
                dir,
                "Store",
                100);
        assertEquals("verify-full", p.getProperty("database.sslmode"));
        assertEquals("/etc/ca.pem", p.getProperty("database.sslrootcert"));
        assertEquals("/etc/client.p12", p.getProperty("database.sslkey"));
        assertEquals("k", p.getProperty("database.sslpassword"));
        assertEquals(null, p.getProperty("database.ApplicationName"));
        // pgjdbc reads ssl=true as verify-full; Debezium would apply its own default (prefer) to a missing sslmode
        assertEquals(
                Map.of("database.ssl", "true", "database.sslmode", "verify-full"),
                SourceTls.postgres(source("jdbc:postgresql://db/crm?ssl=true")));
        assertEquals(Map.of(), SourceTls.postgres(source("jdbc:postgresql://db/crm")));
    }

    @Test
    void mariaDbStreamingTrustsThePemCaThroughAStoreOnlyItsOwnerMayRead() throws Exception {
        try (TestCertificates certs = TestCertificates.create()) {
            Properties p = MariaDbSettings.of(
                    source("jdbc:mariadb://db:3306/crm?sslMode=verify-full&serverSslCert=" + certs.caCertificate()),
                    List.of(),
                    dir,
                    "Store",
                    100);
            assertEquals("verify-full", p.getProperty("database.ssl.mode"));
            Path store = Path.of(p.getProperty("database.ssl.truststore"));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store)));
            KeyStore trusted = KeyStore.getInstance("JKS");
            try (InputStream in = Files.newInputStream(store)) {
                // JKS, as Debezium opens it
                trusted.load(
                        in, p.getProperty("database.ssl.truststore.password").toCharArray());
            }
            try (InputStream pem = Files.newInputStream(certs.caCertificate())) {
                assertEquals(
                        CertificateFactory.getInstance("X.509").generateCertificate(pem),
                        trusted.getCertificate(trusted.aliases().nextElement()));
            }
            assertEquals(1, trusted.size());
        }
    }

    @Test
    void mysqlStreamingGetsTheModeInItsConnectorsSpellingAndTheStoresAsGiven() {
        Map<String, String> p = SourceTls.binlog(
                source("jdbc:mysql://db/crm?sslMode=VERIFY_CA&trustStore=file:/etc/trust.p12&trustStorePassword=t"
                        + "&keyStore=/etc/client.p12&keyStorePassword=k"));
        assertEquals(
                Map.of(
                        "database.ssl.mode",
                        "verify_ca",
                        "database.ssl.truststore",
                        "/etc/trust.p12",
                        "database.ssl.truststore.password",
                        "t",
                        "database.ssl.keystore",
                        "/etc/client.p12",
                        "database.ssl.keystore.password",
                        "k"),
                p);
        assertEquals(
                Map.of("database.ssl.mode", "required"), SourceTls.binlog(source("jdbc:mysql://db/crm?sslMode=trust")));
        assertEquals(
                Map.of("database.ssl.mode", "disable"),
                SourceTls.binlog(source("jdbc:mariadb://db/crm?sslMode=disable&serverSslCert=/nowhere.pem")));
        assertEquals(Map.of(), SourceTls.binlog(source("jdbc:mariadb://db/crm")));
    }

    @Test
    void aCaFileThatIsNoCertificateIsRefusedNamingTheParameter() throws Exception {
        Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> SourceTls.binlog(source("jdbc:mariadb://db/crm?sslMode=verify-full&serverSslCert=" + notPem)));
        assertTrue(
                e.getMessage().startsWith("source.url serverSslCert " + notPem + " cannot be read as PEM certificates"),
                e.getMessage());
    }
}
