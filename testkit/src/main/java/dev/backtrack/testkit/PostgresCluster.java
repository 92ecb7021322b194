package dev.backtrack.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL cluster from the machine's own binaries, on a free port, with
 * {@code wal_level=logical}. Runs as the {@code postgres} OS user when the JVM is root (the server
 * refuses root). Thread-safe.
 */
public final class PostgresCluster implements AutoCloseable {
    /** Replication slots and WAL senders of every test cluster (a recovered copy needs at least as many). */
    static final int REPLICATION_SLOTS = 40;

    private static PostgresCluster shared;
    private final Path dir;
    private final Path data;
    private final int port;
    private final Map<String, String> settings;
    private final Path bin;

    private PostgresCluster(Path dir, int port, Map<String, String> settings, Path bin) {
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
        this.settings = settings;
        this.bin = bin;
    }

    /** One cluster per JVM, started on first use and stopped when the JVM exits. */
    public static synchronized PostgresCluster shared() {
        if (shared == null) {
            shared = start(Map.of());
            PostgresCluster s = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "pg-cluster-stop"));
        }
        return shared;
    }

    public static PostgresCluster start(Map<String, String> extraSettings) {
        try {
            Path bin = binaries();
            Path dir = Files.createTempDirectory("backtrack-pg-");
            Map<String, String> s = new LinkedHashMap<>();
            s.put("listen_addresses", "127.0.0.1");
            s.put("unix_socket_directories", dir.toString());
            s.put("wal_level", "logical");
            s.put("max_replication_slots", Integer.toString(REPLICATION_SLOTS));
            s.put("max_wal_senders", Integer.toString(REPLICATION_SLOTS));
            s.put("max_connections", "100");
            s.put("fsync", "off");
            s.put("synchronous_commit", "off");
            s.put("full_page_writes", "off");
            s.putAll(extraSettings);
            PostgresCluster c = new PostgresCluster(dir, FreePorts.find(), s, bin);
            if (OsUser.isRoot()) {
                OsUser.run(List.of("chown", "-R", "postgres:postgres", dir.toString()), 30);
            }
            c.runAsPostgres(
                    List.of(
                            bin.resolve("initdb").toString(),
                            "-D",
                            c.data.toString(),
                            "-U",
                            "postgres",
                            "--auth=trust",
                            "-E",
                            "UTF8",
                            "--locale=C.UTF-8"),
                    120);
            c.startServer();
            return c;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a throw-away PostgreSQL: " + e.getMessage(), e);
        }
    }

    private void startServer() {
        StringBuilder opts = new StringBuilder("-p " + port);
        settings.forEach((k, v) -> opts.append(" -c ").append(k).append('=').append(v));
        ProcessResult r = runAsPostgres(
                List.of(
                        bin.resolve("pg_ctl").toString(),
                        "-D",
                        data.toString(),
                        "-l",
                        logFile().toString(),
                        "-w",
                        "-t",
                        "60",
                        "-o",
                        opts.toString(),
                        "start"),
                90);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("PostgreSQL did not start: " + r.output() + "\n" + logTail());
        }
    }

    private static Path binaries() throws IOException {
        try {
            Process p = new ProcessBuilder("pg_config", "--bindir")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor() == 0 && Files.isExecutable(Path.of(out, "initdb"))) {
                return Path.of(out);
            }
        } catch (IOException | InterruptedException ignored) {
            // fall back to the Debian layout below
        }
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparingInt(b -> Integer.parseInt(
                            b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                    .orElseThrow(() -> new IOException(
                            "no PostgreSQL server binaries under /usr/lib/postgresql: install postgresql-15"));
        }
    }

    /** Runs a command as the postgres OS user (directly when not root). */
    public ProcessResult runAsPostgres(List<String> command, int timeoutSeconds) {
        List<String> full = new ArrayList<>();
        if (OsUser.isRoot()) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        return OsUser.run(full, timeoutSeconds);
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    public String superuser() {
        return "postgres";
    }

    public Path dataDirectory() {
        return data;
    }

    public Path binDirectory() {
        return bin;
    }

    public Path logFile() {
        return dir.resolve("server.log");
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), "postgres", "");
    }

    /** Creates the database, dropping it first when it exists. */
    public void createDatabase(String name) {
        execute(
                "postgres",
                "DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)",
                "CREATE DATABASE \"" + name + "\"");
    }

    public void dropDatabase(String name) {
        execute("postgres", "DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
    }

    public void execute(String database, String... sql) {
        try (Connection c = connect(database);
                Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("on " + database + ": " + e.getMessage(), e);
        }
    }

    public String queryOne(String database, String sql) {
        try (Connection c = connect(database);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException("on " + database + ": " + e.getMessage(), e);
        }
    }

    /** Stops the server: "fast" (clean) or "immediate" (like a crash). */
    public void stop(String mode) {
        runAsPostgres(
                List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", mode, "-w", "-t", "60", "stop"),
                90);
    }

    /** Stops (fast) and starts again on the same port with the same settings. */
    public void restart() {
        restart("fast");
    }

    /**
     * Stops with {@code mode} ("fast", or "immediate": like a crash, recovered from the WAL at start) and starts again.
     */
    public void restart(String mode) {
        stop(mode);
        startServer();
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no server log: " + e.getMessage() + ")";
        }
    }

    @Override
    public synchronized void close() {
        if (!Files.exists(dir)) {
            return;
        }
        if (Files.exists(data.resolve("postmaster.pid"))) {
            stop("immediate");
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }

    /** What a finished command printed and returned. */
    public record ProcessResult(int exitCode, String output) {}

    static final class OsUser {
        private OsUser() {}

        static boolean isRoot() {
            return "root".equals(System.getProperty("user.name"));
        }

        static ProcessResult run(List<String> command, int timeoutSeconds) {
            try {
                Path out = Files.createTempFile("backtrack-cmd-", ".out");
                Process p = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(out.toFile())
                        .start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(
                            "timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
                }
                String text = Files.readString(out);
                Files.deleteIfExists(out);
                if (p.exitValue() != 0 && !command.contains("stop")) {
                    throw new IllegalStateException(
                            String.join(" ", command) + " failed (" + p.exitValue() + "): " + text);
                }
                return new ProcessResult(p.exitValue(), text);
            } catch (IOException e) {
                throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
            }
        }
    }
}
