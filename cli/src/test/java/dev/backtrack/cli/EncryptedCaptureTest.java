package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An encrypted repository: capture writes no plain text, and restore needs the passphrase and nothing else. */
class EncryptedCaptureTest {
    private static final String MARKER = "zz-ann-secret-contact-zz";
    private static final List<String> TABLES = List.of("public.contacts");

    @Test
    void captureEncryptsEverythingAndRestoreOpensItOnlyWithThePassphrase(@TempDir Path dir) throws Exception {
        String passphrase = "pass-" + System.nanoTime();
        try (CaptureFixture f = new CaptureFixture("crm_encrypted", dir)) {
            f.withPassphrase(passphrase);
            f.cluster.execute(f.database, "CREATE TABLE contacts (id int PRIMARY KEY, email text, notes text)");
            f.cluster.execute(f.database, "INSERT INTO contacts VALUES (1, '" + MARKER + "', 'in the snapshot')");
            f.startAgent();
            f.cluster.execute(
                    f.database,
                    "INSERT INTO contacts SELECT g, '" + MARKER
                            + "' || g, repeat('n', 5000) FROM generate_series(2, 500) g");
            f.cluster.execute(f.database, "UPDATE contacts SET email = email || '-changed' WHERE id % 3 = 0");
            f.awaitLogged();
            f.stopAgent();
            try (var files = Files.walk(f.repository)) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    assertFalse(
                            new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).contains("ann-secret"),
                            p + " holds plain text");
                }
            }
            // the agent's key stayed with the agent's repository: a command of this JVM needs the passphrase too
            f.cluster.createDatabase("crm_encrypted_restored");
            String[] restore = {
                "restore",
                "--repo",
                f.repository.toString(),
                "--to",
                "latest",
                "--target-url",
                f.cluster.jdbcUrl("crm_encrypted_restored"),
                "--target-user",
                "postgres"
            };
            CommandLineTest.refused(ExitCode.KEY, "is encrypted", restore);
            Path wrong = Files.writeString(dir.resolve("wrong.key"), "not-it\n");
            CommandLineTest.refused(
                    ExitCode.KEY, "does not open", concat(restore, "--passphrase-file", wrong.toString()));
            Path right = Files.writeString(dir.resolve("right.key"), passphrase + "\n");
            CommandLineTest.Run ok =
                    CommandLineTest.run(concat(restore, "--passphrase-file", right.toString(), "--json"));
            assertEquals(0, ok.exit(), ok.err());
            assertFalse(ok.out().contains(passphrase) || ok.err().contains(passphrase));
            assertEquals(f.checksums(f.database, TABLES), f.checksums("crm_encrypted_restored", TABLES));
            CommandLineTest.Run verify = CommandLineTest.run(
                    "verify", "--repo", f.repository.toString(), "--read-data", "--passphrase-file", right.toString());
            assertEquals(0, verify.exit(), verify.out() + verify.err());
            assertTrue(verify.out().contains("ok:"), verify.out());

            // a new passphrase re-wraps the master key; the old one stops working, the data is untouched
            Path next = Files.writeString(dir.resolve("next.key"), passphrase + "-next\n");
            CommandLineTest.Run changed = CommandLineTest.run(
                    "passphrase",
                    "--repo",
                    f.repository.toString(),
                    "--passphrase-file",
                    right.toString(),
                    "--new-passphrase-file",
                    next.toString());
            assertEquals(0, changed.exit(), changed.err());
            CommandLineTest.refused(
                    ExitCode.KEY,
                    "does not open",
                    "backups",
                    "--repo",
                    f.repository.toString(),
                    "--passphrase-file",
                    right.toString());
            CommandLineTest.Run after = CommandLineTest.run(
                    "verify", "--repo", f.repository.toString(), "--read-data", "--passphrase-file", next.toString());
            assertEquals(0, after.exit(), after.out() + after.err());
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
