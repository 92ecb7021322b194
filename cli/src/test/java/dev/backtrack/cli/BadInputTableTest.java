package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.cli.demo.CrmSchema;
import dev.backtrack.config.Engine;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.io.AtomicFiles;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.testkit.PostgresCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input table: every bad input gets one line on standard error that names the problem (and
 * with it the fix), its documented exit code, and changes neither the repository nor the target.
 */
class BadInputTableTest {
    @TempDir
    static Path dir;

    static CaptureFixture fixture;
    static CaptureFixture sealed;
    static String repo;
    static String url;
    static String emptyTarget;

    /** One bad input: what it is, the exit code, a phrase the message must hold, and the command line. */
    private record Case(String input, int exit, String names, List<String> args) {}

    /** An instant before the source made an extension another server may lack. */
    static String beforeExtension;

    static Path extensionFiles;

    @BeforeAll
    static void captureSomething() throws Exception {
        fixture = new CaptureFixture("crm_bad_input", dir);
        try (Connection c = fixture.connect()) {
            CrmSchema.create(c);
            CrmSchema.seed(c, 10, new Random(5));
        }
        // a view owned by a role that only this cluster has
        fixture.cluster.execute(
                "postgres", "DROP ROLE IF EXISTS crm_bad_input_owner", "CREATE ROLE crm_bad_input_owner");
        fixture.cluster.execute(fixture.database, "ALTER VIEW open_deals OWNER TO crm_bad_input_owner");
        fixture.startAgent();
        fixture.awaitLogged();
        beforeExtension = Micros.format(fixture.sourceNowMicros());
        extensionFiles = installProbeExtension(fixture.cluster);
        fixture.cluster.execute(fixture.database, "CREATE EXTENSION backtrack_probe_ext");
        fixture.awaitLogged();
        fixture.stopAgent();
        // from here on no server of this machine offers the extension: a restore of the latest state needs it
        removeProbeExtension(extensionFiles);
        repo = fixture.repository.toString();
        url = fixture.cluster.jdbcUrl("crm_bad_input");
        emptyTarget = "crm_bad_input_target";
        fixture.cluster.createDatabase(emptyTarget);
        sealed = new CaptureFixture("crm_bad_input_sealed", Files.createDirectories(dir.resolve("sealed")));
        sealed.withPassphrase("the right passphrase");
        sealed.cluster.execute(
                sealed.database,
                "CREATE TABLE notes (id int PRIMARY KEY, body text)",
                "INSERT INTO notes VALUES (1, 'x')");
        sealed.startAgent();
        sealed.awaitLogged();
        sealed.stopAgent();
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
        sealed.close();
        removeProbeExtension(extensionFiles);
    }

    /**
     * An extension of this test's own, made available to the server's binaries (as a package would); returns its files.
     */
    private static Path installProbeExtension(PostgresCluster pg) throws Exception {
        Path ext =
                Path.of(pg.queryOne("postgres", "SELECT setting FROM pg_config WHERE name = 'SHAREDIR'"), "extension");
        Files.writeString(
                ext.resolve("backtrack_probe_ext.control"),
                "default_version = '1.0'\nrelocatable = true\ncomment = 'Backtrack test extension'\n");
        Files.writeString(
                ext.resolve("backtrack_probe_ext--1.0.sql"),
                "CREATE FUNCTION backtrack_probe_ext_one() RETURNS int LANGUAGE sql AS 'SELECT 1';\n");
        return ext;
    }

    private static void removeProbeExtension(Path ext) throws Exception {
        if (ext != null) {
            Files.deleteIfExists(ext.resolve("backtrack_probe_ext.control"));
            Files.deleteIfExists(ext.resolve("backtrack_probe_ext--1.0.sql"));
        }
    }

