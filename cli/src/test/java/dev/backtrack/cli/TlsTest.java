package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.position.BinlogPosition;
import dev.backtrack.testkit.MariaDbServer;
import dev.backtrack.testkit.PostgresCluster;
import dev.backtrack.testkit.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS to the source and the target with full verification (CA and host name), against servers that
 * refuse connections without TLS: capture streams over TLS (the server says so for the walsender and
 * the binlog dump thread), restore writes over TLS, a server certificate from another CA is refused
 * in one line, and no TLS password is printed.
 */
class TlsTest {
    private static final String SECRET = "Tls-S3cret-" + System.nanoTime();

    @TempDir
    static Path dir;

    static TestCertificates certs;

    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void certificates() {
        certs = TestCertificates.create();
    }

    @AfterAll
    static void removeCertificates() {
        certs.close();
    }

    @Test
    void postgresIsCapturedAndRestoredOverVerifiedTlsAndAnUnknownCaIsRefused() throws Exception {
        // the agent's role must show a client certificate: only a streaming connection that got every ssl* parameter
        // gets in
        Path hba = certs.write(
                "pg_hba.conf",
                "local all all trust\nhostssl all backtrack 127.0.0.1/32 trust clientcert=verify-full\n"
                        + "hostssl all all 127.0.0.1/32 trust\n");
        String verified = "?sslmode=verify-full&sslrootcert=" + certs.caCertificate();
        String agentTls = verified + "&sslkey=" + certs.clientKeyStore("backtrack", SECRET) + "&sslpassword=" + SECRET;
        try (PostgresCluster cluster = PostgresCluster.start(Map.of(
                        "ssl",
                        "on",
                        "ssl_cert_file",
                        certs.serverCertificate().toString(),
                        "ssl_key_file",
                        certs.serverKey().toString(),
                        "ssl_ca_file",
                        certs.caCertificate().toString(),
                        "hba_file",
                        hba.toString()));
                CaptureFixture f = new CaptureFixture("crm_tls", Files.createDirectories(dir.resolve("pg")), cluster)) {
            SQLException plain = assertThrows(
                    SQLException.class,
                    () -> DriverManager.getConnection(f.url() + "?sslmode=disable", "postgres", "")
                            .close());
            assertTrue(
                    plain.getMessage().contains("no encryption"),
                    "the server must refuse a connection without TLS: " + plain.getMessage());
            cluster.execute("postgres", "CREATE ROLE backtrack LOGIN SUPERUSER");
            SQLException noCertificate = assertThrows(
                    SQLException.class,
                    () -> DriverManager.getConnection(f.url() + verified, "backtrack", "")
                            .close());
            assertTrue(
                    noCertificate.getMessage().contains("certificate"),
                    "the server must refuse the agent's role without its certificate: " + noCertificate.getMessage());
            cluster.execute(
                    f.database,
                    "CREATE TABLE contacts (id int PRIMARY KEY, name text NOT NULL, email text)",
                    "INSERT INTO contacts SELECT g, 'contact ' || g, 'c' || g || '@example.com' FROM "
                            + "generate_series(1, 200) g");
            Files.writeString(
                    f.config,
                    Files.readString(f.config)
                            .replace(f.url(), f.url() + agentTls)
                            .replace("user: postgres", "user: backtrack"));
            f.startAgent();
            try (Connection c = f.connect()) {
                CaptureFixture.commit(
                        c,
                        "UPDATE contacts SET email = NULL WHERE id % 7 = 0",
                        "DELETE FROM contacts WHERE id > 190",
                        "INSERT INTO contacts VALUES (500, 'late', 'late@example.com')");
            }
            f.awaitLogged();
            assertEquals(
                    "1 true /CN=backtrack",
                    cluster.queryOne(
                            "postgres",
                            "SELECT count(*) || ' ' || bool_and(s.ssl) || ' ' || min(s.client_dn)"
                                    + " FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE "
                                    + "a.backend_type = 'walsender'"),
                    "the replication connection streams over TLS");
            f.stopAgent();
            assertFalse(
                    f.agentOutput.toString().contains(SECRET),
                    "the agent printed the key's password: " + f.agentOutput);

            cluster.createDatabase("crm_tls_restored");
            Run withoutTls = run(
                    "restore",
                    "--repo",
                    f.repository.toString(),
                    "--to",
                    "latest",
                    "--target-url",
                    cluster.jdbcUrl("crm_tls_restored") + "?sslmode=disable",
                    "--target-user",
                    "postgres");
            assertEquals(ExitCode.DATABASE, withoutTls.exit, withoutTls.err);
            assertTrue(
                    withoutTls.err.contains("accepts only TLS connections")
                            && withoutTls.err.contains("add sslmode=verify-full&sslrootcert="),
                    withoutTls.err);
            Run restored = run(
                    "restore",
                    "--repo",
                    f.repository.toString(),
                    "--to",
                    "latest",
                    "--target-url",
                    cluster.jdbcUrl("crm_tls_restored") + verified,
                    "--target-user",
                    "postgres",
                    "--json");
            assertEquals(0, restored.exit, restored.err);
            assertEquals(
                    f.checksums(f.database, List.of("contacts")).values().toString(),
                    f.checksums("crm_tls_restored", List.of("contacts"))
                            .values()
                            .toString());

            String otherCa = agentTls.replace(
                    certs.caCertificate().toString(), certs.otherCaCertificate().toString());
            Path badConfig = Files.writeString(
                    dir.resolve("pg-other-ca.yaml"),
                    Files.readString(f.config)
                            .replace(agentTls, otherCa)
                            .replace(
                                    f.repository.toString(),
                                    dir.resolve("pg-other-ca-repo").toString()));
            refusedForItsCertificate(run("agent", "--config", badConfig.toString()), "sslrootcert");
            cluster.createDatabase("crm_tls_other_ca");
            refusedForItsCertificate(
                    run(
                            "restore",
                            "--repo",
                            f.repository.toString(),
                            "--to",
                            "latest",
                            "--target-url",
                            cluster.jdbcUrl("crm_tls_other_ca") + otherCa,
                            "--target-user",
                            "backtrack",
                            "--json"),
                    "sslrootcert");
        }
    }

