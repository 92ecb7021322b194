package dev.backtrack.connectors;

import dev.backtrack.config.ConfigException;
import dev.backtrack.config.Engine;
import dev.backtrack.config.JdbcUrl;
import dev.backtrack.config.SourceConfig;
import dev.backtrack.repository.io.OwnerOnly;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The TLS settings of {@code source.url} as Debezium connector properties, so the streaming connection
 * (PostgreSQL walsender, MariaDB/MySQL binlog dump) checks the server exactly as the agent's JDBC
 * connections do. Thread-safe (stateless).
 */
public final class SourceTls {
    private SourceTls() {}

    /**
     * PostgreSQL: Debezium hands every {@code database.*} property to pgjdbc, so each {@code ssl*}
     * parameter of the URL goes there as it is, and {@code database.sslmode} is set to the mode the URL
     * means (Debezium would otherwise apply its own default, prefer).
     */
    public static Map<String, String> postgres(SourceConfig source) {
        Map<String, String> p = new LinkedHashMap<>();
        JdbcUrl.parameters(source.url()).forEach((name, value) -> {
            if (name.startsWith("ssl")) {
                p.put("database." + name, value);
            }
        });
        String mode = JdbcUrl.tlsMode(source.url(), "source.url");
        if (mode != null) {
            p.put("database.sslmode", mode);
        }
        return p;
    }

    /**
     * MariaDB and MySQL: the driver's {@code sslMode} in the connector's spelling, and its trust and key
     * stores. The binlog client trusts only a Java key store, so a PEM CA ({@code serverSslCert}) becomes
     * a PKCS#12 trust store in a temp file readable by this user only, deleted when the JVM exits.
     */
    public static Map<String, String> binlog(SourceConfig source) {
        Map<String, String> p = new LinkedHashMap<>();
        String url = source.url();
        String mode = JdbcUrl.tlsMode(url, "source.url");
        if (mode == null) {
            return p;
        }
        boolean mysql = source.engine() == Engine.MYSQL;
        p.put(
                "database.ssl.mode",
                mysql
                        ? switch (mode) {
                            case "disable" -> "disabled";
                            case "trust" -> "required";
                            case "verify-ca" -> "verify_ca";
                            default -> "verify_identity";
                        }
                        : mode);
        if ("disable".equals(mode)) {
            return p;
        }
        String trustStore = JdbcUrl.parameter(url, "trustStore");
        String pem = JdbcUrl.parameter(url, "serverSslCert");
        if (trustStore != null) {
            // Connector/J reads the trust store before serverSslCert
            p.put("database.ssl.truststore", file(trustStore));
            putIfSet(p, "database.ssl.truststore.password", JdbcUrl.parameter(url, "trustStorePassword"));
        } else if (pem != null) {
            String password = random();
            p.put("database.ssl.truststore", trustStoreOf(pem, password).toString());
            p.put("database.ssl.truststore.password", password);
        }
        String keyStore = JdbcUrl.parameter(url, "keyStore");
        if (keyStore != null) {
            p.put("database.ssl.keystore", file(keyStore));
            putIfSet(p, "database.ssl.keystore.password", JdbcUrl.parameter(url, "keyStorePassword"));
        }
        return p;
    }

    /**
     * The CA certificates of {@code pem} (a file, or the PEM text itself as Connector/J also takes it) in a new trust
     * store.
     */
    static Path trustStoreOf(String pem, String password) {
        String name = pem.startsWith("-----BEGIN") ? "(given inline)" : pem;
        Collection<? extends Certificate> certificates;
        try (InputStream in = pem.startsWith("-----BEGIN")
                ? new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))
                : Files.newInputStream(Path.of(file(pem)))) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(
                    "source.url serverSslCert " + name + " cannot be read as PEM certificates (" + e.getMessage()
                            + "): give the path of the CA certificate that signed the server's, as in "
                            + "serverSslCert=/etc/backtrack/ca.pem");
        }
        if (certificates.isEmpty()) {
            throw new ConfigException("source.url serverSslCert " + name
                    + " holds no certificate: give the path of the CA certificate (PEM) that signed the server's");
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (Certificate c : certificates) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            Path file = Files.createTempFile("backtrack-truststore-", ".p12", OwnerOnly.file());
            file.toFile().deleteOnExit();
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password.toCharArray());
            }
            return file;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("cannot write a trust store for source.url serverSslCert (" + e.getMessage()
                    + "): check that the temp directory is writable");
        }
    }

    /** A path as Debezium opens it (a plain file name): Connector/J also takes a file: URL. */
    private static String file(String pathOrUrl) {
        return pathOrUrl.startsWith("file:") ? pathOrUrl.substring("file:".length()) : pathOrUrl;
    }

    /**
     * A password for the trust store: it only guards the integrity of public certificates in a file only this user may
     * read.
     */
    private static String random() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static void putIfSet(Map<String, String> p, String key, String value) {
        if (value != null && !value.isEmpty()) {
            p.put(key, value);
        }
    }
}
