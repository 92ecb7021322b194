package dev.backtrack.connectors.mariadb;

import dev.backtrack.connectors.SourceException;
import dev.backtrack.repository.objects.ObjectDefinition;
import dev.backtrack.repository.objects.ObjectSet;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The definitions of a MariaDB/MySQL database's objects as the server prints them (SHOW CREATE): every
 * table whole (columns with their defaults and ON UPDATE, generated columns, keys, FULLTEXT and SPATIAL
 * indexes, checks, foreign keys, partitioning, engine, character sets, row format, comment), views,
 * triggers, procedures, functions and events, each with the sql_mode and character set it was made
 * under. A table's AUTO_INCREMENT counter is left out: a restore sets it from the rows and the values
 * recorded. Keys are {@code kind:name} (the server has no stable id; a renamed object is another one).
 * Thread-safe (stateless).
 */
public final class MariaDbObjects {
    /** How a MariaDB/MySQL source's definitions are followed: read again when the agent handles each DDL. */
    public static final String BY_BINLOG = "binlog DDL events";

    private MariaDbObjects() {}

    // a trigger's files read while a DDL rewrites or removes them (ER_TRG_CORRUPTED_FILE; a .TRN file not found, or
    // gone between its listing and its stat, EE_STAT): read again
    private static final Set<Integer> FILES_IN_FLUX = Set.of(1602, 29, 1017, 13);
    private static final int ATTEMPTS = 20;