    @Test
    void everyBadInputIsRefusedInOneLineWithItsExitCodeAndChangesNothing() throws Exception {
        PostgresCluster pg = fixture.cluster;
        String target = pg.jdbcUrl(emptyTarget);
        pg.createDatabase("crm_bad_input_busy");
        pg.execute("crm_bad_input_busy", "CREATE TABLE already_here (id int)");
        pg.execute("postgres", "DROP ROLE IF EXISTS bad_input_weak", "CREATE ROLE bad_input_weak LOGIN");
        Path wrongKey = Files.writeString(dir.resolve("wrong.key"), "not the passphrase\n");
        Path encrypted = sealed.repository;
        Path otherSource = dir.resolve("other-source-repo");
        Repository.openOrCreate(otherSource, Engine.POSTGRESQL, "7000000000000000002", "crm_bad_input");
        Path futureFormat = dir.resolve("future-repo");
        Repository.openOrCreate(futureFormat, Engine.POSTGRESQL, "7000000000000000003", "crm");
        Path root = futureFormat.resolve(Repository.ROOT_FILE);
        String identity = new String(AtomicFiles.readChecked(root, null), StandardCharsets.UTF_8);
        AtomicFiles.writeChecked(
                root,
                identity.replaceFirst("\"format\"\\s*:\\s*\\d+", "\"format\" : 99")
                        .getBytes(StandardCharsets.UTF_8),
                null);
        Path notARepo = Files.createDirectories(dir.resolve("not-a-repo"));
        Path fresh = dir.resolve("fresh-repo");

        List<Case> cases = new ArrayList<>();
        // configuration
        cases.add(new Case(
                "config file missing",
                ExitCode.BAD_INPUT,
                "does not exist",
                List.of("agent", "--config", dir.resolve("nowhere.yaml").toString())));
        cases.add(new Case(
                "unknown config key",
                ExitCode.BAD_INPUT,
                "source.pasword",
                agent("source:\n  url: " + url + "\n  user: postgres\n  pasword: x\nrepository:\n  path: " + fresh
                        + "\n")));
        cases.add(new Case(
                "required key missing",
                ExitCode.BAD_INPUT,
                "repository.path",
                agent("source:\n  url: " + url + "\n  user: postgres\n")));
        cases.add(new Case(
                "malformed YAML", ExitCode.BAD_INPUT, "YAML", agent("source: [url: " + url + "\n  repository")));
        cases.add(new Case(
                "not a duration",
                ExitCode.BAD_INPUT,
                "heartbeat-interval",
                agent("source:\n  url: " + url
                        + "\n  user: postgres\n  heartbeat-interval: often\nrepository:\n  path: " + fresh + "\n")));
        cases.add(new Case(
                "compression level out of range",
                ExitCode.BAD_INPUT,
                "compression-level",
                agent("source:\n  url: " + url + "\n  user: postgres\nrepository:\n  path: " + fresh
                        + "\n  compression-level: 42\n")));
        cases.add(new Case(
                "unsupported source URL",
                ExitCode.BAD_INPUT,
                "not supported",
                agent("source:\n  url: jdbc:oracle:thin:@127.0.0.1:1521/crm\n  user: postgres\nrepository:\n  path: "
                        + fresh + "\n")));
        // the source
        cases.add(new Case(
                "unreachable host",
                ExitCode.DATABASE,
                "cannot reach",
                agent("source:\n  url: jdbc:postgresql://127.0.0.1:1/crm\n  user: postgres\nrepository:\n  path: "
                        + fresh + "\n")));
        cases.add(new Case(
                "wrong user",
                ExitCode.DATABASE,
                "nobody_here",
                agent("source:\n  url: " + url + "\n  user: nobody_here\nrepository:\n  path: " + fresh + "\n")));
        cases.add(new Case(
                "missing privileges",
                ExitCode.DATABASE,
                "REPLICATION",
                agent("source:\n  url: " + url + "\n  user: bad_input_weak\nrepository:\n  path: " + fresh + "\n")));
        cases.add(new Case(
                "missing database",
                ExitCode.DATABASE,
                "does not exist",
                agent("source:\n  url: " + pg.jdbcUrl("no_such_db") + "\n  user: postgres\nrepository:\n  path: "
                        + fresh + "\n")));
        cases.add(new Case(
                "repository of another source",
                ExitCode.REPOSITORY,
                "another",
                agent("source:\n  url: " + url + "\n  user: postgres\nrepository:\n  path: " + otherSource + "\n")));
        // restore targets and instants
        cases.add(new Case(
                "invalid TIME", ExitCode.BAD_INPUT, "ISO-8601", restore("--to", "yesterday", "--target-url", target)));
        cases.add(new Case(
                "TIME finer than a microsecond",
                ExitCode.BAD_INPUT,
                "microsecond",
                restore("--to", "2026-11-24T10:31:06.1234567Z", "--target-url", target)));
        cases.add(new Case(
                "instant before the window",
                ExitCode.BAD_INPUT,
                "outside the recoverable window",
                restore("--to", "2001-01-01T00:00:00Z", "--target-url", target)));
        cases.add(new Case(
                "instant after the window",
                ExitCode.BAD_INPUT,
                "outside the recoverable window",
                restore("--to", "2999-01-01T00:00:00Z", "--target-url", target)));
        cases.add(new Case(
                "malformed LSN", ExitCode.BAD_INPUT, "lsn", restore("--to", "lsn:zz", "--target-url", target)));
        cases.add(new Case(
                "malformed xid", ExitCode.BAD_INPUT, "xid", restore("--to", "xid:abc", "--target-url", target)));
        cases.add(new Case(
                "unknown mark", ExitCode.BAD_INPUT, "nope", restore("--to", "mark:nope", "--target-url", target)));
        cases.add(new Case(
                "conflicting flags --to and --before",
                ExitCode.BAD_INPUT,
                "conflict",
                restore("--to", "latest", "--before", "xid:5", "--target-url", target)));
        cases.add(new Case("no target instant", ExitCode.BAD_INPUT, "--to", restore("--target-url", target)));
        cases.add(new Case(
                "--jobs 0",
                ExitCode.BAD_INPUT,
                "--jobs 0",
                restore("--to", "latest", "--jobs", "0", "--target-url", target)));
        cases.add(new Case(
                "unknown option",
                ExitCode.BAD_INPUT,
                "--frobnicate",
                restore("--to", "latest", "--frobnicate", "--target-url", target)));
        cases.add(new Case(
                "non-empty target",
                ExitCode.DATABASE,
                "not empty",
                restore("--to", "latest", "--target-url", pg.jdbcUrl("crm_bad_input_busy"))));
        cases.add(new Case(
                "missing target database",
                ExitCode.DATABASE,
                "does not exist",
                restore("--to", "latest", "--target-url", pg.jdbcUrl("no_such_target"))));
        cases.add(new Case(
                "unreachable target",
                ExitCode.DATABASE,
                "cannot reach",
                restore("--to", "latest", "--target-url", "jdbc:postgresql://127.0.0.1:1/x")));
        cases.add(new Case(
                "unsupported target URL",
                ExitCode.BAD_INPUT,
                "not supported",
                restore("--to", "latest", "--target-url", "jdbc:oracle:thin:@127.0.0.1:1521/x")));
        // repositories
        cases.add(new Case(
                "not a repository",
                ExitCode.REPOSITORY,
                "not a Backtrack repository",
                List.of("backups", "--repo", notARepo.toString())));
        cases.add(new Case(
                "unknown format version",
                ExitCode.REPOSITORY,
                "format version 99",
                List.of("backups", "--repo", futureFormat.toString())));
        // in this JVM too, which ran the agent of the encrypted repository: its key stayed with that agent
        cases.add(new Case(
                "encrypted repository without its passphrase",
                ExitCode.KEY,
                "passphrase",
                List.of(
                        "restore",
                        "--repo",
                        encrypted.toString(),
                        "--to",
                        "latest",
                        "--target-url",
                        target,
                        "--target-user",
                        "postgres")));
        cases.add(new Case(
                "wrong encryption key",
                ExitCode.KEY,
                "does not open",
                List.of(
                        "restore",
                        "--repo",
                        encrypted.toString(),
                        "--to",
                        "latest",
                        "--target-url",
                        target,
                        "--target-user",
                        "postgres",
                        "--passphrase-file",
                        wrongKey.toString())));
        // retention
        cases.add(new Case(
                "expire without a rule", ExitCode.BAD_INPUT, "no retention rule", List.of("expire", "--repo", repo)));
        cases.add(new Case(
                "expire with --repo and --config",
                ExitCode.BAD_INPUT,
                "either --repo or --config",
                List.of("expire", "--keep", "2")));
        cases.add(new Case(
                "expire window not a duration",
                ExitCode.BAD_INPUT,
                "is not a duration",
                List.of("expire", "--repo", repo, "--window", "two weeks")));
        cases.add(new Case(
                "unknown checkpoint kind",
                ExitCode.BAD_INPUT,
                "weekly",
                List.of("checkpoint", "--config", fixture.config.toString(), "--kind", "weekly")));

        // a server without logical decoding, and a second agent on a repository one already writes: set up apart
        try (PostgresCluster replicaOnly = PostgresCluster.start(Map.of("wal_level", "replica"))) {
            replicaOnly.createDatabase("crm");
            cases.add(new Case(
                    "missing wal_level=logical",
                    ExitCode.DATABASE,
                    "wal_level",
                    agent("source:\n  url: " + replicaOnly.jdbcUrl("crm") + "\n  user: postgres\nrepository:\n  path: "
                            + fresh + "\n")));
            // another server: it lacks the role that owns a view, and (at the latest instant) an extension the source
            // made
            replicaOnly.createDatabase("crm_elsewhere");
            cases.add(new Case(
                    "target lacks an extension",
                    ExitCode.DATABASE,
                    "extension backtrack_probe_ext 1.0",
                    restore("--to", "latest", "--target-url", replicaOnly.jdbcUrl("crm_elsewhere"))));
            cases.add(new Case(
                    "target lacks a role",
                    ExitCode.DATABASE,
                    "crm_bad_input_owner",
                    restore("--to", beforeExtension, "--target-url", replicaOnly.jdbcUrl("crm_elsewhere"))));
            check(cases, target, fresh);
            assertEquals(
                    "0",
                    replicaOnly.queryOne(
                            "crm_elsewhere",
                            "SELECT count(*)::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                    + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND "
                                    + "n.nspname NOT LIKE 'pg\\_%'"),
                    "the other server's target was written");
        }
        fixture.startAgent();
        try {
            // the first agent holds the repository once it has logged something
            fixture.awaitLogged();
            CommandLineTest.Run second = CommandLineTest.run("agent", "--config", fixture.config.toString());
            assertEquals(ExitCode.LOCKED, second.exit(), "a second agent on the same repository: " + second.err());
            assertEquals(1, second.err().strip().lines().count(), second.err());
            assertTrue(second.err().contains("agent"), second.err());
            table.append("| a second agent on the same repository | ")
                    .append(second.exit())
                    .append(" | ")
                    .append(second.err().strip())
                    .append(" |\n");
        } finally {
            fixture.stopAgent();
        }
        System.out.println(table);
    }