    @Test
    void mariaDbIsCapturedAndRestoredOverVerifiedTlsAndAnUnknownCaIsRefused() throws Exception {
        Path repository = dir.resolve("mariadb-repo");
        try (MariaDbServer server = MariaDbServer.start(Map.of(
                "ssl-cert",
                certs.serverCertificate().toString(),
                "ssl-key",
                certs.serverKey().toString(),
                "ssl-ca",
                certs.caCertificate().toString(),
                "performance-schema",
                "ON"))) {
            String verified = "?sslMode=verify-full&serverSslCert=" + certs.caCertificate();
            server.execute(null, "SET GLOBAL require_secure_transport = ON");
            SQLException plain = assertThrows(
                    SQLException.class,
                    () -> DriverManager.getConnection(server.jdbcUrl(""), "root", "")
                            .close());
            assertEquals(
                    1045,
                    plain.getErrorCode(),
                    "the server must refuse a connection without TLS: " + plain.getMessage());
            try (Connection c = DriverManager.getConnection(server.jdbcUrl("") + verified, "root", "");
                    Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE crm_tls");
                st.execute("CREATE DATABASE crm_tls_restored");
                st.execute("CREATE DATABASE crm_tls_other_ca");
                st.execute("CREATE TABLE crm_tls.backtrack_probe (id bigint AUTO_INCREMENT PRIMARY KEY)");
                st.execute("CREATE TABLE crm_tls.contacts (id int PRIMARY KEY, name varchar(100) NOT NULL, email "
                        + "varchar(100))");
                st.execute("INSERT INTO crm_tls.contacts SELECT seq, CONCAT('contact ', seq), CONCAT('c', seq, "
                        + "'@example.com') FROM crm_tls.seq_1_to_200");
            }
            Path config = Files.writeString(
                    dir.resolve("mariadb.yaml"),
                    "source:\n  url: " + server.jdbcUrl("crm_tls") + verified
                            + "\n  user: root\n  server-id: 5431\n  heartbeat-interval: 1s\nrepository:\n  path: "
                            + repository + "\n");
            InProcessAgent agent = new InProcessAgent(config, repository, "crm_tls");
            // a resource, so that a failure inside is reported rather than what stopping a failed agent throws
            try (AutoCloseable stop = agent::stop) {
                agent.start();
                try (Connection c = DriverManager.getConnection(server.jdbcUrl("crm_tls") + verified, "root", "");
                        Statement st = c.createStatement()) {
                    c.setAutoCommit(false);
                    st.execute("UPDATE contacts SET email = NULL WHERE id % 7 = 0");
                    st.execute("DELETE FROM contacts WHERE id > 190");
                    st.execute("INSERT INTO contacts VALUES (500, 'late', 'late@example.com')");
                    c.commit();
                }
                awaitLogged(server.jdbcUrl("crm_tls") + verified, repository, agent);
                assertEquals(
                        "TLS",
                        query(
                                        server.jdbcUrl("") + verified,
                                        "SELECT IF(count(*) = 1 AND min(s.VARIABLE_VALUE) <> '', 'TLS', 'plain')"
                                                + " FROM performance_schema.threads t JOIN "
                                                + "performance_schema.status_by_thread s USING (THREAD_ID)"
                                                + " WHERE t.PROCESSLIST_COMMAND = 'Binlog Dump' AND "
                                                + "s.VARIABLE_NAME = 'Ssl_cipher'")
                                .get(0),
                        "the binlog dump thread streams over TLS");
            }

            Run withoutTls = run(
                    "restore",
                    "--repo",
                    repository.toString(),
                    "--to",
                    "latest",
                    "--target-url",
                    server.jdbcUrl("crm_tls_restored"),
                    "--target-user",
                    "root");
            assertEquals(ExitCode.DATABASE, withoutTls.exit, withoutTls.err);
            assertTrue(
                    withoutTls.err.contains("if the server requires TLS add sslMode=verify-full&serverSslCert="),
                    withoutTls.err);
            Run restored = run(
                    "restore",
                    "--repo",
                    repository.toString(),
                    "--to",
                    "latest",
                    "--target-url",
                    server.jdbcUrl("crm_tls_restored") + verified,
                    "--target-user",
                    "root",
                    "--json");
            assertEquals(0, restored.exit, restored.err);
            String rows = "SELECT CONCAT_WS('|', id, name, IFNULL(email, 'NULL')) FROM contacts ORDER BY id";
            List<String> source = query(server.jdbcUrl("crm_tls") + verified, rows);
            assertEquals(200 - 10 + 1, source.size());
            assertEquals(source, query(server.jdbcUrl("crm_tls_restored") + verified, rows));

            String otherCa =
                    "?sslMode=verify-full&serverSslCert=" + certs.otherCaCertificate() + "&keyStorePassword=" + SECRET;
            Path badConfig = Files.writeString(
                    dir.resolve("mariadb-other-ca.yaml"),
                    Files.readString(config)
                            .replace(verified, otherCa)
                            .replace(
                                    repository.toString(),
                                    dir.resolve("mariadb-other-ca-repo").toString()));
            refusedForItsCertificate(run("agent", "--config", badConfig.toString()), "serverSslCert");
            refusedForItsCertificate(
                    run(
                            "restore",
                            "--repo",
                            repository.toString(),
                            "--to",
                            "latest",
                            "--target-url",
                            server.jdbcUrl("crm_tls_other_ca") + otherCa,
                            "--target-user",
                            "root",
                            "--json"),
                    "serverSslCert");
        }
    }

