package dev.backtrack.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A throw-away certificate authority and a server certificate it signed for {@code localhost} and
 * {@code 127.0.0.1}, made with {@code openssl} in a new temp directory; client certificates on demand;
 * plus a second CA that signed nothing, for tests that must be refused. The server's key is readable by the server's OS
 * user only
 * (PostgreSQL refuses a key others may read). Thread-safe (immutable once made).
 */
public final class TestCertificates implements AutoCloseable {
    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** Makes both CAs and the server certificate; the server files belong to {@code postgres} when the JVM is root. */
    public static TestCertificates create() {
        TestCertificates c = new TestCertificates(readableTempDirectory());
        c.authority("ca", "Backtrack Test CA");
        c.authority("other-ca", "Backtrack Unrelated CA");
        c.signServerCertificate();
        c.setPermissions();
        return c;
    }

    private static Path readableTempDirectory() {
        try {
            Path dir = Files.createTempDirectory("backtrack-tls-");
            // PostgreSQL runs as postgres and reads its certificate and key from here
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot create a temp directory for test certificates: " + e.getMessage(), e);
        }
    }

    /** The server's key and a certificate for localhost and 127.0.0.1 that the CA signed. */
    private void signServerCertificate() {
        openssl(
                "req",
                "-new",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                serverKey().toString(),
                "-out",
                dir.resolve("server.csr").toString(),
                "-subj",
                "/CN=localhost");
        write(
                "server.ext",
                "subjectAltName = DNS:localhost, IP:127.0.0.1\nextendedKeyUsage = serverAuth\n"
                        + "basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature, "
                        + "keyEncipherment\n");
        openssl(
                "x509",
                "-req",
                "-in",
                dir.resolve("server.csr").toString(),
                "-CA",
                caCertificate().toString(),
                "-CAkey",
                dir.resolve("ca.key").toString(),
                "-CAcreateserial",
                "-days",
                "2",
                "-sha256",
                "-extfile",
                dir.resolve("server.ext").toString(),
                "-out",
                serverCertificate().toString());
    }

    /**
     * The server's key readable by its owner only, the certificates by everyone; the server's key and
     * certificate belong to postgres when the JVM is root.
     */
    private void setPermissions() {
        try {
            Files.setPosixFilePermissions(serverKey(), PosixFilePermissions.fromString("rw-------"));
            for (Path p : List.of(caCertificate(), otherCaCertificate(), serverCertificate())) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
            }
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot set the permissions of the test certificates: " + e.getMessage(), e);
        }
        if (PostgresCluster.OsUser.isRoot()) {
            PostgresCluster.OsUser.run(
                    List.of(
                            "chown",
                            "postgres:postgres",
                            serverKey().toString(),
                            serverCertificate().toString()),
                    30);
        }
    }

    /**
     * A client certificate for {@code user} (its CN, as PostgreSQL's clientcert=verify-full wants), signed
     * by the CA, with its key in a PKCS#12 file sealed with {@code password}; returns that file.
     */
    public Path clientKeyStore(String user, String password) {
        String key = dir.resolve(user + ".key").toString(),
                csr = dir.resolve(user + ".csr").toString(),
                pem = dir.resolve(user + ".pem").toString();
        openssl(
                "req",
                "-new",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                key,
                "-out",
                csr,
                "-subj",
                "/CN=" + user);
        Path ext = write(user + ".ext", "extendedKeyUsage = clientAuth\nbasicConstraints = critical, CA:FALSE\n");
        openssl(
                "x509",
                "-req",
                "-in",
                csr,
                "-CA",
                caCertificate().toString(),
                "-CAkey",
                dir.resolve("ca.key").toString(),
                "-CAcreateserial",
                "-days",
                "2",
                "-sha256",
                "-extfile",
                ext.toString(),
                "-out",
                pem);
        Path p12 = dir.resolve(user + ".p12");
        // pgjdbc looks the key up under the alias "user"
        openssl(
                "pkcs12",
                "-export",
                "-in",
                pem,
                "-inkey",
                key,
                "-name",
                "user",
                "-out",
                p12.toString(),
                "-passout",
                "pass:" + password);
        return p12;
    }

    private void authority(String name, String commonName) {
        openssl(
                "req",
                "-x509",
                "-new",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "2",
                "-sha256",
                "-keyout",
                dir.resolve(name + ".key").toString(),
                "-out",
                dir.resolve(name + ".pem").toString(),
                "-subj",
                "/CN=" + commonName,
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign");
    }

    /** The CA that signed the server certificate (PEM). */
    public Path caCertificate() {
        return dir.resolve("ca.pem");
    }

    /** A CA that signed nothing here (PEM): verifying the server against it must fail. */
    public Path otherCaCertificate() {
        return dir.resolve("other-ca.pem");
    }

    /** The server's certificate (PEM), for localhost and 127.0.0.1. */
    public Path serverCertificate() {
        return dir.resolve("server.pem");
    }

    /** The server's private key (PEM, unencrypted, mode 0600). */
    public Path serverKey() {
        return dir.resolve("server.key");
    }

    /** The directory holding every file; also a place for a test's own files that the servers may read. */
    public Path dir() {
        return dir;
    }

    /** Writes a file here, readable by everyone (an hba file for PostgreSQL, say); returns its path. */
    public Path write(String name, String content) {
        try {
            Path p = Files.writeString(dir.resolve(name), content);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
            return p;
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + name + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    private void openssl(String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        PostgresCluster.OsUser.run(command, 60);
    }

    @Override
    public void close() {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
