package dev.backtrack.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The machine's own {@code mariadb-dump --no-data --routines --triggers --events --skip-dump-date} of a
 * database, normalized (see {@link MariaDbDumpParser}) so that a restore and MariaDB's own point-in-time
 * recovery ({@link MariaDbPitr}) can be compared with {@code assertEquals} (issue 16). Thread-safe.
 *
 * <p>What the dump session, not the schema, would change, and how it is kept out: TIMESTAMP defaults
 * print in the session's time zone ({@code --tz-utc}); names, comments and defaults print in the
 * connection's character set ({@code --default-character-set=utf8mb4}); SHOW CREATE follows the
 * session's sql_mode (ANSI_QUOTES, NO_TABLE_OPTIONS, ...), which mariadb-dump empties for itself
 * (so never pass {@code --compatible}); the header names the host, the database and the versions
 * (comments, dropped). What the <em>creating</em> session left in the schema is kept and compared: the
 * sql_mode, client character set and database collation each trigger, routine, event and view was
 * created under (MariaDB Connector/J adds IGNORE_SPACE to its session's sql_mode, the mariadb client
 * does not), and an event's time zone, where {@code 'SYSTEM'} means the server's own zone.
 *
 * <pre>
 * MariaDbDumpedSchema expected = MariaDbSchemaDump.of(recovered.port(), "crm", Options.defaults());
 * MariaDbDumpedSchema actual = MariaDbSchemaDump.of(target, "crm", Options.defaults().ignoringDefiner());
 * assertEquals(expected, actual, () -> MariaDbSchemaDump.diff(expected, actual));
 * </pre>
 */
public final class MariaDbSchemaDump {
    private MariaDbSchemaDump() {}

    /**
     * What a restore may legitimately differ in.
     *
     * @param ignoreDefiner       the DEFINER of views, triggers, routines and events (a restore may create them as
     *                            the restoring user) is written {@code DEFINER=?}
     * @param ignoreEventStatus   an event's ENABLE / DISABLE / DISABLE ON SLAVE (a restore may create events
     * disabled, so they do not run against restored data unasked) is written {@code ENABLE|DISABLE}
     * @param ignoreClientCharset the character_set_client, character_set_results and collation_connection an
     *                            object was created under: they follow the creating client (the {@code mariadb}
     *                            client sends utf8mb3 here, JDBC utf8mb4), and only matter for non-ASCII literals
     * @param columnSrids         adds a section with each geometry column's SRID ({@code REF_SYSTEM_ID}), which
     *                            SHOW CREATE TABLE, hence mariadb-dump, does not show, so mariadb-dump restores lose it
     */
    public record Options(
            boolean ignoreDefiner, boolean ignoreEventStatus, boolean ignoreClientCharset, boolean columnSrids) {
        /** Everything mariadb-dump shows compared, the column SRIDs it does not show left out. */
        public static Options defaults() {
            return new Options(false, false, false, false);
        }

        public Options ignoringDefiner() {
            return new Options(true, ignoreEventStatus, ignoreClientCharset, columnSrids);
        }

        public Options ignoringEventStatus() {
            return new Options(ignoreDefiner, true, ignoreClientCharset, columnSrids);
        }

        public Options ignoringClientCharset() {
            return new Options(ignoreDefiner, ignoreEventStatus, true, columnSrids);
        }

        public Options withColumnSrids() {
            return new Options(ignoreDefiner, ignoreEventStatus, ignoreClientCharset, true);
        }
    }

    /** The normalized schema of {@code database} on {@code server}. */
    public static MariaDbDumpedSchema of(MariaDbServer server, String database, Options options) {
        return of(server.port(), database, options);
    }

    /**
     * The normalized schema of {@code database} on the server at 127.0.0.1:{@code port}, as root without a password.
     */
    public static MariaDbDumpedSchema of(int port, String database, Options options) {
        MariaDbDumpedSchema schema = MariaDbDumpedSchema.parse(text(port, database), options);
        return options.columnSrids() ? schema.with(columnSrids(port, database)) : schema;
    }

    /** mariadb-dump's output as it wrote it, for a look by eye or to run through the mariadb client. */
    public static String text(int port, String database) {
        return MariaDbTool.output(MariaDbTool.remote(
                port,
                "mariadb-dump",
                "--no-data",
                "--routines",
                "--triggers",
                "--events",
                "--skip-dump-date",
                // TIMESTAMP defaults print in the dump session's time zone: UTC whatever the server's zone is
                "--tz-utc",
                // names, comments and defaults outside ASCII print in the dump connection's character set
                "--default-character-set=utf8mb4",
                // a schema dump must not block a workload's writes with LOCK TABLES ... READ
                "--skip-lock-tables",
                // adds CREATE DATABASE with the database's default character set and collation
                "--databases",
                database));
    }

    /** For a failure message: each object only in {@code a}, only in {@code b}, or in both with different lines. */
    public static String diff(MariaDbDumpedSchema a, MariaDbDumpedSchema b) {
        return SchemaDiff.describe(a.byHeader(), b.byHeader());
    }

    private static MariaDbDumpedSchema.Section columnSrids(int port, String database) {
        List<String> lines = new ArrayList<>();
        String sql = "SELECT G_TABLE_NAME, G_GEOMETRY_COLUMN, SRID FROM information_schema.GEOMETRY_COLUMNS"
                + " WHERE G_TABLE_SCHEMA = ? ORDER BY G_TABLE_NAME, G_GEOMETRY_COLUMN";
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/", "root", "");
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    lines.add("`" + rs.getString(1) + "`.`" + rs.getString(2) + "` SRID " + rs.getLong(3));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot read the geometry columns of " + database + " on port " + port + ": " + e.getMessage(), e);
        }
        return new MariaDbDumpedSchema.Section("GEOMETRY COLUMNS", "", lines);
    }
}
