package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.cli.demo.CrmSchema;
import dev.backtrack.testkit.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands as a user runs them: output, one-line errors, exit codes, and nothing written on bad input. */
class CommandLineTest {
    @TempDir
    static Path dir;

    static CaptureFixture fixture;
    static String earliest;
    static String latest;

    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void captureSomething() throws Exception {
        fixture = new CaptureFixture("crm_cli", dir);
        try (Connection c = fixture.connect()) {
            CrmSchema.create(c);
            CrmSchema.seed(c, 20, new Random(3));
        }
        fixture.startAgent();
        fixture.cluster.execute(fixture.database, "UPDATE accounts SET active = false WHERE id < 5");
        fixture.awaitLogged();
        // a second round after the first is logged: the log then holds more than one batch
        fixture.cluster.execute(fixture.database, "UPDATE accounts SET active = true WHERE id = 2");
        fixture.awaitLogged();
        fixture.stopAgent();
        JsonNode backups = new ObjectMapper().readTree(run("backups", "--repo", repo(), "--json").out);
        earliest = backups.get("earliest").asText();
        latest = backups.get("latest").asText();
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    static String repo() {
        return fixture.repository.toString();
    }

    /** A command's arguments with more after them. */
    static String[] append(String[] args, String... more) {
        String[] out = Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, out, args.length, more.length);
        return out;
    }

    static Run run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** A bad input: the given exit code and exactly one line on standard error that contains the hint. */
    static void refused(int exit, String hint, String... args) {
        Run r = run(args);
        assertEquals(exit, r.exit, "exit code of " + String.join(" ", args) + "; stderr: " + r.err);
        assertEquals(1, r.err.strip().lines().count(), "one line on stderr, got: " + r.err);
        assertTrue(r.err.contains(hint), "stderr should mention '" + hint + "': " + r.err);
    }

    @Test
    void backupsJsonShowsTheWindowAndCheckpoint0() throws Exception {
        JsonNode j = new ObjectMapper().readTree(run("backups", "--repo", repo(), "--json").out);
        assertTrue(
                j.get("earliest").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z"),
                j.toString());
        assertTrue(j.get("latest").asText().compareTo(j.get("earliest").asText()) > 0, j.toString());
        JsonNode cp = j.get("checkpoints").get(0);
        assertTrue(cp.get("id").asText().endsWith("F"));
        assertTrue(cp.get("position").asText().matches("[0-9A-F]+/[0-9A-F]+"), cp.toString());
        assertEquals(cp.get("time").asText(), earliest);
        assertTrue(run("backups", "--repo", repo()).out.contains("recoverable window: " + earliest + " .. " + latest));
    }

    @Test
    void passwordsNeverAppearInAnyOutput() throws Exception {
        String secret = "S3cret-Pa55-" + System.nanoTime();
        Path cfg = Files.writeString(
                dir.resolve("secret.yaml"),
                "source:\n  url: jdbc:postgresql://127.0.0.1:" + FreePorts.find()
                        + "/crm\n  user: postgres\n  password: " + secret + "\nrepository:\n  path: "
                        + dir.resolve("secret-repo") + "\n");
        Path badKey = Files.writeString(
                dir.resolve("secret-bad.yaml"),
                "source:\n  url: x\n  user: u\n  password: " + secret + "\n  bogus: 1\n");
        fixture.cluster.createDatabase("crm_cli_secret");
        Run[] runs = {
            run("agent", "--config", cfg.toString()),
            run("agent", "--config", badKey.toString()),
            run("mark", "m1", "--config", cfg.toString()),
            run(
                    "restore",
                    "--repo",
                    repo(),
                    "--to",
                    "latest",
                    "--target-url",
                    "jdbc:postgresql://127.0.0.1:" + FreePorts.find() + "/x",
                    "--target-user",
                    "postgres",
                    "--target-password",
                    secret,
                    "--json"),
            run(
                    "restore",
                    "--repo",
                    repo(),
                    "--to",
                    "latest",
                    "--target-url",
                    fixture.cluster.jdbcUrl("crm_cli_secret"),
                    "--target-user",
                    "postgres",
                    "--target-password",
                    secret,
                    "--json"),
            run("backups", "--repo", repo(), "--json"),
            run("verify", "--repo", repo(), "--json"),
            run("checkpoint", "--config", cfg.toString(), "--kind", "full", "--json"),
            run("expire", "--config", cfg.toString(), "--dry-run", "--json"),
            run(
                    "migrate",
                    "--repo",
                    repo(),
                    "--target-url",
                    "jdbc:postgresql://127.0.0.1:" + FreePorts.find() + "/x",
                    "--target-user",
                    "postgres",
                    "--target-password",
                    secret,
                    "--json"),
            run(
                    "migrate",
                    "cutover",
                    "--repo",
                    repo(),
                    "--target-url",
                    "jdbc:postgresql://127.0.0.1:" + FreePorts.find() + "/x",
                    "--target-user",
                    "postgres",
                    "--target-password",
                    secret,
                    "--config",
                    cfg.toString(),
                    "--json"),
            // passphrases: the repository is not encrypted, so both files are refused; neither may be echoed
            run(
                    "passphrase",
                    "--repo",
                    repo(),
                    "--passphrase-file",
                    Files.writeString(dir.resolve("secret-old.key"), secret + "\n")
                            .toString(),
                    "--new-passphrase-file",
                    Files.writeString(dir.resolve("secret-new.key"), secret + "-new\n")
                            .toString()),
            run(
                    "restore",
                    "--repo",
                    repo(),
                    "--to",
                    "latest",
                    "--target-url",
                    fixture.cluster.jdbcUrl("crm_cli_secret"),
                    "--target-user",
                    "postgres",
                    "--passphrase-file",
                    dir.resolve("secret-old.key").toString()),
        };
        for (Run r : runs) {
            assertFalse(r.out.contains(secret) || r.err.contains(secret), "a password leaked: " + r.out + r.err);
        }
        assertEquals(0, runs[4].exit, runs[4].err);
    }

