package dev.backtrack.connectors.postgres;

import java.util.List;
import java.util.stream.Collectors;

/**
 * PostgreSQL's logical decoding carries no DDL, so the agent installs event triggers that write
 * each changed table definition into the change stream (docs/FORMAT.md "Schema history").
 */
public final class DdlCapture {
    public static final String DDL_PREFIX = "backtrack.ddl";
    public static final String DROP_PREFIX = "backtrack.drop";
    /** Rows of a table as a rewriting DDL left them, written in that DDL's transaction. */
    public static final String ROWS_PREFIX = "backtrack.rows";
    /** Schema of the installed objects; never captured. */
    public static final String SCHEMA = "backtrack";

    private DdlCapture() {}

    /** True when the role may install event triggers. */
    public static boolean possible(PostgresCatalog catalog) {
        return "t".equals(catalog.one("SELECT rolsuper::text::char FROM pg_roles WHERE rolname = current_user"));
    }

    /** Installs (or refreshes) the functions and event triggers; idempotent. */
    public static void install(
            PostgresCatalog catalog, String publication, List<String> include, List<String> exclude) {
        String sql = PostgresCatalog.resource("ddl_capture.sql")
                .replace("${OBJECT_DEFINITIONS}", PostgresObjects.functions(SCHEMA, include, exclude))
                .replace("${TABLE_DEFINITION}", PostgresCatalog.TABLE_DEFINITION)
                .replace("${PUBLICATION}", PostgresCatalog.literal(publication))
                .replace("${INCLUDE}", array(include))
                .replace("${EXCLUDE}", array(exclude));
        catalog.execute(sql);
    }

    /**
     * Writes the whole set of object definitions into the stream as one message and makes it the
     * set the event trigger compares each DDL's result with.
     */
    public static void recordAllObjects(PostgresCatalog catalog) {
        catalog.execute("SELECT backtrack.record_objects(true)");
    }

    /** Removes what {@link #install} made. */
    public static void uninstall(PostgresCatalog catalog) {
        catalog.execute("DROP EVENT TRIGGER IF EXISTS backtrack_ddl; DROP EVENT TRIGGER IF EXISTS backtrack_drop; DROP "
                + "EVENT TRIGGER IF EXISTS backtrack_rewrite; DROP SCHEMA IF EXISTS backtrack CASCADE");
    }

    static String array(List<String> patterns) {
        return "ARRAY[" + patterns.stream().map(PostgresTarget::literal).collect(Collectors.joining(",")) + "]";
    }
}
