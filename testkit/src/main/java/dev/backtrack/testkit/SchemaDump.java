package dev.backtrack.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The cluster's own {@code pg_dump --schema-only} of a database, normalized so that a restore and
 * PostgreSQL's own point-in-time recovery can be compared with {@code assertEquals} (issue 15):
 * objects in any order, without the agent's own objects, without the dump's session settings,
 * comments and random keys. Runs pg_dump as the postgres OS user when the JVM is root. Thread-safe.
 *
 * <pre>
 * DumpedSchema expected = SchemaDump.of(cluster, recovered.port(), "crm", Options.defaults());
 * DumpedSchema actual = SchemaDump.of(cluster, "restored", Options.defaults());
 * assertEquals(expected, actual, () -> SchemaDump.diff(expected, actual));
 * </pre>
 */
public final class SchemaDump {
    private SchemaDump() {}

    /**
     * What to dump and what to leave out.
     *
     * @param ignoreOwnership  pg_dump's {@code --no-owner}: no ALTER ... OWNER TO (headers then say "Owner: -")
     * @param ignorePrivileges pg_dump's {@code --no-privileges}: no GRANT and REVOKE
     * @param agent            the agent's objects, left out of the comparison
     */
    public record Options(boolean ignoreOwnership, boolean ignorePrivileges, AgentObjects agent) {
        /** Ownership and privileges compared, the default agent's objects left out. */
        public static Options defaults() {
            return new Options(false, false, AgentObjects.defaults());
        }

        public Options ignoringOwnership() {
            return new Options(true, ignorePrivileges, agent);
        }

        public Options ignoringPrivileges() {
            return new Options(ignoreOwnership, true, agent);
        }

        public Options withAgent(AgentObjects objects) {
            return new Options(ignoreOwnership, ignorePrivileges, objects);
        }
    }

    /** The normalized schema of {@code database} on {@code cluster}. */
    public static DumpedSchema of(PostgresCluster cluster, String database, Options options) {
        return of(cluster, cluster.port(), database, options);
    }

    /**
     * The normalized schema of {@code database} on the server at 127.0.0.1:{@code port} (e.g. a
     * {@link PostgresPitr.Recovered} copy), dumped with {@code tools}' binaries.
     */
    public static DumpedSchema of(PostgresCluster tools, int port, String database, Options options) {
        return DumpedSchema.parse(text(tools, port, database, options), options.agent());
    }

    /** pg_dump's plain schema-only output as it wrote it, for a restore through psql or a look by eye. */
    public static String text(PostgresCluster tools, int port, String database, Options options) {
        Path dir = writableTempDirectory();
        try {
            Path file = dir.resolve("schema.sql");
            tools.runAsPostgres(command(tools, port, database, options, file), 300);
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the schema dump of " + database + ": " + e.getMessage(), e);
        } finally {
            deleteTree(dir);
        }
    }

    /** For a failure message: each object only in {@code a}, only in {@code b}, or in both with different lines. */
    public static String diff(DumpedSchema a, DumpedSchema b) {
        return SchemaDiff.describe(a, b);
    }

    private static List<String> command(PostgresCluster tools, int port, String database, Options options, Path file) {
        List<String> cmd = new ArrayList<>(List.of(
                tools.binDirectory().resolve("pg_dump").toString(),
                "-h",
                "127.0.0.1",
                "-p",
                Integer.toString(port),
                "-U",
                tools.superuser(),
                "--no-password",
                "--schema-only",
                "-f",
                file.toString()));
        if (options.ignoreOwnership()) {
            cmd.add("--no-owner");
        }
        if (options.ignorePrivileges()) {
            cmd.add("--no-privileges");
        }
        // timestamps in partition bounds, defaults and views print in the session's TimeZone, which is no part of the
        // schema
        cmd.addAll(List.of("-d", "dbname=" + connectionValue(database) + " options='-c TimeZone=UTC'"));
        return cmd;
    }

    /** A libpq connection-string value: quoted, with ' and \ escaped. */
    private static String connectionValue(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** pg_dump runs as the postgres OS user, so it must be able to write where the dump goes. */
    private static Path writableTempDirectory() {
        try {
            Path dir = Files.createTempDirectory("backtrack-schema-");
            if (PostgresCluster.OsUser.isRoot()) {
                PostgresCluster.OsUser.run(List.of("chown", "postgres:postgres", dir.toString()), 30);
            }
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException("cannot make a directory for a schema dump: " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
