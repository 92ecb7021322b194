package dev.backtrack.connectors.postgres;

import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.TableSchema;

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
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What the agent reads from a PostgreSQL source's catalog: tables, their columns, keys and enum
 * labels, sequences, and the settings capture needs. Not thread-safe (one connection).
 */
public final class PostgresCatalog implements AutoCloseable {
    private static final String COLUMNS = """
            SELECT a.attname,
                   CASE WHEN t.typtype = 'e' THEN quote_ident(tn.nspname) || '.' || quote_ident(t.typname)
                        WHEN et.typtype = 'e' THEN quote_ident(etn.nspname) || '.' || quote_ident(et.typname) || '[]'
                        ELSE format_type(a.atttypid, a.atttypmod) END AS type,
                   a.attnotnull, pg_get_expr(d.adbin, d.adrelid) AS default_expr, a.attidentity, a.attgenerated,
                   pg_get_serial_sequence(?, a.attname) AS seq,
                   CASE WHEN t.typtype = 'e' THEN t.oid WHEN et.typtype = 'e' THEN et.oid END AS enum_oid
            FROM pg_attribute a
            JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace tn ON tn.oid = t.typnamespace
            LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
            LEFT JOIN pg_namespace etn ON etn.oid = et.typnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum""";
    private static final String PRIMARY_KEY = """
            SELECT a.attname FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = ?::regclass AND i.indisprimary
            ORDER BY array_position(i.indkey::int2[], a.attnum)""";
    private static final String TABLES = """
            SELECT n.nspname, c.relname, c.relreplident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND NOT c.relispartition
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
            ORDER BY 1, 2""";

    private final Connection connection;
    private final String url;
    private final String user;

    private PostgresCatalog(Connection connection, String url, String user) {
        this.connection = connection;
        this.url = url;
        this.user = user;
    }

    public static PostgresCatalog connect(String url, String user, String password) {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null && !password.isEmpty()) {
            p.setProperty("password", password);
        }
        p.setProperty("ApplicationName", "backtrack");
        p.setProperty("connectTimeout", "10");
        try {
            return new PostgresCatalog(DriverManager.getConnection(url, p), url, user);
        } catch (SQLException e) {
            throw ConnectionErrors.describe("source", url, user, e);
        }
    }

    public Connection connection() {
        return connection;
    }

    /** Fails with the statement that fixes the first missing prerequisite for logical capture. */
    public void checkCapturePrerequisites() {
        String walLevel = one("SHOW wal_level");
        if (!"logical".equals(walLevel)) {
            throw new SourceException("source wal_level is '" + walLevel + "', logical decoding needs 'logical': run ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL");
        }
        if (!"t".equals(one("SELECT (rolreplication OR rolsuper)::text::char FROM pg_roles WHERE rolname = current_user"))) {
            throw new SourceException("role '" + user + "' may not stream changes: run ALTER ROLE " + user + " WITH REPLICATION;");
        }
        if (Integer.parseInt(one("SHOW max_replication_slots")) < 1) {
            throw new SourceException("source max_replication_slots is 0: run ALTER SYSTEM SET max_replication_slots = 10; then restart PostgreSQL");
        }
    }

    /** Tables to capture: every ordinary table matching include (all when empty) and not exclude. */
    public List<String> tables(List<String> include, List<String> exclude) {
        List<Pattern> in = include.stream().map(Pattern::compile).toList();
        List<Pattern> out = exclude.stream().map(Pattern::compile).toList();
        List<String> result = new ArrayList<>();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(TABLES)) {
            while (rs.next()) {
                String name = rs.getString(1) + "." + rs.getString(2);
                if ((in.isEmpty() || in.stream().anyMatch(p -> p.matcher(name).matches())) && out.stream().noneMatch(p -> p.matcher(name).matches())) {
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
        String schema = qualifiedName.substring(0, dot), table = qualifiedName.substring(dot + 1);
        String regclass = quote(schema) + "." + quote(table);
        List<Column> columns = new ArrayList<>();
        Map<String, List<String>> enums = new TreeMap<>();
        try (PreparedStatement ps = connection.prepareStatement(COLUMNS)) {
            ps.setString(1, regclass);
            ps.setString(2, regclass);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String identity = switch (rs.getString(5)) {
                        case "a" -> "always";
                        case "d" -> "by default";
                        default -> null;
                    };
                    String generated = "s".equals(rs.getString(6)) ? rs.getString(4) : null;
                    String type = rs.getString(2);
                    columns.add(new Column(rs.getString(1), type, !rs.getBoolean(3), generated == null ? rs.getString(4) : null,
                            rs.getString(7), identity, generated));
                    long enumOid = rs.getLong(8);
                    if (!rs.wasNull()) {
                        enums.put(type.endsWith("[]") ? type.substring(0, type.length() - 2) : type, enumLabels(enumOid));
                    }
                }
            }
            List<String> pk = new ArrayList<>();
            try (PreparedStatement k = connection.prepareStatement(PRIMARY_KEY)) {
                k.setString(1, regclass);
                try (ResultSet rs = k.executeQuery()) {
                    while (rs.next()) {
                        pk.add(rs.getString(1));
                    }
                }
            }
            if (pk.isEmpty() && !"f".equals(one("SELECT relreplident::text FROM pg_class WHERE oid = '" + regclass.replace("'", "''") + "'::regclass"))) {
                throw new SourceException("table " + qualifiedName + " has no primary key, so its updates and deletes cannot be captured: run ALTER TABLE "
                        + regclass + " REPLICA IDENTITY FULL; or add a primary key");
            }
            return new TableSchema(0, schema, table, columns, pk, enums, 0);
        } catch (SQLException e) {
            throw new SourceException("cannot read the definition of " + qualifiedName + ": " + e.getMessage(), e);
        }
    }

    private List<String> enumLabels(long oid) throws SQLException {
        List<String> labels = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT enumlabel FROM pg_enum WHERE enumtypid = ? ORDER BY enumsortorder")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    labels.add(rs.getString(1));
                }
            }
        }
        return labels;
    }

    /** Current values of the sequences the role can read ({@code null} values are sequences never used). */
    public Map<String, Long> sequences() {
        Map<String, Long> out = new LinkedHashMap<>();
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value FROM pg_sequences ORDER BY 1")) {
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
        return "1".equals(one("SELECT count(*)::text FROM pg_replication_slots WHERE slot_name = '" + slot.replace("'", "''") + "'"));
    }

    public void dropSlot(String slot) {
        if (slotExists(slot)) {
            execute("SELECT pg_drop_replication_slot('" + slot.replace("'", "''") + "')");
        }
    }

    /** The slot's confirmed flush position, or -1. */
    public long slotConfirmedLsn(String slot) {
        String v = one("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + slot.replace("'", "''") + "'");
        return v == null ? -1 : Lsn.parse(v);
    }

    public String one(String sql) {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
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

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing a connection we no longer need
        }
    }
}
