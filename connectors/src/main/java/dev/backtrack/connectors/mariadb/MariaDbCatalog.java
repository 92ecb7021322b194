package dev.backtrack.connectors.mariadb;

import dev.backtrack.config.Engine;
import dev.backtrack.config.TableFilter;
import dev.backtrack.connectors.SourceCatalog;
import dev.backtrack.connectors.SourceException;
import dev.backtrack.repository.objects.ObjectSet;
import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.Constraint;
import dev.backtrack.repository.schema.TableSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the agent reads from a MariaDB or MySQL source over JDBC: the binlog settings and grants
 * capture needs, the tables, their definitions (information_schema), and AUTO_INCREMENT counters.
 * Not thread-safe (one connection).
 */
public final class MariaDbCatalog implements SourceCatalog {
    /** MariaDB's own check on a JSON column. */
    private static final Pattern JSON_VALID = Pattern.compile("json_valid\\(`((?:[^`]|``)+)`\\)");

    private final Connection connection;
    private final String url;
    private final String user;
    private final String database;
    private final Engine engine;

    private MariaDbCatalog(Connection connection, String url, String user, String database, Engine engine) {
        this.connection = connection;
        this.url = url;
        this.user = user;
        this.database = database;
        this.engine = engine;
    }

    public static MariaDbCatalog connect(String url, String user, String password, String database, Engine engine) {
        return new MariaDbCatalog(open(url, user, password, "source"), url, user, database, engine);
    }