    @Test
    void theRepositoryIsReadableByItsOwnerOnly() throws Exception {
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(fixture.repository)));
        try (var files = Files.walk(fixture.repository)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                assertTrue(perms.endsWith("------"), p + " is " + perms);
            }
        }
    }

    @Test
    void restoreToAnInstantWritesTheTargetAndReportsIt() throws Exception {
        fixture.cluster.createDatabase("crm_cli_ok");
        Run r = run(
                "restore",
                "--repo",
                repo(),
                "--to",
                latest,
                "--target-url",
                fixture.cluster.jdbcUrl("crm_cli_ok"),
                "--target-user",
                "postgres",
                "--json");
        assertEquals(0, r.exit, r.err);
        JsonNode report = new ObjectMapper().readTree(r.out);
        assertEquals(
                fixture.checksums(fixture.database, CrmSchema.TABLES),
                fixture.checksums("crm_cli_ok", CrmSchema.TABLES));
        assertTrue(report.get("transactionsApplied").asLong() >= 1, r.out);
    }

    @Test
    void aSubsetOfTablesIsRestoredAndForeignKeysToTablesLeftOutAreReported() throws Exception {
        fixture.cluster.createDatabase("crm_cli_subset");
        Run r = run(
                "restore",
                "--repo",
                repo(),
                "--to",
                latest,
                "--target-url",
                fixture.cluster.jdbcUrl("crm_cli_subset"),
                "--target-user",
                "postgres",
                "--tables",
                "contacts,public.deals");
        assertEquals(0, r.exit, r.err);
        assertTrue(r.out.contains("foreign key public.contacts.contacts_account_fk left out"), r.out);
        assertEquals(
                "contacts,deals",
                fixture.cluster.queryOne(
                        "crm_cli_subset",
                        "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname "
                                + "= 'public'"));
        assertEquals(
                fixture.checksums(fixture.database, List.of("public.contacts", "public.deals")),
                fixture.checksums("crm_cli_subset", List.of("public.contacts", "public.deals")));
        assertEquals(
                null,
                fixture.cluster.queryOne("crm_cli_subset", "SELECT to_regclass('public.accounts_id_seq')"),
                "a sequence owned by a table left out was created");
        fixture.cluster.createDatabase("crm_cli_subset_bad");
        refused(
                ExitCode.BAD_INPUT,
                "--jobs 0 is not valid",
                "restore",
                "--repo",
                repo(),
                "--to",
                latest,
                "--target-url",
                fixture.cluster.jdbcUrl("crm_cli_subset_bad"),
                "--target-user",
                "postgres",
                "--jobs",
                "0");
        refused(
                ExitCode.BAD_INPUT,
                "does not exist at the restore target",
                "restore",
                "--repo",
                repo(),
                "--to",
                latest,
                "--target-url",
                fixture.cluster.jdbcUrl("crm_cli_subset_bad"),
                "--target-user",
                "postgres",
                "--tables",
                "public.nope");
    }

    @Test
    void verifyProvesTheWindowAndNamesFlippedBytesWhichRestoreRefuses() throws Exception {
        Run ok = run("verify", "--repo", repo(), "--read-data");
        assertEquals(0, ok.exit, ok.out + ok.err);
        assertTrue(ok.out.contains("recoverable window proven: " + earliest + " .. " + latest), ok.out);

        Path copy = dir.resolve("damaged-data");
        copyTree(fixture.repository, copy);
        Path rows;
        try (var files = Files.walk(copy.resolve("data"))) {
            rows = files.filter(Files::isRegularFile)
                    .max(Comparator.comparingLong(p -> p.toFile().length()))
                    .orElseThrow();
        }
        flip(rows, Files.size(rows) / 2);
        Run bad = run("verify", "--repo", copy.toString(), "--json");
        assertEquals(ExitCode.REPOSITORY, bad.exit, bad.out);
        assertTrue(bad.out.contains(rows.getFileName().toString()) && bad.out.contains("SHA-256"), bad.out);
        fixture.cluster.createDatabase("crm_cli_damaged");
        refused(
                ExitCode.REPOSITORY,
                "SHA-256",
                "restore",
                "--repo",
                copy.toString(),
                "--to",
                latest,
                "--target-url",
                fixture.cluster.jdbcUrl("crm_cli_damaged"),
                "--target-user",
                "postgres");
        assertEquals(
                "0",
                fixture.cluster.queryOne(
                        "crm_cli_damaged", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
        // loading over two connections commits table by table: the failed restore drops what it created
        refused(
                ExitCode.REPOSITORY,
                "SHA-256",
                "restore",
                "--repo",
                copy.toString(),
                "--to",
                latest,
                "--target-url",
                fixture.cluster.jdbcUrl("crm_cli_damaged"),
                "--target-user",
                "postgres",
                "--jobs",
                "2");
        assertEquals(
                "",
                fixture.cluster.queryOne(
                        "crm_cli_damaged",
                        "SELECT coalesce(string_agg(n.nspname || '.' || c.relname, ','), '') FROM pg_class c "
                                + "JOIN pg_namespace n ON n.oid = c.relnamespace"
                                + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"));

        Path copy2 = dir.resolve("damaged-log");
        copyTree(fixture.repository, copy2);
        Path segment;
        try (var files = Files.list(copy2.resolve("log"))) {
            segment =
                    files.filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow();
        }
        try (var ch = FileChannel.open(segment)) {
            ByteBuffer len = ByteBuffer.allocate(4);
            ch.read(len, 8);
            assertTrue(
                    12 + len.getInt(0) < ch.size(),
                    "the first batch must not be the last one, or a flipped byte reads as a torn tail");
        }
        flip(segment, 60);
        Run badLog = run("verify", "--repo", copy2.toString());
        assertEquals(ExitCode.REPOSITORY, badLog.exit, badLog.out);
        assertTrue(badLog.out.contains(segment.getFileName().toString()) && badLog.out.contains("offset"), badLog.out);
    }

    private static void flip(Path file, long at) throws Exception {
        try (var ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x5A)).rewind();
            ch.write(b, at);
        }
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    @Test
    void badInstantsAreRefusedWithTheFormToUse() {
        String url = fixture.cluster.jdbcUrl("crm_cli_never");
        refused(ExitCode.BAD_INPUT, "ISO-8601", "restore", "--repo", repo(), "--to", "yesterday", "--target-url", url);
        refused(
                ExitCode.BAD_INPUT,
                "ISO-8601",
                "restore",
                "--repo",
                repo(),
                "--to",
                "2026-11-24 10:31",
                "--target-url",
                url);
        refused(
                ExitCode.BAD_INPUT,
                "finer than a microsecond",
                "restore",
                "--repo",
                repo(),
                "--to",
                "2026-11-24T10:31:06.1234567Z",
                "--target-url",
                url);
        refused(
                ExitCode.BAD_INPUT,
                "outside the recoverable window",
                "restore",
                "--repo",
                repo(),
                "--to",
                "2001-01-01T00:00:00Z",
                "--target-url",
                url);
        refused(
                ExitCode.BAD_INPUT,
                "outside the recoverable window",
                "restore",
                "--repo",
                repo(),
                "--to",
                "2999-01-01T00:00:00+01:00",
                "--target-url",
                url);
        refused(ExitCode.BAD_INPUT, "--to", "restore", "--repo", repo(), "--target-url", url);
        refused(
                ExitCode.BAD_INPUT,
                "not supported",
                "restore",
                "--repo",
                repo(),
                "--to",
                "latest",
                "--target-url",
                "jdbc:oracle:thin:@127.0.0.1:1521/x");
    }

    @Test
    void aNonEmptyTargetIsRefusedAndLeftAsItWas() throws Exception {
        fixture.cluster.createDatabase("crm_cli_busy");
        fixture.cluster.execute("crm_cli_busy", "CREATE TABLE precious (id int)", "INSERT INTO precious VALUES (1)");
        refused(
                ExitCode.DATABASE,
                "not empty",
                "restore",
                "--repo",
                repo(),
                "--to",
                "latest",
                "--target-url",
                fixture.cluster.jdbcUrl("crm_cli_busy"),
                "--target-user",
                "postgres");
        assertEquals(
                "1",
                fixture.cluster.queryOne("crm_cli_busy", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
        assertEquals("1", fixture.cluster.queryOne("crm_cli_busy", "SELECT count(*) FROM precious"));
    }

    @Test
    void unreachableAndMissingTargetsAreNamed() {
        refused(
                ExitCode.DATABASE,
                "cannot reach",
                "restore",
                "--repo",
                repo(),
                "--to",
                "latest",
                "--target-url",
                "jdbc:postgresql://127.0.0.1:" + FreePorts.find() + "/nowhere",
                "--target-user",
                "postgres");
        refused(
                ExitCode.DATABASE,
                "does not exist",
                "restore",
                "--repo",
                repo(),
                "--to",
                "latest",
                "--target-url",
                fixture.cluster.jdbcUrl("no_such_database"),
                "--target-user",
                "postgres");
    }

    @Test
    void aDirectoryThatIsNotARepositoryIsRefused() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("not-a-repo"));
        refused(ExitCode.REPOSITORY, "not a Backtrack repository", "backups", "--repo", empty.toString());
        refused(
                ExitCode.REPOSITORY,
                "not a Backtrack repository",
                "restore",
                "--repo",
                empty.toString(),
                "--to",
                "latest",
                "--target-url",
                fixture.cluster.jdbcUrl("x"));
        assertFalse(Files.exists(empty.resolve("backtrack.repo")));
    }

    @Test
    void badAgentConfigurationIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path repoDir = dir.resolve("never-written");
        Path missing = dir.resolve("missing.yaml");
        refused(ExitCode.BAD_INPUT, "does not exist", "agent", "--config", missing.toString());
        Path unknown = Files.writeString(
                dir.resolve("unknown.yaml"),
                "source:\n  url: " + fixture.url() + "\n  user: postgres\n  pasword: x\nrepository:\n  path: " + repoDir
                        + "\n");
        refused(ExitCode.BAD_INPUT, "source.pasword", "agent", "--config", unknown.toString());
        Path noRepo = Files.writeString(
                dir.resolve("norepo.yaml"), "source:\n  url: " + fixture.url() + "\n  user: postgres\n");
        refused(ExitCode.BAD_INPUT, "repository.path", "agent", "--config", noRepo.toString());
        Path unreachable = Files.writeString(
                dir.resolve("unreachable.yaml"),
                "source:\n  url: jdbc:postgresql://127.0.0.1:" + FreePorts.find()
                        + "/crm\n  user: postgres\nrepository:\n  path: " + repoDir + "\n");
        refused(ExitCode.DATABASE, "cannot reach", "agent", "--config", unreachable.toString());
        assertFalse(Files.exists(repoDir), "a refused agent created its repository");
    }

    @Test
    void expireListsWhatWouldGoAndRefusesBadRulesWithoutChangingTheRepository() throws Exception {
        Run dry = run("expire", "--repo", repo(), "--keep", "1", "--dry-run", "--json");
        assertEquals(0, dry.exit, dry.err);
        JsonNode plan = new ObjectMapper().readTree(dry.out);
        assertTrue(plan.get("dryRun").asBoolean(), dry.out);
        assertEquals(earliest, plan.get("earliest").asText(), "one checkpoint: nothing goes and the window stays");
        assertEquals(0, plan.get("checkpoints").size(), dry.out);
        refused(ExitCode.BAD_INPUT, "no retention rule", "expire", "--repo", repo());
        refused(ExitCode.BAD_INPUT, "either --repo or --config", "expire", "--keep", "2");
        refused(ExitCode.BAD_INPUT, "is not a duration", "expire", "--repo", repo(), "--window", "two weeks");
        refused(
                ExitCode.BAD_INPUT,
                "not a Backtrack repository",
                "expire",
                "--repo",
                dir.resolve("nowhere").toString(),
                "--keep",
                "1");
        refused(ExitCode.BAD_INPUT, "is not valid", "expire", "--repo", repo(), "--keep", "-3");
        assertEquals(
                earliest,
                new ObjectMapper()
                        .readTree(run("backups", "--repo", repo(), "--json").out)
                        .get("earliest")
                        .asText());
    }
}