    /** Exit 3 (a database problem), one line naming TLS and the parameter to fix, and no password from the URL. */
    private static void refusedForItsCertificate(Run r, String parameter) {
        assertEquals(ExitCode.DATABASE, r.exit, "exit code; stderr: " + r.err);
        assertEquals(1, r.err.strip().lines().count(), "one line on stderr, got: " + r.err);
        assertTrue(
                r.err.contains("failed TLS verification")
                        && r.err.contains("not signed by the CA in " + parameter)
                        && r.err.contains("set " + parameter + " to the CA certificate"),
                r.err);
        assertFalse(r.out.contains(SECRET) || r.err.contains(SECRET), "a TLS password leaked: " + r.out + r.err);
    }

    /** Waits until the transactions committed so far are in the repository's log. */
    private static void awaitLogged(String url, Path repository, InProcessAgent agent) throws Exception {
        long before;
        try (Connection c = DriverManager.getConnection(url, "root", "");
                Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
                rs.next();
                before = BinlogPosition.of(rs.getString(1), rs.getLong(2));
            }
            st.execute("INSERT INTO backtrack_probe VALUES ()");
        }
        for (int i = 0; i < 1200; i++) {
            agent.failIfDied();
            if (Repository.open(repository).logSummary().lastPosition() >= before) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(
                "log did not reach binlog " + BinlogPosition.format(before) + " within 60 s\n" + agent.output);
    }

    private static List<String> query(String url, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, "root", "");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static Run run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            return new Run(Main.run(args), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
