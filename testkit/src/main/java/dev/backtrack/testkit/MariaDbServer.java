package dev.backtrack.testkit;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away MariaDB server from the machine's own binaries, on a free port on 127.0.0.1, with the
 * binary log on in ROW format with FULL row images. Reads no option file ({@code --no-defaults}), so the
 * machine's own MariaDB service and its {@code my.cnf} are never involved. The root account has no
 * password. Thread-safe.
 */
public final class MariaDbServer implements AutoCloseable {
    private static final int START_TIMEOUT_SECONDS = 60;
    private static final int STOP_TIMEOUT_SECONDS = 60;
    private static final int TOOL_TIMEOUT_SECONDS = 120;
    private static MariaDbServer shared;
    private final Path dir;
    private final Path data;
    private final Map<String, String> extraOptions;
    private int port;
    private Process process;

    private MariaDbServer(Path dir, Map<String, String> extraOptions) {
        this.dir = dir;
        this.data = dir.resolve("data");
        this.extraOptions = extraOptions;
    }

    /** One server per JVM, started on first use and stopped when the JVM exits. */
    public static synchronized MariaDbServer shared() {
        if (shared == null) {
            shared = start(Map.of());
            MariaDbServer s = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "mariadb-server-stop"));
        }
        return shared;
    }

    /**
     * Creates a data directory in a new temp directory and starts a server on it. Each extra option
     * {@code key -> value} is passed as {@code --key=value} (an empty value as a bare {@code --key}) after
     * the defaults, so it overrides them.
     */
    public static MariaDbServer start(Map<String, String> extraOptions) {
        Path dir;
        try {
            dir = Files.createTempDirectory("backtrack-mariadb-");
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot create a temp directory for a throw-away MariaDB: " + e.getMessage(), e);
        }
        MariaDbServer s = new MariaDbServer(dir, new LinkedHashMap<>(extraOptions));
        try {
            s.installDataDirectory();
            // another process may take the free port before mariadbd binds it: try a couple of others
            for (int attempt = 1; ; attempt++) {
                s.port = FreePorts.find();
                try {
                    s.launch();
                    return s;
                } catch (IllegalStateException e) {
                    if (attempt == 3 || !String.valueOf(e.getMessage()).contains("Address already in use")) {
                        throw e;
                    }
                }
            }
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void installDataDirectory() {
        List<String> cmd = new ArrayList<>(List.of(
                tool("mariadb-install-db").toString(),
                "--no-defaults",
                "--datadir=" + data,
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                "--skip-name-resolve",
                // passed on to the bootstrap server: a 16 MiB redo log instead of 96 MiB per throw-away server
                "--innodb-log-file-size=16M"));
        if (PostgresCluster.OsUser.isRoot()) {
            // only root may pass --user; without it mariadbd refuses to run as root
            cmd.add("--user=root");
        }
        Path log = dir.resolve("install.log");
        int code = exec(cmd, log, log, TOOL_TIMEOUT_SECONDS);
        if (code != 0) {
            throw new IllegalStateException("mariadb-install-db failed (" + code + ") in " + data + ":\n" + tail(log));
        }
    }

    private List<String> serverCommand() {
        List<String> cmd = new ArrayList<>();
        cmd.add(tool("mariadbd").toString());
        // must be the first option
        cmd.add("--no-defaults");
        // names the other logs (relay, slow, ...) after "backtrack" instead of the host name; it resets every
        // log name given before it, so it has to precede --log-bin
        cmd.add("--log-basename=backtrack");
        cmd.add("--datadir=" + data);
        cmd.add("--port=" + port);
        cmd.add("--bind-address=127.0.0.1");
        cmd.add("--socket=" + dir.resolve("sock"));
        cmd.add("--pid-file=" + dir.resolve("mariadbd.pid"));
        if (PostgresCluster.OsUser.isRoot()) {
            cmd.add("--user=root");
        }
        cmd.add("--log-bin=" + binlogBasename());
        // --log-basename would otherwise name the index backtrack-bin.index next to binlog.000001
        cmd.add("--log-bin-index=" + binlogBasename() + ".index");
        cmd.add("--binlog-format=ROW");
        cmd.add("--binlog-row-image=FULL");
        cmd.add("--server-id=1");
        cmd.add("--innodb-flush-log-at-trx-commit=2");
        cmd.add("--sync-binlog=0");
        cmd.add("--innodb-log-file-size=16M");
        cmd.add("--skip-name-resolve");
        extraOptions.forEach((k, v) -> {
            String key = k.startsWith("--") ? k.substring(2) : k;
            cmd.add(v == null || v.isEmpty() ? "--" + key : "--" + key + "=" + v);
        });
        return cmd;
    }

    private void launch() {
        try {
            process = new ProcessBuilder(serverCommand())
                    .redirectErrorStream(true)
                    .redirectOutput(Redirect.appendTo(logFile().toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run mariadbd: " + e.getMessage(), e);
        }
        awaitReady();
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        Properties props = credentials();
        props.setProperty("connectTimeout", "2000");
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                int code = process.exitValue();
                process = null;
                throw new IllegalStateException(
                        "mariadbd exited (" + code + ") while starting on port " + port + ":\n" + logTail());
            }
            try (Connection c = DriverManager.getConnection(jdbcUrl(""), props)) {
                return;
            } catch (SQLException e) {
                last = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                crash();
                throw new IllegalStateException("interrupted while waiting for MariaDB on port " + port, e);
            }
        }
        crash();
        throw new IllegalStateException(
                "MariaDB on port " + port + " did not accept connections within " + START_TIMEOUT_SECONDS + " s ("
                        + (last == null ? "no attempt" : last.getMessage()) + "):\n" + logTail());
    }

    /** Starts the server again after {@link #stop()} or {@link #crash()}, on the same port and data directory. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("MariaDB on port " + port + " is already running");
        }
        if (!Files.isDirectory(data)) {
            throw new IllegalStateException("MariaDB in " + dir + " was closed: its data directory is gone");
        }
        launch();
    }

    /** Stops the server cleanly (SIGTERM: InnoDB flushed, binary log closed with a Stop event) and waits for it. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                crash();
                throw new IllegalStateException("MariaDB on port " + port + " did not stop within "
                        + STOP_TIMEOUT_SECONDS + " s, killed it:\n" + logTail());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            crash();
            throw new IllegalStateException("interrupted while stopping MariaDB on port " + port, e);
        }
        process = null;
    }

    /** Kills the server (SIGKILL), like a crash: the next {@link #start()} runs crash recovery. */
    public synchronized void crash() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Stops (cleanly) and starts again on the same port with the same options. */
    public void restart() {
        stop();
        start();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    public String user() {
        return "root";
    }

    /** The temp directory holding everything: data directory, socket, pid file and logs. */
    public Path dir() {
        return dir;
    }

    public Path dataDir() {
        return data;
    }

    /** Where mariadbd's output (its error log) goes; appended to across restarts. */
    public Path logFile() {
        return dir.resolve("server.log");
    }

    /**
     * The binary log files' common prefix: the files are {@code <basename>.000001}, ... and {@code <basename>.index}.
     */
    public String binlogBasename() {
        return data.resolve("binlog").toString();
    }

    /** The binary log files the server has, oldest first, as listed in its index. */
    public List<Path> binlogFiles() {
        try {
            return Files.readAllLines(Path.of(binlogBasename() + ".index")).stream()
                    .filter(l -> !l.isBlank())
                    .map(l -> data.resolve(l.trim()))
                    .toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the binary log index in " + data + ": " + e.getMessage(), e);
        }
    }

    /** The JDBC URL of a database; an empty name connects to no database. */
    public String jdbcUrl(String database) {
        return "jdbc:mariadb://127.0.0.1:" + port + "/" + (database == null ? "" : database);
    }

    /**
     * Connects as root to the database, creating it first when it does not exist; {@code null} or empty
     * connects to no database.
     */
    public Connection connect(String database) throws SQLException {
        Connection c = DriverManager.getConnection(jdbcUrl(""), credentials());
        if (database == null || database.isEmpty()) {
            return c;
        }
        try {
            // a CREATE DATABASE IF NOT EXISTS would be written to the binary log on every call, even when the
            // database exists: look first, so that only the real creation shows up there
            boolean exists;
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT 1 FROM information_schema.schemata WHERE schema_name = ?")) {
                ps.setString(1, database);
                try (ResultSet rs = ps.executeQuery()) {
                    exists = rs.next();
                }
            }
            if (!exists) {
                try (Statement st = c.createStatement()) {
                    st.execute("CREATE DATABASE IF NOT EXISTS " + quote(database));
                }
            }
            c.setCatalog(database);
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Creates the database, dropping it first when it exists. */
    public void createDatabase(String name) {
        execute(null, "DROP DATABASE IF EXISTS " + quote(name), "CREATE DATABASE " + quote(name));
    }

    public void dropDatabase(String name) {
        execute(null, "DROP DATABASE IF EXISTS " + quote(name));
    }

    /** Runs the statements in order on one connection (autocommit), in the database ({@code null}: none). */
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

    /** The first column of the first row, or {@code null} when there is no row. */
    public String queryOne(String database, String sql) {
        try (Connection c = connect(database);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException("on " + database + ": " + e.getMessage(), e);
        }
    }

    /**
     * The argv of a MariaDB client tool ({@code mariadb}, {@code mariadb-binlog}, {@code mariadb-dump},
     * {@code mariadb-admin}, ...) pointed at this server over TCP as root, reading no option file, followed
     * by {@code args}.
     */
    public List<String> command(String tool, String... args) {
        List<String> cmd = new ArrayList<>(
                List.of(tool(tool).toString(), "--no-defaults", "--host=127.0.0.1", "--port=" + port, "--user=root"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs {@link #command} and returns what it printed on stdout; fails with its stderr when it exits non-zero. */
    public String run(String tool, String... args) {
        List<String> cmd = command(tool, args);
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile(dir, "tool-", ".out");
            err = Files.createTempFile(dir, "tool-", ".err");
            int code = exec(cmd, out, err, TOOL_TIMEOUT_SECONDS);
            if (code != 0) {
                throw new IllegalStateException(
                        String.join(" ", cmd) + " failed (" + code + "): " + Files.readString(err));
            }
            return Files.readString(out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + tool + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    public String logTail() {
        return tail(logFile());
    }

    /** Kills the server and deletes its temp directory. */
    @Override
    public synchronized void close() {
        // the data is thrown away, so there is nothing to shut down cleanly for
        crash();
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }

    private static Properties credentials() {
        Properties props = new Properties();
        props.setProperty("user", "root");
        props.setProperty("password", "");
        return props;
    }

    private static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    /** A MariaDB executable from the PATH, or from the sbin directories, which are not on a non-root PATH. */
    static Path tool(String name) {
        List<Path> dirs = new ArrayList<>();
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!d.isEmpty()) {
                dirs.add(Path.of(d));
            }
        }
        dirs.addAll(List.of(Path.of("/usr/sbin"), Path.of("/usr/local/sbin"), Path.of("/usr/local/mysql/bin")));
        return dirs.stream()
                .map(d -> d.resolve(name))
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "no " + name + " on the PATH nor in /usr/sbin: install mariadb-server and mariadb-client"));
    }

    private static int exec(List<String> command, Path out, Path err, int timeoutSeconds) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile());
        if (out.equals(err)) {
            pb.redirectErrorStream(true);
        } else {
            pb.redirectError(err.toFile());
        }
        try {
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(
                        "timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
        }
    }

    private static String tail(Path file) {
        try {
            // decoded leniently: a log line in another encoding must not hide the rest
            List<String> lines = new String(Files.readAllBytes(file), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log " + file.getFileName() + ": " + e.getMessage() + ")";
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temp file left behind is harmless; close() removes the directory
            }
        }
    }
}
