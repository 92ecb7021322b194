package dev.backtrack.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Random;

/**
 * A CRM schema holding every kind of object pg_dump dumps (resources under {@code crm-objects/}):
 * {@code base.sql}, then {@code changes-1.sql} to {@code changes-3.sql}, each of which creates, replaces,
 * alters and drops objects and leaves a valid schema. Objects belong to the role {@code crm_owner},
 * {@code crm_reader} is granted some; both roles are made when missing (they are cluster-wide). The
 * scripts run as a superuser. Not thread-safe for one connection; separate connections are independent.
 */
public final class CrmObjects {
    /** How many change steps there are. */
    public static final int STEPS = 3;

    private static final String DIRECTORY = "crm-objects/";

    private CrmObjects() {}

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
     * Inserts, updates and deletes some rows across the fixture's tables with default keys, so sequences
     * advance, triggers fire, deletes cascade and activity rows land in several partitions (the default one
     * too) and one moves across partitions. Valid after {@link #create} and after every change step.
     */
    public static void writeSome(Connection c, Random random) throws SQLException {
        new CrmWorkload(c, random).run();
    }

    /** The statements of a script, e.g. {@code "changes-2.sql"}, split as psql would split them. */
    public static List<String> statements(String resource) {
        return SqlScript.split(text(resource));
    }

    /** A script's text, to run through the cluster's psql instead. */
    public static String text(String resource) {
        try (InputStream in = CrmObjects.class.getResourceAsStream(DIRECTORY + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture script " + DIRECTORY + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + DIRECTORY + resource + ": " + e.getMessage(), e);
        }
    }

    /** One statement per transaction: ALTER TYPE ... ADD VALUE must commit before a later statement uses the value. */
    private static void run(Connection c, String resource) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
            int n = 0;
            for (String sql : statements(resource)) {
                n++;
                execute(st, resource, n, sql);
            }
        } finally {
            // a script that failed half-way must not leave the connection acting as crm_owner
            try (Statement st = c.createStatement()) {
                st.execute("RESET ROLE");
            }
            c.setAutoCommit(autoCommit);
        }
    }

    private static void execute(Statement st, String resource, int n, String sql) throws SQLException {
        try {
            st.execute(sql);
        } catch (SQLException e) {
            throw new SQLException(
                    resource + " statement " + n + " failed: " + e.getMessage() + "\n" + sql, e.getSQLState(), e);
        }
    }
}
