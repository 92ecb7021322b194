package dev.backtrack.connectors.mariadb;

import static dev.backtrack.connectors.mariadb.MariaDbConnections.firstLine;
import static dev.backtrack.connectors.mariadb.MariaDbConnections.where;
import static dev.backtrack.connectors.mariadb.MariaDbTypes.ident;

import dev.backtrack.config.Engine;
import dev.backtrack.connectors.SourceException;
import dev.backtrack.connectors.target.ChangeApplier;
import dev.backtrack.connectors.target.ObjectRestore;
import dev.backtrack.connectors.target.TargetDatabase;
import dev.backtrack.repository.objects.ObjectSet;
import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.Constraint;
import dev.backtrack.repository.schema.TableSchema;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Restores into a MariaDB (or MySQL) database, the one the URL names: every table goes there, whatever
 * database it came from. Tables are created with their primary key (InnoDB clusters rows by it, so
 * loading in key order into it is the fast path), rows go in by batched INSERTs, then secondary
 * indexes, constraints (foreign keys last) and AUTO_INCREMENT counters follow.
 *
 * <p>The session writes values exactly or not at all: time_zone {@code +00:00}, sql_mode
 * {@code STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION} (an AUTO_INCREMENT column
 * holding 0 keeps its 0), and unique_checks and foreign_key_checks off: foreign keys are added without
 * re-reading the rows, which come from a source that enforced them.
 *
 * <p>MariaDB commits DDL implicitly, so unlike {@code PostgresTarget} a failed restore cannot roll
 * back the tables it created: {@link #rollback} undoes only the rows of the open transaction, and the
 * caller must call {@link #dropRestored} to leave the target empty again.
 * Not thread-safe (one connection).
 */
public final class MariaDbTarget implements TargetDatabase {
    private static final String SQL_MODE = "STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION";
    /** Rows per bulk batch (MariaDB) and bytes per batch, whichever comes first. */
    private static final int BULK_ROWS = 10_000;

    private static final int BULK_BYTES = 8 << 20;
    /** Multi-row INSERT (MySQL): placeholders and bytes per statement. */
    private static final int MULTI_ROW_PARAMETERS = 60_000;

    private static final int MULTI_ROW_BYTES = 1 << 20;
    private static final Pattern AT_ROW = Pattern.compile("at row (\\d+)");

    private final Connection connection;
    private final String url;
    private final String user;
    private final String password;
    private final String database;
    private boolean bulk;
    /**
     * Tables made whole from the source's own CREATE TABLE (keys, indexes, constraints with them): shared by {@link
     * #another} connections.
     */
    private Set<String> whole = ConcurrentHashMap.newKeySet();

    private MariaDbTarget(
            Connection connection, String url, String user, String password, String database, boolean bulk) {
        this.connection = connection;
        this.url = url;
        this.user = user;
        this.password = password;
        this.database = database;
        this.bulk = bulk;
    }

    /** mysql for a {@code jdbc:mysql:} URL, mariadb otherwise. */
    @Override
    public Engine engine() {
        return url.startsWith("jdbc:mysql:") ? Engine.MYSQL : Engine.MARIADB;
    }

    /** The database the URL names, which receives every restored table. */
    public String database() {
        return database;
    }

    /** One more connection to the same target, for loading tables in parallel. */
    @Override
    public MariaDbTarget another() {
        MariaDbTarget t = connect(url, user, password);
        t.bulk = bulk;
        t.whole = whole;
        return t;
    }

    /**
     * Connects to {@code jdbc:mariadb://host:port/db} or {@code jdbc:mysql://host:port/db} (through the
     * MariaDB driver either way) and sets the session up for loading. The URL must name the database.
     */
    public static MariaDbTarget connect(String url, String user, String password) {
        // MariaDB's COM_STMT_BULK_EXECUTE: one round trip for a batch of rows
        Connection c = MariaDbConnections.open(url, user, password, "target", Map.of("useBulkStmts", "true"));
        try {
            String database;
            boolean mariadb;
            try (Statement st = c.createStatement()) {
                st.execute("SET SESSION time_zone = '+00:00', sql_mode = '" + SQL_MODE
                        + "', unique_checks = 0, foreign_key_checks = 0");
                try (ResultSet rs = st.executeQuery("SELECT DATABASE()")) {
                    rs.next();
                    database = rs.getString(1);
                }
                mariadb = "MariaDB".equalsIgnoreCase(c.getMetaData().getDatabaseProductName());
            }
            if (database == null) {
                throw new SourceException("target URL " + where(url) + " names no database: add one, e.g. "
                        + where(url).replaceFirst("^(jdbc:\\w+://[^/?]+)/?[^?]*", "$1/crm_restored")
                        + " (after CREATE DATABASE crm_restored)");
            }
            return new MariaDbTarget(c, url, user, password, database, mariadb);
        } catch (SQLException e) {
            close(c);
            throw new SourceException(
                    "target " + where(url) + " refused the session settings (" + firstLine(e)
                            + "): connect as a user who may set sql_mode and time_zone",
                    e);
        } catch (RuntimeException e) {
            close(c);
            throw e;
        }
    }

    /** Loads with multi-row INSERT statements instead of MariaDB's bulk protocol (the path MySQL servers take). */
    void useMultiRowInserts() {
        bulk = false;
    }

    /** Refuses a target database that holds any table, view or sequence. */
    @Override
    public void checkEmpty() {
        String found = one(
                "SELECT CONCAT(LOWER(TABLE_TYPE), ' ', TABLE_NAME) FROM information_schema.TABLES WHERE "
                        + "TABLE_SCHEMA = DATABASE()"
                        + " UNION ALL SELECT CONCAT(LOWER(ROUTINE_TYPE), ' ', ROUTINE_NAME) FROM "
                        + "information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()"
                        + " UNION ALL SELECT CONCAT('trigger ', TRIGGER_NAME) FROM information_schema.TRIGGERS "
                        + "WHERE TRIGGER_SCHEMA = DATABASE()"
                        + " UNION ALL SELECT CONCAT('event ', EVENT_NAME) FROM information_schema.EVENTS WHERE "
                        + "EVENT_SCHEMA = DATABASE() LIMIT 1",
                null);
        if (found != null) {
            throw new SourceException("target database " + database + " at " + where(url) + " is not empty (it has "
                    + found.replace("base table", "table")
                    + "): restore into a new, empty database, e.g. CREATE DATABASE crm_restored");
        }
    }

    @Override
    public void begin() {
        try {
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            throw new SourceException("target refused a transaction: " + firstLine(e), e);
        }
    }

    @Override
    public void commit() {
        try {
            connection.commit();
        } catch (SQLException e) {
            throw new SourceException("target could not commit the restore: " + firstLine(e), e);
        }
    }

    /**
     * Undoes the rows of the open transaction; tables created meanwhile stay (DDL commits): see {@link #dropRestored}.
     */
    @Override
    public void rollback() {
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
        } catch (SQLException ignored) {
            // the connection is already broken; the transaction is gone with it
        }
    }

    /**
     * Creates the tables with their primary key and AUTO_INCREMENT column, without secondary indexes and
     * constraints. The column types, defaults and generated expressions are the source's own, verbatim;
     * a column type without a character set takes utf8mb4, so no text the source held is refused.
     *
     * @param sequences ignored: PostgreSQL sources only
     */
    @Override
    public void createTables(Collection<TableSchema> tables, Map<String, String> sequences) {
        for (TableSchema t : partial(tables)) {
            List<String> defs = new ArrayList<>();
            for (Column c : t.columns()) {
                defs.add(definition(c, inlineAutoIncrement(t, c)));
            }
            if (!t.primaryKey().isEmpty()) {
                defs.add("PRIMARY KEY (" + columnList(t.primaryKey()) + ")");
            }
            execute(
                    "CREATE TABLE " + ident(t.table()) + " (" + String.join(", ", defs)
                            + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
                    t,
                    "check the column types and defaults in the table version");
        }
    }

    private static String definition(Column c, boolean autoIncrement) {
        StringBuilder d = new StringBuilder(ident(c.name())).append(' ').append(c.type());
        if (c.generated() != null) {
            // MariaDB takes neither NOT NULL nor DEFAULT on a generated column
            return d.append(" GENERATED ALWAYS AS (")
                    .append(c.generated())
                    .append(Boolean.TRUE.equals(c.virtual()) ? ") VIRTUAL" : ") STORED")
                    .toString();
        }
        d.append(c.nullable() ? " NULL" : " NOT NULL");
        if (c.defaultExpression() != null
                && !(c.nullable() && c.defaultExpression().equalsIgnoreCase("NULL"))) {
            d.append(" DEFAULT ").append(c.defaultExpression());
        }
        if (c.onUpdate() != null) {
            d.append(" ON UPDATE ").append(c.onUpdate());
        }
        if (autoIncrement) {
            d.append(" AUTO_INCREMENT");
        }
        return d.toString();
    }

    private static boolean isAutoIncrement(Column c) {
        return c.identity() != null && c.generated() == null;
    }

    /**
     * InnoDB wants an AUTO_INCREMENT column to lead an index: when it leads the primary key it is created
     * so; otherwise it gains AUTO_INCREMENT once the secondary indexes exist.
     */
    private static boolean inlineAutoIncrement(TableSchema t, Column c) {
        return isAutoIncrement(c)
                && !t.primaryKey().isEmpty()
                && t.primaryKey().get(0).equals(c.name());
    }

    /**
     * Drops the tables {@link #createTables} made (those that exist). MariaDB commits DDL as it runs it,
     * so this, not {@link #rollback}, is what leaves the target empty after a failed restore.
     *
     * @param sequences ignored: PostgreSQL sources only
     */
    @Override
    public void dropRestored(Collection<TableSchema> tables, Map<String, String> sequences) {
        rollback();
        if (tables.isEmpty()) {
            return;
        }
        // foreign_key_checks is off for the session, so tables referencing each other drop in any order
        String names = tables.stream().map(t -> ident(t.table())).distinct().collect(Collectors.joining(", "));
        try (Statement st = connection.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + names);
        } catch (SQLException e) {
            throw new SourceException(
                    "could not drop the restored tables " + names + " from " + database + " (" + firstLine(e)
                            + "): drop them by hand or drop the database",
                    e);
        }
    }

    /** Opens a bulk load into the table; feed it with {@link RowLoader#add}, finish with {@link RowLoader#finish}. */
    @Override
    public InsertLoader load(TableSchema table) {
        return new InsertLoader(table);
    }

    /**
     * Batches rows into INSERTs: on MariaDB one prepared single-row INSERT executed as a bulk batch
     * (COM_STMT_BULK_EXECUTE, one round trip per {@value #BULK_ROWS} rows); on MySQL multi-row INSERT
     * statements of up to {@value #MULTI_ROW_PARAMETERS} placeholders or about 1 MiB. The bulk batches
     * loaded about twice as fast as multi-row INSERTs and faster than LOAD DATA LOCAL INFILE, which is
     * also unfit: being LOCAL it turns strict-mode errors into warnings, so a value too long is cut, not refused.
     * Not thread-safe.
     */
    public final class InsertLoader implements TargetDatabase.RowLoader {
        private final TableSchema table;
        private final int[] loaded;
        private final MariaDbValues values;
        private final String insert;
        private final String oneRow;
        private final int rowsPerStatement;
        private final List<Object[]> pending = new ArrayList<>();
        private int pendingBytes;
        private PreparedStatement statement;
        private PreparedStatement full;
        private long rows;
        private long flushed;

        InsertLoader(TableSchema table) {
            this.table = table;
            List<Column> columns = new ArrayList<>();
            List<Integer> positions = new ArrayList<>();
            for (int i = 0; i < table.columns().size(); i++) {
                Column c = table.columns().get(i);
                if (c.generated() == null) {
                    columns.add(c);
                    positions.add(i);
                }
            }
            loaded = positions.stream().mapToInt(Integer::intValue).toArray();
            values = new MariaDbValues(columns);
            insert = "INSERT INTO " + ident(table.table()) + " ("
                    + columnList(columns.stream().map(Column::name).toList()) + ") VALUES ";
            oneRow = "(" + "?,".repeat(Math.max(0, loaded.length - 1)) + (loaded.length == 0 ? "" : "?") + ")";
            rowsPerStatement = bulk ? BULK_ROWS : Math.max(1, MULTI_ROW_PARAMETERS / Math.max(1, loaded.length));
        }

        @Override
        public void add(Object[] row) {
            // the caller may reuse its array: keep the values, not the array
            Object[] copy = new Object[loaded.length];
            for (int i = 0; i < loaded.length; i++) {
                Object v = row[loaded[i]];
                copy[i] = v;
                pendingBytes += MariaDbValues.size(v);
            }
            pending.add(copy);
            rows++;
            if (pending.size() >= rowsPerStatement || pendingBytes >= (bulk ? BULK_BYTES : MULTI_ROW_BYTES)) {
                flush();
            }
        }

        private void flush() {
            if (pending.isEmpty()) {
                return;
            }
            try {
                if (bulk) {
                    if (statement == null) {
                        statement = connection.prepareStatement(insert + oneRow);
                    }
                    for (Object[] r : pending) {
                        for (int i = 0; i < r.length; i++) {
                            values.bind(statement, i + 1, i, r[i]);
                        }
                        statement.addBatch();
                    }
                    statement.executeBatch();
                } else {
                    PreparedStatement ps;
                    if (pending.size() == rowsPerStatement) {
                        if (full == null) {
                            full = connection.prepareStatement(
                                    insert + (oneRow + ",").repeat(rowsPerStatement - 1) + oneRow);
                        }
                        ps = full;
                    } else {
                        closeQuietly(statement);
                        statement = connection.prepareStatement(
                                insert + (oneRow + ",").repeat(pending.size() - 1) + oneRow);
                        ps = statement;
                    }
                    int p = 1;
                    for (Object[] r : pending) {
                        for (int i = 0; i < r.length; i++) {
                            values.bind(ps, p++, i, r[i]);
                        }
                    }
                    ps.executeUpdate();
                }
            } catch (SQLException e) {
                throw loadFailure(e);
            } catch (SourceException e) {
                throw new SourceException(
                        "loading " + table.qualifiedName() + " failed in rows " + (flushed + 1) + " to "
                                + (flushed + pending.size()) + ": " + e.getMessage(),
                        e);
            } finally {
                flushed += pending.size();
                pending.clear();
                pendingBytes = 0;
            }
        }

        private SourceException loadFailure(SQLException e) {
            String message = firstLine(e);
            Matcher m = AT_ROW.matcher(message);
            String where = m.find() && Long.parseLong(m.group(1)) <= pending.size()
                    ? "at row " + (flushed + Long.parseLong(m.group(1)))
                    : "in rows " + (flushed + 1) + " to " + (flushed + pending.size());
            // the server counts rows within one statement: its "at row N" would contradict ours
            return new SourceException(
                    "loading " + table.qualifiedName() + " into " + database + "." + table.table() + " failed " + where
                            + " (" + message.replaceFirst(" at row \\d+", "") + ")" + loadFix(e.getErrorCode()),
                    e);
        }

        /** Abandons the load so the connection can roll back. */
        @Override
        public void cancel() {
            pending.clear();
            closeQuietly(statement);
            closeQuietly(full);
            statement = null;
            full = null;
        }

        @Override
        public long finish() {
            try {
                flush();
            } finally {
                cancel();
            }
            return rows;
        }
    }

    private static String loadFix(int errorCode) {
        return switch (errorCode) {
            case 1406, 1264, 1265, 1366, 1292, 1048, 1690 ->
                ": the value does not fit the column as the table version defines it, so the captured rows and "
                        + "table version disagree; report this";
            case 1062 -> ": the restored rows repeat a primary key; report this";
            case 1153, 1301 ->
                ": a row is larger than the target's max_allowed_packet; raise it, e.g. SET GLOBAL "
                        + "max_allowed_packet = 1073741824";
            default -> "";
        };
    }

    /** Primary keys are created with the tables (InnoDB clusters rows by them), so nothing is left to do. */
    @Override
    public void addKeys(Collection<TableSchema> tables) {
        // nothing: see createTables
    }

    /**
     * Notes that the object restore made this table whole (from the source's CREATE TABLE), so the table version's
     * steps are skipped.
     */
    void madeWhole(String table) {
        whole.add(table);
    }

    /** The tables still to be made from their table versions: those the source's own CREATE TABLE did not make. */
    private List<TableSchema> partial(Collection<TableSchema> tables) {
        return tables.stream().filter(t -> !whole.contains(t.table())).toList();
    }

    @Override
    public ObjectRestore objects(ObjectSet objects, ObjectRestore.Options options, ObjectRestore.Scope scope) {
        return new MariaDbObjectRestore(this, connection, objects, options, scope);
    }

    private static final Pattern TABLE_STATEMENT =
            Pattern.compile("(?is)\\s*(ALTER\\s+(ONLINE\\s+|IGNORE\\s+)*TABLE|CREATE\\s+(OR\\s+REPLACE\\s+)?"
                    + "(TEMPORARY\\s+)?TABLE|DROP\\s+TABLE|RENAME\\s+TABLE|CREATE\\s+(OR\\s+REPLACE\\s+)?(UNIQUE\\s+|"
                    + "FULLTEXT\\s+|SPATIAL\\s+)?INDEX|DROP\\s+INDEX)\\s.*");

    /**
     * Replays a source's statement on a table (its engine, partitions or foreign key rules may change
     * with no new table version); a view, routine, trigger or event is made from its definition
     * instead ({@link #syncObjects}: as the migrating user, events disabled), so its statement is not run.
     */
    @Override
    public String replay(String statement) {
        if (!TABLE_STATEMENT.matcher(statement).matches()) {
            return null;
        }
        try (Statement st = connection.createStatement()) {
            st.execute(statement);
            return null;
        } catch (SQLException e) {
            return firstLine(e);
        }
    }

    @Override
    public List<String> syncObjects(ObjectSet source, Predicate<String> wanted) {
        return new MariaDbObjectSync(connection, database).sync(source, wanted);
    }

    @Override
    public List<String> objectDifferences(ObjectSet source, Predicate<String> wanted) {
        return new MariaDbObjectSync(connection, database).differences(source, wanted);
    }

    /**
     * Secondary indexes (the captured statements, verbatim), unique and check constraints (one ALTER TABLE
     * per table, so the table is rebuilt at most once) and the AUTO_INCREMENT of a column that does not
     * lead the primary key. Foreign keys follow in {@link #addForeignKeys}: one to a table that is not
     * restored (or lives in another database) is left out, and the returned lines say which.
     */
    @Override
    public void addIndexes(Collection<TableSchema> tables) {
        for (TableSchema t : partial(tables)) {
            for (String index : t.indexes()) {
                execute(index, t, "check the index definition in the table version");
            }
            List<String> adds = t.constraints().stream()
                    .filter(c -> !c.kind().equals("f") && !impliedByJson(t, c))
                    .map(c -> "ADD CONSTRAINT " + ident(c.name()) + " " + c.definition())
                    .toList();
            if (!adds.isEmpty()) {
                execute(
                        "ALTER TABLE " + ident(t.table()) + " " + String.join(", ", adds),
                        t,
                        "the restored rows break a unique or check constraint the source had; report this");
            }
            for (Column c : t.columns()) {
                if (isAutoIncrement(c) && !inlineAutoIncrement(t, c)) {
                    execute(
                            "ALTER TABLE " + ident(t.table()) + " MODIFY " + definition(c, true),
                            t,
                            "an AUTO_INCREMENT column must lead an index; check the table version's indexes");
                }
            }
        }
    }

    @Override
    public List<String> addForeignKeys(Collection<TableSchema> tables) {
        Set<String> restored = new LinkedHashSet<>();
        tables.forEach(t -> restored.add(t.table()));
        List<String> skipped = new ArrayList<>();
        for (TableSchema t : partial(tables)) {
            List<String> adds = new ArrayList<>();
            for (Constraint c : t.constraints()) {
                if (!c.kind().equals("f")) {
                    continue;
                }
                List<String> referenced = referencedTable(c.definition());
                if (referenced.size() != 1 || !restored.contains(referenced.get(0))) {
                    skipped.add("foreign key " + t.qualifiedName() + "." + c.name()
                            + " left out: it references a table that is not restored");
                    continue;
                }
                adds.add("ADD CONSTRAINT " + ident(c.name()) + " " + c.definition());
            }
            if (!adds.isEmpty()) {
                execute(
                        "ALTER TABLE " + ident(t.table()) + " " + String.join(", ", adds),
                        t,
                        "check the foreign key definitions in the table version");
            }
        }
        return skipped;
    }

    /**
     * MariaDB gives a {@code json} column a column-level {@code CHECK (json_valid(col))} named after the
     * column, which CREATE TABLE has already made again: adding it a second time would fail as a duplicate.
     */
    static boolean impliedByJson(TableSchema t, Constraint c) {
        if (!c.kind().equals("c")
                || !c.definition().replace(" ", "").equalsIgnoreCase("CHECK(json_valid(" + ident(c.name()) + "))")) {
            return false;
        }
        int i = t.columnIndex(c.name());
        return i >= 0 && MariaDbTypes.base(t.columns().get(i).type()).equals("json");
    }

    /** The name parts after REFERENCES in a foreign key definition: {@code [table]} or {@code [database, table]}. */
    static List<String> referencedTable(String definition) {
        int at = definition.toUpperCase(Locale.ROOT).indexOf("REFERENCES ");
        List<String> parts = new ArrayList<>();
        if (at < 0) {
            return parts;
        }
        int i = at + "REFERENCES ".length();
        String s = definition;
        while (i < s.length()) {
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
            if (i >= s.length()) {
                break;
            }
            StringBuilder name = new StringBuilder();
            if (s.charAt(i) == '`') {
                i++;
                while (i < s.length()) {
                    char ch = s.charAt(i++);
                    if (ch == '`') {
                        if (i < s.length() && s.charAt(i) == '`') {
                            name.append('`');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        name.append(ch);
                    }
                }
            } else {
                while (i < s.length() && s.charAt(i) != '.' && s.charAt(i) != ' ' && s.charAt(i) != '(') {
                    name.append(s.charAt(i++));
                }
            }
            parts.add(name.toString());
            if (i < s.length() && s.charAt(i) == '.') {
                i++;
                continue;
            }
            break;
        }
        return parts;
    }

    /**
     * Sets each AUTO_INCREMENT counter to the larger of the value the source reported at the checkpoint
     * and one past the highest value its column holds, so the next insert does not collide.
     *
     * @param captured AUTO_INCREMENT values by qualified source table name ({@code database.table}); may lack a table
     */
    @Override
    public void setSequences(Collection<TableSchema> tables, Map<String, Long> captured) {
        for (TableSchema t : tables) {
            for (Column c : t.columns()) {
                if (!isAutoIncrement(c)) {
                    continue;
                }
                BigInteger next = captured.containsKey(t.qualifiedName()) && captured.get(t.qualifiedName()) != null
                        ? BigInteger.valueOf(captured.get(t.qualifiedName()))
                        : BigInteger.ONE;
                String max = one("SELECT CAST(MAX(" + ident(c.name()) + ") AS CHAR) FROM " + ident(t.table()), t);
                if (max != null) {
                    next = next.max(new BigInteger(max).add(BigInteger.ONE));
                }
                if (next.signum() > 0) {
                    execute("ALTER TABLE " + ident(t.table()) + " AUTO_INCREMENT = " + next, t, "");
                }
            }
        }
    }

    /** ANALYZE TABLE each restored table, so the optimizer's statistics describe the restored rows. */
    @Override
    public void analyze(Collection<TableSchema> tables) {
        for (TableSchema t : tables) {
            String sql = "ANALYZE TABLE " + ident(t.table());
            try (Statement st = connection.createStatement();
                    ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    if ("error".equalsIgnoreCase(rs.getString("Msg_type"))) {
                        throw new SourceException(
                                "ANALYZE TABLE " + database + "." + t.table() + " failed: " + rs.getString("Msg_text"));
                    }
                }
            } catch (SQLException e) {
                throw failure(e, sql, t, "");
            }
        }
    }

    private static String columnList(List<String> names) {
        return names.stream().map(MariaDbTypes::ident).collect(Collectors.joining(", "));
    }

    private String one(String sql, TableSchema table) {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw failure(e, sql, table, "");
        }
    }

    private void execute(String sql, TableSchema table, String fix) {
        try (Statement st = connection.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw failure(e, sql, table, fix);
        }
    }

    private SourceException failure(SQLException e, String sql, TableSchema table, String fix) {
        String on =
                table == null ? "" : " on " + database + "." + table.table() + " (from " + table.qualifiedName() + ")";
        return new SourceException(
                "target statement failed" + on + " (" + firstLine(e) + ")" + (fix.isEmpty() ? "" : ": " + fix) + ": "
                        + sql,
                e);
    }

    private static void closeQuietly(Statement st) {
        if (st != null) {
            try {
                st.close();
            } catch (SQLException ignored) {
                // the statement's connection is broken or closing; nothing to free
            }
        }
    }

    private static void close(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing left to do with it
        }
    }

    @Override
    public String sqlName(TableSchema table) {
        return ident(table.table());
    }

    @Override
    public Connection jdbc() {
        return connection;
    }

    @Override
    public ChangeApplier changes() {
        return new MariaDbChanges(connection);
    }

    @Override
    public void close() {
        close(connection);
    }
}
