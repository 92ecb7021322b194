package dev.backtrack.connectors.postgres;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.config.Engine;
import dev.backtrack.config.TableFilter;
import dev.backtrack.connectors.SourceCatalog;
import dev.backtrack.connectors.SourceException;
import dev.backtrack.repository.objects.ObjectSet;
import dev.backtrack.repository.position.Lsn;
import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.TableSchema;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What the agent reads from a PostgreSQL source's catalog: tables, their columns, keys and enum
 * labels, sequences, and the settings capture needs. Not thread-safe (one connection).
 */
public final class PostgresCatalog implements SourceCatalog {
    @Override
    public Engine engine() {
        return Engine.POSTGRESQL;
    }

    @Override
    public String sqlName(TableSchema table) {
        return quote(table.schema()) + "." + quote(table.table());
    }

    /** The one query that reads a table's definition (also run by the DDL event trigger). */
    public static final String TABLE_DEFINITION = resource("table_definition.sql");

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final String TABLES = """
            SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'backtrack') AND n.nspname NOT LIKE 'pg\\_%'
            ORDER BY 1, 2""";

    private final Connection connection;
    private boolean definitionFunction;
    private boolean objectFunctions;
    private final String url;
    private final String user;

    private PostgresCatalog(Connection connection, String url, String user) {
        this.connection = connection;
        this.url = url;
        this.user = user;
    }

    public static PostgresCatalog connect(String url, String user, String password) {
        Properties p = properties(user, password, "backtrack");
        try {
            return new PostgresCatalog(DriverManager.getConnection(url, p), url, user);
        } catch (SQLException e) {
            throw ConnectionErrors.describe("source", url, user, e);
        }
    }

