package dev.backtrack.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * MariaDB's own point-in-time recovery, the oracle a restore is compared with (issue 16): a consistent
 * dump of one source database with the binary log position it was taken at ({@link #backup}), then
 * that dump loaded into a new database and the source's binary log replayed from that position to a
 * {@link Target} through the mariadb client ({@link #recoverTo}).
 *
 * <p><b>Where it recovers.</b> Into a fresh {@link MariaDbServer}, or a new database on a server that is
 * not the source, never the source itself: mariadb-binlog's output sets the source's
 * {@code server_id} and {@code gtid_seq_no}, which replayed there would rewrite its GTID history and
 * land in the binary log a capturing agent reads, and {@code --rewrite-db} renames only the default
 * database and row events' tables, so a statement that names the source database inside its text
 * would change the source. Neither the dump nor the replay is written to the recovering server's
 * binary log ({@code sql_log_bin=0}, {@code --disable-log-bin}).
 *
 * <p><b>Picking instants.</b> The binary log stamps events in whole seconds (when their statement
 * started), {@code --stop-datetime=T} stops at the first event stamped T or later, and a restore to T
 * keeps what committed at or before T: the two agree when nothing is stamped T. So stop writing, call
 * {@link #quietInstant()} (the next whole second T, returned once the clock has passed T + 1 s), take
 * the source's snapshot, then write again. A {@link #currentPosition} taken while quiet is exact too.
 *
 * <p><b>What the replay leaves out.</b> {@code --database} keeps statements run with the source database
 * as default ({@code USE}) and row events on its tables: DDL run from another default database is not
 * replayed, and one naming the database in its text ({@code ALTER DATABASE crm ...}) is replayed under
 * that name, not the rewritten one. Thread-safe for one source.
 */
public final class MariaDbPitr implements AutoCloseable {
    private static final Pattern MASTER_DATA =
            Pattern.compile("CHANGE MASTER TO MASTER_LOG_FILE='([^']+)', MASTER_LOG_POS=(\\d+)");
    private final MariaDbServer source;
    private final String database;
    private final Path dir;
    private final BinlogCoordinates start;
    private final String createDatabaseOptions;

    private MariaDbPitr(
            MariaDbServer source, String database, Path dir, BinlogCoordinates start, String createDatabaseOptions) {
        this.source = source;
        this.database = database;
        this.dir = dir;
        this.start = start;
        this.createDatabaseOptions = createDatabaseOptions;
    }

    /** A place in the binary log: a file's name (e.g. {@code binlog.000002}) and a byte offset in it. */
    public record BinlogCoordinates(String file, long position) {
        @Override
        public String toString() {
            return file + ":" + position;
        }
    }

    /** Where a recovery stops: at an instant (whole seconds) or before a binlog position. */
    public record Target(Instant instant, BinlogCoordinates position) {
        /** Everything stamped before {@code instant}, a whole second (see the class comment on picking instants). */
        public static Target at(Instant instant) {
            if (instant.getNano() != 0) {
                throw new IllegalArgumentException(
                        instant + " is not a whole second: the binary log stamps events in whole seconds");
            }
            return new Target(instant, null);
        }

        /**
         * Everything before {@code position}, e.g. a {@link #currentPosition} (where the next transaction will start).
         */
        public static Target before(BinlogCoordinates position) {
            return new Target(null, position);
        }
    }

    /**
     * Dumps {@code database} now, with the binlog position of that moment. {@code --master-data} takes a
     * global read lock for the whole dump: {@code --single-transaction} would not make the MyISAM and Aria
     * tables' rows consistent with the InnoDB ones, nor with the position.
     */
    public static MariaDbPitr backup(MariaDbServer source, String database) {
        Path dir = tempDirectory();
        Path dump = dir.resolve("dump.sql");
        MariaDbTool.run(
                MariaDbTool.remote(
                        source.port(),
                        "mariadb-dump",
                        "--master-data=2",
                        "--routines",
                        "--triggers",
                        "--events",
                        "--hex-blob",
                        "--tz-utc",
                        "--default-character-set=utf8mb4",
                        "--result-file=" + dump,
                        database),
                Map.of(),
                null,
                dir.resolve("dump.out"));
        String head = head(dump);
        Matcher m = MASTER_DATA.matcher(head);
        if (!m.find()) {
            throw new IllegalStateException(
                    "the dump of " + database + " has no CHANGE MASTER position: is the binary log on?");
        }
        String options = source.queryOne(
                null,
                "SELECT CONCAT('CHARACTER SET ', DEFAULT_CHARACTER_SET_NAME, ' COLLATE ', DEFAULT_COLLATION_NAME)"
                        + " FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '" + database.replace("'", "''")
                        + "'");
        return new MariaDbPitr(
                source, database, dir, new BinlogCoordinates(m.group(1), Long.parseLong(m.group(2))), options);
    }

    /** The binlog position the dump was taken at: the replay starts there. */
    public BinlogCoordinates start() {
        return start;
    }

    /** Where the next transaction on {@code server} will start ({@code SHOW MASTER STATUS}). */
    public static BinlogCoordinates currentPosition(MariaDbServer server) {
        try (Connection c = server.connect(null);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
            if (!rs.next()) {
                throw new IllegalStateException(
                        "SHOW MASTER STATUS is empty on port " + server.port() + ": the binary log is off");
            }
            return new BinlogCoordinates(rs.getString("File"), rs.getLong("Position"));
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot read the binlog position on port " + server.port() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The next whole second T after now, returned once the clock has passed T + 1 s. Call it with nothing
     * writing: what committed before the call is stamped before T, what is written after it returns is
     * stamped after T, so a restore to T and {@code --stop-datetime=T} keep the same transactions.
     */
    public static Instant quietInstant() throws InterruptedException {
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        Instant after = t.plusSeconds(1).plusMillis(50);
        for (Instant now = Instant.now(); now.isBefore(after); now = Instant.now()) {
            Thread.sleep(Math.max(1, after.toEpochMilli() - now.toEpochMilli()));
        }
        return t;
    }

    /** Recovers into the source's database name on a fresh server, which the returned copy closes. */
    public Recovered recoverTo(Target target) {
        MariaDbServer fresh = MariaDbServer.start(Map.of());
        try {
            replay(target, fresh, database);
            return new Recovered(fresh, database, true);
        } catch (RuntimeException e) {
            fresh.close();
            throw e;
        }
    }

    /** Recovers into {@code name}, dropped first if it exists, on {@code into}, which must not be the source. */
    public Recovered recoverTo(Target target, MariaDbServer into, String name) {
        if (into == source || into.port() == source.port()) {
            throw new IllegalArgumentException(
                    "recovering into the source server would replay its own GTIDs into its binary log: use "
                            + "another server");
        }
        replay(target, into, name);
        return new Recovered(into, name, false);
    }

    private void replay(Target target, MariaDbServer into, String name) {
        String quoted = "`" + name.replace("`", "``") + "`";
        into.execute(
                null,
                "SET sql_log_bin = 0",
                "DROP DATABASE IF EXISTS " + quoted,
                "CREATE DATABASE " + quoted + " " + createDatabaseOptions);
        // --comments: without it the client strips comments from routine and trigger bodies it sends
        MariaDbTool.run(
                MariaDbTool.remote(
                        into.port(),
                        "mariadb",
                        "--comments",
                        "--binary-mode",
                        "--default-character-set=utf8mb4",
                        "--init-command=SET sql_log_bin = 0",
                        name),
                Map.of(),
                dir.resolve("dump.sql"),
                dir.resolve("load.out"));
        Path events = dir.resolve("replay-" + name + ".sql");
        // --stop-datetime is read in the local time zone
        MariaDbTool.run(
                MariaDbBinlogReplay.command(source, database, name, start, target, events),
                Map.of("TZ", "UTC"),
                null,
                dir.resolve("binlog.out"));
        MariaDbTool.run(
                MariaDbTool.remote(into.port(), "mariadb", "--comments", "--binary-mode", name),
                Map.of(),
                events,
                dir.resolve("replay.out"));
    }

    /** A database recovered to a target, on a server of its own or on one it shares. */
    public static final class Recovered implements AutoCloseable {
        private final MariaDbServer server;
        private final String database;
        private final boolean ownsServer;

        Recovered(MariaDbServer server, String database, boolean ownsServer) {
            this.server = server;
            this.database = database;
            this.ownsServer = ownsServer;
        }

        public MariaDbServer server() {
            return server;
        }

        public String database() {
            return database;
        }

        /** The port the recovering server listens on (127.0.0.1). */
        public int port() {
            return server.port();
        }

        public String jdbcUrl() {
            return server.jdbcUrl(database);
        }

        public Connection connect() throws SQLException {
            return server.connect(database);
        }

        /** Stops the fresh server, or drops the database from the shared one. */
        @Override
        public void close() {
            if (ownsServer) {
                server.close();
            } else {
                server.dropDatabase(database);
            }
        }
    }

    private static String head(Path dump) {
        try (Stream<String> lines = Files.lines(dump, StandardCharsets.UTF_8)) {
            return String.join("\n", lines.limit(60).toList());
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalStateException("cannot read the dump " + dump + ": " + e.getMessage(), e);
        }
    }

    private static Path tempDirectory() {
        try {
            return Files.createTempDirectory("backtrack-mariadb-pitr-");
        } catch (IOException e) {
            throw new IllegalStateException("cannot make a directory for a dump: " + e.getMessage(), e);
        }
    }

    /** Deletes the dump and the replayed SQL. */
    @Override
    public void close() {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