    /** A connection in UTC, failing in one line that names the role. */
    public static Connection open(String url, String user, String password, String role) {
        Connection c = MariaDbConnections.open(url, user, password, role, Map.of());
        try (Statement st = c.createStatement()) {
            st.execute("SET time_zone = '+00:00'");
            return c;
        } catch (SQLException e) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // the session is of no use either way
            }
            throw new SourceException(
                    role + " " + MariaDbConnections.where(url) + " refused SET time_zone ("
                            + MariaDbConnections.firstLine(e) + ")",
                    e);
        }
    }

    /** The captured database. */
    public String database() {
        return database;
    }

    @Override
    public Connection connection() {
        return connection;
    }

    @Override
    public String sqlName(TableSchema table) {
        return MariaDbTypes.ident(table.schema()) + "." + MariaDbTypes.ident(table.table());
    }

    @Override
    public Engine engine() {
        return engine;
    }

    /** Every missing binlog setting and grant, each with the statement that fixes it, in one line. */
    @Override
    public void checkCapturePrerequisites() {
        List<String> missing = new ArrayList<>();
        String logBin = one("SELECT @@log_bin");
        if (!"1".equals(logBin) && !"ON".equalsIgnoreCase(logBin)) {
            missing.add("the binary log is off: add log_bin=mysql-bin to the [mysqld] section of the server's "
                    + "configuration and restart it");
        }
        String format = one("SELECT @@binlog_format");
        if (!"ROW".equalsIgnoreCase(format)) {
            missing.add("binlog_format is " + format
                    + ", capture needs ROW: run SET GLOBAL binlog_format = 'ROW'; and add "
                    + "binlog_format=ROW to the configuration");
        }
        String image = one("SELECT @@binlog_row_image");
        if (!"FULL".equalsIgnoreCase(image)) {
            missing.add("binlog_row_image is " + image
                    + ", capture needs FULL: run SET GLOBAL binlog_row_image = 'FULL'; and add "
                    + "binlog_row_image=FULL to the configuration");
        }
        if ("0".equals(one("SELECT @@server_id"))) {
            missing.add("server_id is 0, so the server cannot serve a binlog reader: run SET GLOBAL server_id = 1; "
                    + "and add server_id=1 to the configuration");
        }
        missing.addAll(missingGrants());
        if (!missing.isEmpty()) {
            throw new SourceException("the source cannot be captured yet: " + String.join("; ", missing));
        }
    }

    private List<String> missingGrants() {
        StringBuilder grants = new StringBuilder();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SHOW GRANTS")) {
            while (rs.next()) {
                grants.append(rs.getString(1).toUpperCase(Locale.ROOT)).append('\n');
            }
        } catch (SQLException e) {
            throw new SourceException("cannot read the grants of '" + user + "' on the source: " + e.getMessage(), e);
        }
        String g = grants.toString();
        if (g.contains("GRANT ALL PRIVILEGES ON *.*")) {
            return List.of();
        }
        List<String> need = new ArrayList<>();
        String global =
                g.lines().filter(l -> l.contains(" ON *.* ")).findFirst().orElse("");
        if (!global.contains("RELOAD")) {
            need.add("RELOAD");
        }
        if (!global.contains("REPLICATION SLAVE") && !global.contains("REPLICATION REPLICA")) {
            need.add("REPLICATION SLAVE");
        }
        if (!global.contains("REPLICATION CLIENT") && !global.contains("BINLOG MONITOR") && !global.contains("SUPER")) {
            need.add("REPLICATION CLIENT");
        }
        boolean select = global.contains("SELECT")
                || g.lines()
                        .anyMatch(l -> l.contains(" ON `" + database.toUpperCase(Locale.ROOT) + "`.* ")
                                && (l.contains("SELECT") || l.contains("ALL PRIVILEGES")));
        if (!select) {
            need.add("SELECT");
        }
        if (need.isEmpty()) {
            return List.of();
        }
        return List.of("user '" + user + "' lacks " + String.join(", ", need) + ": run GRANT " + String.join(", ", need)
                + " ON *.* TO '" + user + "'@'%';" + " (use the user's own host in place of %)");
    }

    @Override
    public List<String> tables(List<String> include, List<String> exclude) {
        TableFilter selected = TableFilter.of(include, exclude);
        List<String> result = new ArrayList<>();
        for (String t : column(
                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = "
                        + "'BASE TABLE' ORDER BY 1",
                database)) {
            String name = database + "." + t;
            if (selected.test(name)) {
                result.add(name);
            }
        }
        return result;
    }

    @Override
    public void checkReadable(List<String> tables) {
        for (String t : tables) {
            try (Statement st = connection.createStatement()) {
                st.executeQuery("SELECT 1 FROM " + qualified(t) + " LIMIT 0").close();
            } catch (SQLException e) {
                throw new SourceException("user '" + user + "' may not read " + t + ": run GRANT SELECT ON "
                        + MariaDbTypes.ident(database) + ".* TO '" + user + "'@'%'; ("
                        + e.getMessage().split("\n")[0] + ")");
            }
        }
    }

    /**
     * Refuses, before anything is written, a captured table with a column type the binlog connector
     * cannot read exactly (MariaDB's UUID, INET4, INET6); every other type is captured (geometry as SRID
     * and WKB, generated columns computed again by the target).
     */
    @Override
    public void checkSupportedTypes(List<String> tables) {
        Set<String> captured = new HashSet<>(tables);
        String sql = "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA "
                + "= ? ORDER BY TABLE_NAME, ORDINAL_POSITION";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String table = database + "." + rs.getString(1);
                    if (captured.contains(table) && MariaDbTypes.refusal(rs.getString(3)) != null) {
                        throw new SourceException(MariaDbTypes.refusalLine(
                                table, rs.getString(2), rs.getString(3).toLowerCase(Locale.ROOT)));
                    }
                }
            }
        } catch (SQLException e) {
            throw new SourceException(
                    "cannot read the column types of database " + database + ": "
                            + e.getMessage().split("\n")[0],
                    e);
        }
    }

    /** The table's definition now, from information_schema, spelled as {@link BinlogSchema} spells the binlog's. */
    @Override
    public TableSchema describe(String qualifiedName) {
        String table = qualifiedName.substring(qualifiedName.indexOf('.') + 1);
        List<Column> columns = readColumns(qualifiedName, table);
        if (columns.isEmpty()) {
            throw new SourceException(
                    "table " + qualifiedName + " does not exist on the source: check source.tables-include");
        }
        List<String> key = column(
                "SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = "
                        + "? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX",
                database,
                table);
        return BinlogSchema.table(
                database,
                table,
                BinlogSchema.withDetails(columns, columnDetails(table)),
                key,
                indexes(table),
                constraints(table),
                jsonColumns(table));
    }

    /** The table's columns in order, from information_schema.COLUMNS; none when the table does not exist. */
    private List<Column> readColumns(String qualifiedName, String table) {
        List<Column> columns = new ArrayList<>();
        String sql = """
                SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, \
                NUMERIC_SCALE, DATETIME_PRECISION,
                       CHARACTER_SET_NAME, IS_NULLABLE, COLUMN_DEFAULT, EXTRA
                FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION""";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, database);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                int position = 0;
                while (rs.next()) {
                    position++;
                    columns.add(readColumn(rs, position, qualifiedName));
                }
            }
        } catch (SQLException e) {
            throw new SourceException("cannot read the definition of " + qualifiedName + ": " + e.getMessage(), e);
        }
        return columns;
    }

    /** One row of {@link #readColumns}: its type spelled as the binlog's DDL spells it; AUTO_INCREMENT marked. */
    private static Column readColumn(ResultSet rs, int position, String qualifiedName) throws SQLException {
        String dataType = rs.getString(2).toLowerCase(Locale.ROOT);
        String columnType = rs.getString(3).toLowerCase(Locale.ROOT);
        Integer length = switch (dataType) {
            case "char", "varchar", "binary", "varbinary" -> rs.getInt(4);
            case "decimal", "bit" -> rs.getInt(5);
            case "datetime", "timestamp", "time" -> rs.getInt(7);
            case "tinyint" -> columnType.startsWith("tinyint(1)") ? 1 : null;
            default -> null;
        };
        Integer scale = dataType.equals("decimal") ? rs.getInt(6) : null;
        String base = dataType
                + (columnType.contains(" unsigned") ? " unsigned" : "")
                + (columnType.contains(" zerofill") ? " zerofill" : "");
        String type = MariaDbTypes.spell(base, length, scale, MariaDbTypes.labels(columnType), rs.getString(8));
        String def = rs.getString(10);
        if (def != null && def.equalsIgnoreCase("NULL")) {
            def = null;
        }
        boolean auto = rs.getString(11).toLowerCase(Locale.ROOT).contains("auto_increment");
        return new Column(
                position,
                rs.getString(1),
                type,
                "YES".equals(rs.getString(9)),
                def,
                auto ? qualifiedName : null,
                auto ? BinlogSchema.AUTO_INCREMENT : null,
                null,
                null);
    }

    /** What the binlog's parsed DDL does not say exactly about a column: its default, ON UPDATE, and generation. */
    public record ColumnDetail(String defaultExpression, String onUpdate, String generated, boolean virtual) {}

    private static final Pattern ON_UPDATE = Pattern.compile("(?i)on update (\\S+)");

    /**
     * Each column's default as DDL writes it (literals quoted, an expression in parentheses, CURRENT_TIMESTAMP
     * bare), its ON UPDATE expression and its generation, from information_schema: the connector's parsed
     * DDL holds a placeholder for CURRENT_TIMESTAMP defaults (1970-01-01 00:00:00) and no ON UPDATE.
     */
    public Map<String, ColumnDetail> columnDetails(String table) {
        Map<String, ColumnDetail> out = new LinkedHashMap<>();
        String sql = "SELECT COLUMN_NAME, COLUMN_DEFAULT, EXTRA, GENERATION_EXPRESSION, DATA_TYPE FROM "
                + "information_schema.COLUMNS"
                + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, database);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String extra = rs.getString(3) == null ? "" : rs.getString(3);
                    Matcher onUpdate = ON_UPDATE.matcher(extra);
                    String generated =
                            rs.getString(4) == null || rs.getString(4).isEmpty() ? null : rs.getString(4);
                    out.put(
                            rs.getString(1),
                            new ColumnDetail(
                                    generated != null
                                            ? null
                                            : MariaDbTypes.catalogDefault(
                                                    rs.getString(2), extra, rs.getString(5), engine == Engine.MYSQL),
                                    onUpdate.find() ? onUpdate.group(1) : null,
                                    generated,
                                    extra.toUpperCase(Locale.ROOT).contains("VIRTUAL")));
                }
            }
        } catch (SQLException e) {
            throw new SourceException(
                    "cannot read the columns of " + database + "." + table + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** CREATE INDEX statements (table unqualified) of every index but the primary key. */
    public List<String> indexes(String table) {
        Map<String, List<String>> parts = new LinkedHashMap<>();
        Map<String, String> kinds = new LinkedHashMap<>();
        String sql = """
                SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, INDEX_TYPE, COLLATION FROM \
                information_schema.STATISTICS
                WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME <> 'PRIMARY' ORDER BY INDEX_NAME, \
                SEQ_IN_INDEX""";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, database);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    String type = rs.getString(5);
                    kinds.put(
                            name,
                            "FULLTEXT".equals(type)
                                    ? "FULLTEXT "
                                    : "SPATIAL".equals(type) ? "SPATIAL " : rs.getInt(2) == 0 ? "UNIQUE " : "");
                    String part = MariaDbTypes.ident(rs.getString(3))
                            + (rs.getObject(4) == null ? "" : "(" + rs.getInt(4) + ")")
                            + ("D".equals(rs.getString(6)) ? " DESC" : "");
                    parts.computeIfAbsent(name, k -> new ArrayList<>()).add(part);
                }
            }
        } catch (SQLException e) {
            throw new SourceException(
                    "cannot read the indexes of " + database + "." + table + ": " + e.getMessage(), e);
        }
        List<String> out = new ArrayList<>();
        parts.forEach((name, cols) -> out.add("CREATE " + kinds.get(name) + "INDEX " + MariaDbTypes.ident(name) + " ON "
                + MariaDbTypes.ident(table) + " (" + String.join(", ", cols) + ")"));
        return out;
    }

    /** Foreign keys and table-level checks (a json column's own json_valid check comes with its type). */
    public List<Constraint> constraints(String table) {
        List<Constraint> out = new ArrayList<>();
        String fks = """
                SELECT r.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, \
                r.UPDATE_RULE, r.DELETE_RULE
                FROM information_schema.REFERENTIAL_CONSTRAINTS r
                JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = r.CONSTRAINT_SCHEMA AND \
                k.CONSTRAINT_NAME = r.CONSTRAINT_NAME AND k.TABLE_NAME = r.TABLE_NAME
                WHERE r.CONSTRAINT_SCHEMA = ? AND r.TABLE_NAME = ? ORDER BY r.CONSTRAINT_NAME, k.ORDINAL_POSITION""";
        Map<String, String[]> fk = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(fks)) {
            ps.setString(1, database);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String[] f = fk.computeIfAbsent(rs.getString(1), k -> new String[] {"", "", "", "", ""});
                    f[0] += (f[0].isEmpty() ? "" : ", ") + MariaDbTypes.ident(rs.getString(2));
                    f[1] = rs.getString(3);
                    f[2] += (f[2].isEmpty() ? "" : ", ") + MariaDbTypes.ident(rs.getString(4));
                    f[3] = rs.getString(5);
                    f[4] = rs.getString(6);
                }
            }
            fk.forEach((name, f) -> out.add(new Constraint(
                    name,
                    "f",
                    "FOREIGN KEY (" + f[0] + ") REFERENCES " + MariaDbTypes.ident(f[1]) + " (" + f[2] + ") ON DELETE "
                            + f[4] + " ON UPDATE " + f[3])));
        } catch (SQLException e) {
            throw new SourceException(
                    "cannot read the foreign keys of " + database + "." + table + ": " + e.getMessage(), e);
        }
        String checks = "SELECT CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE "
                + "CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ? ORDER BY 1";
        try (PreparedStatement ps = connection.prepareStatement(checks)) {
            ps.setString(1, database);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!rs.getString(2).toLowerCase(Locale.ROOT).startsWith("json_valid(")) {
                        out.add(new Constraint(rs.getString(1), "c", "CHECK (" + rs.getString(2) + ")"));
                    }
                }
            }
        } catch (SQLException e) {
            throw new SourceException("cannot read the checks of " + database + "." + table + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Columns with MariaDB's own json_valid check: MariaDB's JSON type (MySQL's JSON type is reported as json already).
     */
    public Set<String> jsonColumns(String table) {
        Set<String> out = new HashSet<>();
        for (String clause : column(
                "SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND "
                        + "TABLE_NAME = ?",
                database,
                table)) {
            Matcher m = JSON_VALID.matcher(clause);
            if (m.matches()) {
                out.add(m.group(1).replace("``", "`"));
            }
        }
        return out;
    }

    /** "server <server_id> at <host>:<port>": MariaDB has no system identifier, the server id names the source. */
    @Override
    public String systemIdentifier() {
        return "server_id " + one("SELECT @@server_id");
    }

    @Override
    public long nowMicros() {
        return Long.parseLong(one("SELECT CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS SIGNED)"));
    }

    /** The next AUTO_INCREMENT value of each table that has one, by qualified name. */
    @Override
    public Map<String, Long> sequences() {
        Map<String, Long> out = new LinkedHashMap<>();
        String sql = "SELECT TABLE_NAME, AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND "
                + "AUTO_INCREMENT IS NOT NULL ORDER BY 1";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(database + "." + rs.getString(1), rs.getLong(2));
                }
            }
        } catch (SQLException e) {
            throw new SourceException("cannot read AUTO_INCREMENT values: " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public Map<String, String> sequenceDefinitions() {
        return Map.of();
    }

    /**
     * Every table, view, routine, trigger and event of the database, as the server prints them (the table patterns do
     * not apply).
     */
    @Override
    public ObjectSet objects(List<String> include, List<String> exclude) {
        return MariaDbObjects.read(connection, database);
    }

    /** The binlog files the server still has, oldest first. */
    public List<String> binlogFiles() {
        return column("SHOW BINARY LOGS");
    }

    public String one(String sql) {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new SourceException(
                    "source query failed (" + e.getMessage().split("\n")[0] + "): " + sql.split("\n")[0], e);
        }
    }

    private List<String> column(String sql, String... args) {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new SourceException(
                    "source query failed (" + e.getMessage().split("\n")[0] + "): " + sql.split("\n")[0], e);
        }
        return out;
    }

    private String qualified(String t) {
        int dot = t.indexOf('.');
        return MariaDbTypes.ident(t.substring(0, dot)) + "." + MariaDbTypes.ident(t.substring(dot + 1));
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing a broken connection: nothing left to release
        }
    }
}