    private final StringBuilder table = new StringBuilder("| bad input | exit | message |\n|---|---|---|\n");

    private void check(List<Case> cases, String target, Path fresh) throws Exception {
        PostgresCluster pg = fixture.cluster;
        List<String> problems = new ArrayList<>();
        for (Case c : cases) {
            Map<String, Long> repoBefore = tree(fixture.repository);
            CommandLineTest.Run r = CommandLineTest.run(c.args().toArray(String[]::new));
            String err = r.err().strip();
            table.append("| ")
                    .append(c.input())
                    .append(" | ")
                    .append(r.exit())
                    .append(" | ")
                    .append(err.replace("|", "\\|"))
                    .append(" |\n");
            if (r.exit() != c.exit()) {
                problems.add(c.input() + ": exit " + r.exit() + ", expected " + c.exit() + ": " + err);
            } else if (err.lines().count() != 1) {
                problems.add(c.input() + ": " + err.lines().count() + " lines on stderr: " + err);
            } else if (!err.toLowerCase(Locale.ROOT).contains(c.names().toLowerCase(Locale.ROOT))) {
                problems.add(c.input() + ": the message does not name '" + c.names() + "': " + err);
            }
            if (!tree(fixture.repository).equals(repoBefore)) {
                problems.add(c.input() + ": the repository changed");
            }
            if (Files.exists(fresh)) {
                problems.add(c.input() + ": it created " + fresh);
            }
        }
        assertEquals(
                "0",
                pg.queryOne(
                        emptyTarget,
                        "SELECT count(*)::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname "
                                + "NOT LIKE 'pg\\_%'"),
                () -> "the target was written; " + problems);
        assertEquals(
                "already_here",
                pg.queryOne(
                        "crm_bad_input_busy",
                        "SELECT string_agg(relname, ',') FROM pg_class WHERE relname NOT LIKE 'pg\\_%'"
                                + " AND relnamespace = 'public'::regnamespace"),
                "the non-empty target was changed");
        assertTrue(cases.size() >= 25, "the table has " + cases.size() + " cases");
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /** Every file of a repository with its size and modification time. */
    private static Map<String, Long> tree(Path root) throws Exception {
        Map<String, Long> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            // lock files (agent.lock, read.lock, ...) are empty coordination files, not content
            for (Path p : s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().endsWith(".lock"))
                    .toList()) {
                m.put(
                        root.relativize(p) + " " + Files.size(p),
                        Files.getLastModifiedTime(p).toMillis());
            }
        }
        return m;
    }

    /** The command in a child JVM; its standard error is what it printed (it prints nothing else when refused). */
    private static List<String> agent(String yaml) throws Exception {
        Path config = Files.createTempFile(dir, "agent-", ".yaml");
        Files.writeString(config, yaml);
        return List.of("agent", "--config", config.toString());
    }

    private static List<String> restore(String... rest) {
        List<String> args = new ArrayList<>(List.of("restore", "--repo", repo, "--target-user", "postgres"));
        args.addAll(List.of(rest));
        return args;
    }
}
