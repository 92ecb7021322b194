package dev.backtrack.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A Sakila-like CRM for MariaDB holding everything issue 16 lists (resources under {@code mariadb-crm/}):
 * {@code base.sql} (19 tables in InnoDB, MyISAM and Aria; views, routines, triggers, an event), then
 * {@code changes-1.sql} to {@code changes-3.sql}, each of which creates, replaces, alters and drops
 * objects of every kind and leaves a valid schema. The scripts use {@code DELIMITER} around bodies as
 * Sakila's do: {@link MariaDbScript} splits them the way the {@code mariadb} client does, so they run
 * alike over JDBC (here) and through {@code mariadb --comments} (which keeps the comments in bodies).
 * They run in the connection's current database and never name it. Not thread-safe for one connection;
 * separate connections are independent.
 */
public final class MariaDbCrm {
    /** How many change steps there are. */
    public static final int STEPS = 3;

    private static final String DIRECTORY = "mariadb-crm/";

    private MariaDbCrm() {}

    /** Creates the fixture's starting schema (and its reference rows) in the connection's database. */
    public static void create(Connection c) throws SQLException {
        run(c, "base.sql");
    }

    /** Applies change step {@code step} (1 to {@link #STEPS}); steps must be applied in order, once each. */
    public static void applyChanges(Connection c, int step) throws SQLException {
        if (step < 1 || step > STEPS) {
            throw new IllegalArgumentException("change step " + step + " does not exist: the steps are 1 to " + STEPS);
        }
        run(c, "changes-" + step + ".sql");
    }

    /**
     * Inserts, updates and deletes rows across the fixture's tables with default keys, so AUTO_INCREMENT
     * counters advance, triggers fire (some writing other tables, a MyISAM and an Aria one among them),
     * parents are deleted under ON DELETE CASCADE and SET NULL children, parent keys change under ON UPDATE
     * CASCADE and SET NULL children, geometries of every type are written and rows are touched so that ON
     * UPDATE CURRENT_TIMESTAMP fires. Autocommit, one statement per transaction. Valid after {@link #create}
     * and after every change step.
     */
    public static void writeSome(Connection c, Random random) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(true);
        try {
            new MariaDbCrmWorkload(c, random).run();
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    /** The scripts that make the schema after {@code steps} change steps, in order: base.sql, changes-1.sql, ... */
    public static List<String> scripts(int steps) {
        List<String> names = new ArrayList<>(List.of("base.sql"));
        for (int step = 1; step <= steps; step++) {
            names.add("changes-" + step + ".sql");
        }
        return names;
    }

    /** The statements of a script, e.g. {@code "changes-2.sql"}, split as the mariadb client would split them. */
    public static List<String> statements(String resource) {
        return MariaDbScript.split(text(resource));
    }

    /** A script's text, to run through the mariadb client instead. */
    public static String text(String resource) {
        try (InputStream in = MariaDbCrm.class.getResourceAsStream(DIRECTORY + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture script " + DIRECTORY + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + DIRECTORY + resource + ": " + e.getMessage(), e);
        }
    }

    /** DDL commits implicitly in MariaDB anyway; autocommit makes the reference rows commit the same way. */
    private static void run(Connection c, String resource) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
            int n = 0;
            for (String sql : statements(resource)) {
                n++;
                try {
                    st.execute(sql);
                } catch (SQLException e) {
                    throw new SQLException(
                            resource + " statement " + n + " failed: " + e.getMessage() + "\n" + sql,
                            e.getSQLState(),
                            e);
                }
            }
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }
}