    /** JDBC properties of every connection the agent makes to the source. */
    public static Properties properties(String user, String password, String applicationName) {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null && !password.isEmpty()) {
            p.setProperty("password", password);
        }
        p.setProperty("ApplicationName", applicationName);
        p.setProperty("connectTimeout", "10");
        return p;
    }

    @Override
    public Connection connection() {
        return connection;
    }

    /** Fails with the statement that fixes the first missing prerequisite for logical capture. */
    public void checkCapturePrerequisites() {
        String walLevel = one("SHOW wal_level");
        if (!"logical".equals(walLevel)) {
            throw new SourceException("source wal_level is '" + walLevel
                    + "', logical decoding needs 'logical': run ALTER SYSTEM SET wal_level = logical; "
                    + "then restart PostgreSQL");
        }
        if (!"t"
                .equals(one("SELECT (rolreplication OR rolsuper)::text::char FROM pg_roles WHERE rolname = "
                        + "current_user"))) {
            throw new SourceException(
                    "role '" + user + "' may not stream changes: run ALTER ROLE " + user + " WITH REPLICATION;");
        }
        if (Integer.parseInt(one("SHOW max_replication_slots")) < 1) {
            throw new SourceException(
                    "source max_replication_slots is 0: run ALTER SYSTEM SET max_replication_slots = 10; then "
                            + "restart PostgreSQL");
        }
    }

    /** Fails naming the first table the role may not read, with the GRANT that fixes it. */
    public void checkReadable(List<String> tables) {
        for (String t : tables) {
            int dot = t.indexOf('.');
            String regclass = quote(t.substring(0, dot)) + "." + quote(t.substring(dot + 1));
            if (!"t"
                    .equals(one("SELECT has_table_privilege(" + PostgresCatalog.literal(regclass)
                            + ", 'SELECT')::text::char"))) {
                throw new SourceException("role '" + user + "' may not read " + t + ": run GRANT SELECT ON " + regclass
                        + " TO " + quote(user) + ";");
            }
        }
    }

    private static final String NO_INPUT = "PostgreSQL reads no value of this type back, so no restore could load it";

    /**
     * The types whose values cannot be carried exactly, with why (keyed by format_type's spelling
     * without a typmod); every other type travels, most as PostgreSQL's text ({@link TextForm}). A
     * table with such a column (also under domains, and in an array where the array's text does not
     * help) is refused before capture starts.
     */
    static final Map<String, String> UNSUPPORTED_TYPES = Map.of(
            "time with time zone",
            "the connector moves streamed values to UTC and drops their offset",
            "refcursor",
            "the connector's initial snapshot opens the cursor a value names instead of reading the value",
            "pg_node_tree",
            NO_INPUT,
            "pg_ndistinct",
            NO_INPUT,
            "pg_dependencies",
            NO_INPUT,
            "pg_mcv_list",
            NO_INPUT,
            "gtsvector",
            NO_INPUT,
            "pg_brin_bloom_summary",
            NO_INPUT,
            "pg_brin_minmax_multi_summary",
            NO_INPUT);

    /** Why a column of this type (format_type's spelling, behind any domain) cannot be carried, or null. */
    static String refusal(String type) {
        boolean array = type.endsWith("[]");
        String why = UNSUPPORTED_TYPES.get(
                (array ? type.substring(0, type.length() - 2) : type).replaceAll("\\(\\d+(,\\d+)?\\)", ""));
        // an array travels as the server's text, which keeps each timetz's offset and opens no cursor
        return array && !NO_INPUT.equals(why) ? null : why;
    }

    /** Refuses captured tables with a column of a type Backtrack cannot capture exactly, naming each with why. */
    public void checkSupportedTypes(List<String> tables) {
        // the connector reads every type of the database at start and fails (a NullPointerException) on a domain over
        // an enum
        String enumDomains =
                one("SELECT string_agg(format('%I.%I', n.nspname, t.typname), ', ' ORDER BY n.nspname, t.typname) "
                        + "FROM pg_type t"
                        + " JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype = 'd' AND "
                        + "t.typcategory = 'E' AND n.nspname <> 'pg_toast'");
        if (enumDomains != null) {
            throw new SourceException(
                    "the Debezium connector cannot start on a database with a domain over an enum type (" + enumDomains
                            + "):" + " give its columns the enum type itself and drop the domain");
        }
        List<String> bad = new ArrayList<>();
        for (String t : tables) {
            int dot = t.indexOf('.');
            String regclass = PostgresCatalog.literal(quote(t.substring(0, dot)) + "." + quote(t.substring(dot + 1)));
            // each column's type behind its domains, and an array's element type behind its domains
            String sql = "WITH RECURSIVE c(attname, shown, typid, arr) AS ("
                    + " SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.atttypid, false FROM pg_attribute a"
                    + " WHERE a.attrelid = " + regclass + "::regclass AND a.attnum > 0 AND NOT a.attisdropped"
                    + " UNION ALL SELECT c.attname, c.shown, CASE WHEN y.typtype = 'd' THEN y.typbasetype ELSE "
                    + "y.typelem END, c.arr OR y.typtype <> 'd'"
                    + " FROM c JOIN pg_type y ON y.oid = c.typid WHERE y.typtype = 'd' OR (y.typcategory = 'A' "
                    + "AND y.typelem <> 0 AND NOT c.arr))"
                    + " SELECT c.attname, c.shown, format_type(c.typid, NULL) || CASE WHEN c.arr THEN '[]' "
                    + "ELSE '' END FROM c JOIN pg_type y ON y.oid = c.typid"
                    + " WHERE NOT (y.typtype = 'd' OR (y.typcategory = 'A' AND y.typelem <> 0 AND NOT c.arr)) "
                    + "ORDER BY 1";
            try (Statement st = connection.createStatement();
                    ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    String why = refusal(rs.getString(3));
                    if (why != null) {
                        bad.add(t + "." + rs.getString(1) + " (" + rs.getString(2) + ": " + why + ")");
                    }
                }
            } catch (SQLException e) {
                throw new SourceException("cannot read the columns of " + t + ": " + e.getMessage(), e);
            }
        }
        if (!bad.isEmpty()) {
            throw new SourceException(
                    (bad.size() == 1 ? "column " : "columns ") + String.join(", ", bad) + " cannot be captured exactly:"
                            + " exclude the table with source.tables-exclude (or change the column's type)");
        }
    }

    /**
     * The same refusal for a definition that arrives with a DDL (a column added or retyped while capturing).
     * A domain is looked through one level (the definition knows no deeper); TextForm refuses a timetz value behind
     * more.
     */
    public static void refuseUnsupported(TableSchema table) {
        for (Column c : table.columns()) {
            String why = refusal(CopyText.typeOf(table, c));
            if (why != null) {
                throw new SourceException(
                        "column " + table.qualifiedName() + "." + c.name() + " (" + c.type() + ": " + why
                                + ") cannot be captured exactly:"
                                + " exclude the table with source.tables-exclude (or change the column's "
                                + "type), then restart the agent");
            }
        }
    }

    /**
     * Tables to capture: every ordinary and partitioned table (partitions too) matching include (all when empty) and
     * not exclude.
     */
    public List<String> tables(List<String> include, List<String> exclude) {
        return tables(include, exclude, false);
    }

    /**
     * Of {@link #tables}, the partitioned ones: they hold no rows of their own (their partitions do), so they are not
     * streamed.
     */
    public List<String> partitionedTables(List<String> include, List<String> exclude) {
        return tables(include, exclude, true);
    }

    private List<String> tables(List<String> include, List<String> exclude, boolean partitionedOnly) {
        TableFilter selected = TableFilter.of(include, exclude);
        List<String> result = new ArrayList<>();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery(TABLES)) {
            while (rs.next()) {
                String name = rs.getString(1) + "." + rs.getString(2);
                if (selected.test(name) && (!partitionedOnly || "p".equals(rs.getString(3)))) {
                    result.add(name);
                }
            }
        } catch (SQLException e) {
            throw new SourceException("cannot list source tables: " + e.getMessage(), e);
        }
        return result;
    }

    /** The table's current definition (id and validity unset). Refuses keyless tables without REPLICA IDENTITY FULL. */
    public TableSchema describe(String qualifiedName) {
        int dot = qualifiedName.indexOf('.');
        String regclass = quote(qualifiedName.substring(0, dot)) + "." + quote(qualifiedName.substring(dot + 1));
        TableSchema t = parseDefinition(definitionJson(regclass));
        if (t.primaryKey().isEmpty() && !t.replicaIdentityFull()) {
            throw new SourceException("table " + qualifiedName
                    + " has no primary key, so its updates and deletes cannot be captured: run ALTER TABLE " + regclass
                    + " REPLICA IDENTITY FULL; or add a primary key");
        }
        return t;
    }

    private String definitionJson(String regclass) {
        if (!definitionFunction) {
            execute("CREATE OR REPLACE FUNCTION pg_temp.backtrack_table_definition(oid) RETURNS jsonb LANGUAGE "
                    + "sql STABLE AS $fn$"
                    + TABLE_DEFINITION + "$fn$");
            definitionFunction = true;
        }
        try (PreparedStatement ps =
                connection.prepareStatement("SELECT pg_temp.backtrack_table_definition(?::regclass)::text")) {
            ps.setString(1, regclass);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        } catch (SQLException e) {
            throw new SourceException("cannot read the definition of " + regclass + ": " + e.getMessage(), e);
        }
    }

    /** A table definition as the definition query writes it. */
    public static TableSchema parseDefinition(String json) {
        try {
            return JSON.readValue(json, TableSchema.class);
        } catch (IOException e) {
            throw new SourceException(
                    "cannot read a table definition (" + e.getMessage().split("\n")[0] + "): " + json, e);
        }
    }

    static String resource(String name) {
        try (InputStream in = PostgresCatalog.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("missing resource " + name, e);
        }
    }

    /** Current values of the sequences the role can read ({@code null} values are sequences never used). */
    public Map<String, Long> sequences() {
        Map<String, Long> out = new LinkedHashMap<>();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value FROM "
                                + "pg_sequences ORDER BY 1")) {
            while (rs.next()) {
                long v = rs.getLong(2);
                if (!rs.wasNull()) {
                    out.put(rs.getString(1), v);
                }
            }
        } catch (SQLException e) {
            throw new SourceException("cannot read source sequences: " + e.getMessage(), e);
        }
        return out;
    }

    /** How each readable sequence is defined, as CREATE SEQUENCE options. */
    public Map<String, String> sequenceDefinitions() {
        Map<String, String> out = new LinkedHashMap<>();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("""
                SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename),
                       format('AS %s INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH %s CACHE %s %s', \
                data_type, increment_by,
                              min_value, max_value, start_value, cache_size, CASE WHEN cycle THEN 'CYCLE' ELSE \
                'NO CYCLE' END)
                FROM pg_sequences ORDER BY 1""")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        } catch (SQLException e) {
            throw new SourceException("cannot read source sequences: " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public ObjectSet objects(List<String> include, List<String> exclude) {
        if (!objectFunctions) {
            PostgresObjects.install(connection, include, exclude);
            objectFunctions = true;
        }
        return PostgresObjects.read(connection);
    }

    /** The cluster's system identifier, or host:port/database when the role may not read it. */
    public String systemIdentifier() {
        try {
            return one("SELECT system_identifier::text FROM pg_control_system()");
        } catch (SourceException e) {
            return url.replaceFirst("^jdbc:postgresql://", "").replaceFirst("\\?.*$", "");
        }
    }

    /** Microseconds since the epoch on the source's clock. */
    public long nowMicros() {
        return Long.parseLong(one("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint::text"));
    }

    public boolean slotExists(String slot) {
        return "1"
                .equals(one("SELECT count(*)::text FROM pg_replication_slots WHERE slot_name = '"
                        + slot.replace("'", "''") + "'"));
    }

    public void dropSlot(String slot) {
        if (slotExists(slot)) {
            execute("SELECT pg_drop_replication_slot('" + slot.replace("'", "''") + "')");
        }
    }

    /** The slot's confirmed flush position, or -1. */
    public long slotConfirmedLsn(String slot) {
        String v = one("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '"
                + slot.replace("'", "''") + "'");
        return v == null ? -1 : Lsn.parse(v);
    }

    public String one(String sql) {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new SourceException("source query failed (" + e.getMessage() + "): " + sql, e);
        }
    }

    public void execute(String sql) {
        try (Statement st = connection.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new SourceException("source statement failed (" + e.getMessage() + "): " + sql, e);
        }
    }

    public static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /** A string literal (standard_conforming_strings on, as PostgreSQL's default). */
    public static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing a connection we no longer need
        }
    }
}