    /**
     * Every definition of {@code database} now; read again (up to 20 times, 50 ms apart) while a concurrent DDL leaves
     * a file half written.
     */
    public static ObjectSet read(Connection c, String database) {
        for (int attempt = 1; ; attempt++) {
            try {
                return readOnce(c, database);
            } catch (SourceException e) {
                if (attempt == ATTEMPTS
                        || !(e.getCause() instanceof SQLException s)
                        || !FILES_IN_FLUX.contains(s.getErrorCode())) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static ObjectSet readOnce(Connection c, String database) {
        List<ObjectDefinition> out = new ArrayList<>();
        try {
            addTables(out, c, database);
            addViews(out, c, database);
            addRoutines(out, c, database);
            addTriggers(out, c, database);
            addEvents(out, c, database);
        } catch (SQLException e) {
            throw new SourceException(
                    "cannot read the definitions of database " + database + " on the source: "
                            + e.getMessage().split("\n")[0]
                            + " (the user needs SELECT on the database, and SHOW VIEW, TRIGGER and EVENT for "
                            + "those objects)",
                    e);
        }
        return new ObjectSet(out);
    }

    private static void addTables(List<ObjectDefinition> out, Connection c, String database) throws SQLException {
        for (String t : names(
                c,
                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'",
                database)) {
            add(out, table(c, database, t));
        }
    }

    private static void addViews(List<ObjectDefinition> out, Connection c, String database) throws SQLException {
        for (String v : names(c, "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?", database)) {
            add(
                    out,
                    shown(
                            c,
                            database,
                            null,
                            "view",
                            v,
                            "SHOW CREATE VIEW",
                            "Create View",
                            ObjectDefinition.TABLE,
                            2,
                            "DROP VIEW IF EXISTS "));
        }
    }

    /** Procedures and functions. */
    private static void addRoutines(List<ObjectDefinition> out, Connection c, String database) throws SQLException {
        for (String[] r : routines(c, database)) {
            String kind = r[1].toLowerCase(Locale.ROOT);
            add(
                    out,
                    shown(
                            c,
                            database,
                            null,
                            kind,
                            r[0],
                            "SHOW CREATE " + r[1],
                            "Create " + capital(kind),
                            ObjectDefinition.PRE,
                            1,
                            "DROP " + r[1] + " IF EXISTS "));
        }
    }

    private static void addTriggers(List<ObjectDefinition> out, Connection c, String database) throws SQLException {
        for (String[] g : pairs(
                c,
                "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?"
                        + " ORDER BY EVENT_OBJECT_TABLE, ACTION_ORDER",
                database)) {
            add(
                    out,
                    shown(
                            c,
                            database,
                            database + "." + g[1],
                            "trigger",
                            g[0],
                            "SHOW CREATE TRIGGER",
                            "SQL Original Statement",
                            ObjectDefinition.POST,
                            1,
                            "DROP TRIGGER IF EXISTS "));
        }
    }

    private static void addEvents(List<ObjectDefinition> out, Connection c, String database) throws SQLException {
        for (String e : names(c, "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?", database)) {
            add(
                    out,
                    shown(
                            c,
                            database,
                            null,
                            "event",
                            e,
                            "SHOW CREATE EVENT",
                            "Create Event",
                            ObjectDefinition.POST,
                            2,
                            "DROP EVENT IF EXISTS "));
        }
    }

    /** An object dropped between the listing and its SHOW CREATE (null) is left to the next DDL's reading. */
    private static void add(List<ObjectDefinition> out, ObjectDefinition o) {
        if (o != null) {
            out.add(o);
        }
    }

    /** A table, whole, as SHOW CREATE TABLE prints it, without its AUTO_INCREMENT counter. */
    private static ObjectDefinition table(Connection c, String database, String table) throws SQLException {
        String[] shown = showCreate(
                c,
                "SHOW CREATE TABLE " + MariaDbTypes.ident(database) + "." + MariaDbTypes.ident(table),
                "Create Table");
        if (shown == null) {
            return null;
        }
        String create = shown[0].replaceFirst(" AUTO_INCREMENT=\\d+", "");
        return new ObjectDefinition(
                "table:" + table,
                "table",
                MariaDbTypes.ident(table),
                database,
                database + "." + table,
                null,
                ObjectDefinition.PRE,
                0,
                List.of(create),
                List.of(),
                "DROP TABLE IF EXISTS " + MariaDbTypes.ident(table),
                null,
                null,
                List.of(),
                List.of(),
                List.of(),
                null);
    }

    /**
     * A view, routine, trigger or event as SHOW CREATE prints it, made again under the sql_mode (and,
     * for a text without other than ASCII characters, the character set) it was made under.
     */
    private static ObjectDefinition shown(
            Connection c,
            String database,
            String table,
            String kind,
            String name,
            String show,
            String column,
            String phase,
            int rank,
            String drop)
            throws SQLException {
        String[] shown = showCreate(
                c,
                show + " " + MariaDbTypes.ident(database) + "." + MariaDbTypes.ident(name),
                column,
                "sql_mode",
                "character_set_client",
                "collation_connection");
        if (shown == null) {
            return null;
        }
        List<String> create = new ArrayList<>();
        if (shown[1] != null) {
            create.add("SET SESSION sql_mode = " + MariaDbTypes.quote(shown[1]));
        }
        if (shown[2] != null && shown[0].chars().allMatch(ch -> ch < 128)) {
            // the driver sends the text in utf8mb4; an ASCII text reads the same in the character set the object
            // records
            create.add("SET SESSION character_set_client = " + shown[2] + ", collation_connection = " + shown[3]);
        }
        create.add(shown[0]);
        return new ObjectDefinition(
                kind + ":" + name,
                kind,
                MariaDbTypes.ident(name),
                database,
                table,
                null,
                phase,
                rank,
                create,
                List.of(),
                drop + MariaDbTypes.ident(name),
                null,
                null,
                List.of(),
                List.of(),
                List.of(),
                null);
    }

    // no such table, routine, trigger, event: dropped since it was listed
    private static final Set<Integer> GONE = Set.of(1146, 1305, 1360, 1539);

    /**
     * The named columns of a SHOW CREATE statement's row (a column it lacks, as a view's sql_mode, is null); null when
     * the object is gone.
     */
    private static String[] showCreate(Connection c, String sql, String... columns) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            return columns(rs, sql, columns);
        } catch (SQLException e) {
            if (GONE.contains(e.getErrorCode())) {
                return null;
            }
            throw e;
        }
    }

    private static String[] columns(ResultSet rs, String sql, String... columns) throws SQLException {
        if (!rs.next()) {
            throw new SQLException(sql + " returned nothing");
        }
        String[] out = new String[columns.length];
        ResultSetMetaData meta = rs.getMetaData();
        for (int i = 0; i < columns.length; i++) {
            for (int j = 1; j <= meta.getColumnCount(); j++) {
                if (meta.getColumnLabel(j).equalsIgnoreCase(columns[i])) {
                    out[i] = rs.getString(j);
                }
            }
        }
        return out;
    }

    private static List<String[]> routines(Connection c, String database) throws SQLException {
        return pairs(
                c,
                "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?",
                database);
    }

    private static List<String[]> pairs(Connection c, String sql, String database) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
        }
        return out;
    }

    private static List<String> names(Connection c, String sql, String database) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static String capital(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
