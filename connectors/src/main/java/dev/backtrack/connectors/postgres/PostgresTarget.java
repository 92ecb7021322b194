package dev.backtrack.connectors.postgres;

import dev.backtrack.config.Engine;
import dev.backtrack.connectors.SourceException;
import dev.backtrack.connectors.target.ChangeApplier;
import dev.backtrack.connectors.target.ObjectRestore;
import dev.backtrack.connectors.target.TargetDatabase;
import dev.backtrack.repository.objects.ObjectSet;
import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.Constraint;
import dev.backtrack.repository.schema.TableSchema;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Restores into a PostgreSQL database: types and tables first, rows by COPY, then keys, indexes,
 * constraints and sequences. On one connection it is all one transaction, so a failed restore leaves
 * the target as it was; {@link #another} adds connections for parallel loading. Not thread-safe.
 */
public final class PostgresTarget implements TargetDatabase {
    private static final int FLUSH_BYTES = 1 << 16;
    private final Connection connection;
    private final String url;
    private final String user;
    private final String password;

    private PostgresTarget(Connection connection, String url, String user, String password) {
        this.connection = connection;
        this.url = url;
        this.user = user;
        this.password = password;
    }

    @Override
    public Engine engine() {
        return Engine.POSTGRESQL;
    }

    /** One more connection to the same target, for loading tables in parallel. */
    @Override
    public PostgresTarget another() {
        return connect(url, user, password);
    }

    public static PostgresTarget connect(String url, String user, String password) {
        Properties p = new Properties();
        if (user != null && !user.isEmpty()) {
            p.setProperty("user", user);
        }
        if (password != null && !password.isEmpty()) {
            p.setProperty("password", password);
        }
        p.setProperty("ApplicationName", "backtrack-restore");
        // timestamptz values read back (migration validation) in UTC, as the source's are
        p.setProperty("options", "-c TimeZone=UTC");
        p.setProperty("connectTimeout", "10");
        try {
            Connection c = DriverManager.getConnection(url, p);
            fasterToastCompression(c);
            try (Statement st = c.createStatement()) {
                // a function body is checked when it runs, not when the restore makes it (pg_restore does the same)
                st.execute("SET check_function_bodies = false");
            }
            return new PostgresTarget(c, url, user, password);
        } catch (SQLException e) {
            throw ConnectionErrors.describe("target", url, user == null ? "" : user, e);
        }
    }

    /**
     * Writes TOASTed values with lz4 when nobody configured {@code default_toast_compression} (pglz by
     * default): pglz's attempt on every large value took half the COPY of a table of ~2.6 KB notes
     * (195 MB: 2.14 s with pglz, 1.05 s with lz4). The values read back the same. A server without lz4
     * (PostgreSQL before 14, or built without it) keeps its default; a configured setting is kept.
     */
    private static void fasterToastCompression(Connection c) {
        try (Statement st = c.createStatement()) {
            String source;
            try (ResultSet rs =
                    st.executeQuery("SELECT source FROM pg_settings WHERE name = 'default_toast_compression'")) {
                source = rs.next() ? rs.getString(1) : null;
            }
            if ("default".equals(source)) {
                st.execute("SET default_toast_compression = lz4");
            }
        } catch (SQLException noLz4) {
            // the server's default stays
        }
    }

    /**
     * Refuses a target that already holds a table, sequence, view, user type or function (an extension's own are fine).
     */
    public void checkEmpty() {
        String found = one("""
                SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r','p','v','m','S','f') AND n.nspname NOT IN ('pg_catalog','information_schema')
                  AND n.nspname NOT LIKE 'pg\\_%'
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid \
                = c.oid AND d.deptype = 'e')
                UNION ALL
                SELECT n.nspname || '.' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                WHERE t.typtype IN ('e','d','c') AND n.nspname NOT IN ('pg_catalog','information_schema')
                  AND n.nspname NOT LIKE 'pg\\_%' AND (t.typtype <> 'c' OR t.typrelid = 0)
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid \
                = t.oid AND d.deptype = 'e')
                UNION ALL
                SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg\\_%'
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid \
                = p.oid AND d.deptype = 'e')
                LIMIT 1""");
        if (found != null) {
            throw new SourceException("target database " + url.replaceFirst("\\?.*$", "") + " is not empty (it has "
                    + found + "): restore into a new, empty database, e.g. createdb crm_restored");
        }
    }

    public void begin() {
        try {
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            throw new SourceException("target refused a transaction: " + e.getMessage(), e);
        }
    }

    public void commit() {
        try {
            connection.commit();
        } catch (SQLException e) {
            throw new SourceException("target could not commit the restore: " + e.getMessage(), e);
        }
    }

    public void rollback() {
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
        } catch (SQLException ignored) {
            // the connection is already broken; the transaction is gone with it
        }
    }

    /** Schemas, enum types, sequences and tables (without keys) for these table versions. */
    public void createTables(Collection<TableSchema> tables) {
        createTables(tables, Map.of());
    }

    /**
     * @param sequences CREATE SEQUENCE options by sequence name; every sequence of the restored
     *                  schemas is created, also those no column owns (invoice numbers, say)
     */
    public void createTables(Collection<TableSchema> tables, Map<String, String> sequences) {
        Set<String> schemas = new LinkedHashSet<>();
        tables.forEach(t -> schemas.add(t.schema()));
        for (String s : schemas) {
            execute("CREATE SCHEMA IF NOT EXISTS " + PostgresCatalog.quote(s));
        }
        createTypes(tables);
        for (Map.Entry<String, String> s : sequences.entrySet()) {
            if (schemas.contains(schemaOf(s.getKey()))
                    && tables.stream()
                            .noneMatch(t -> t.columns().stream()
                                    .anyMatch(c -> s.getKey().equals(c.sequence()) && c.identity() != null))) {
                execute("CREATE SEQUENCE IF NOT EXISTS " + s.getKey() + " " + s.getValue());
            }
        }
        for (TableSchema t : tables) {
            for (Column c : t.columns()) {
                if (c.sequence() != null && c.identity() == null) {
                    execute("CREATE SEQUENCE IF NOT EXISTS " + c.sequence() + " "
                            + sequences.getOrDefault(c.sequence(), ""));
                }
            }
            execute("CREATE TABLE " + name(t) + " ("
                    + t.columns().stream().map(PostgresTarget::columnDefinition).collect(Collectors.joining(", ")) + ")"
                    + (t.partitioned() ? " PARTITION BY " + t.partitionKey() : ""));
            for (Column c : t.columns()) {
                if (c.sequence() != null && c.identity() == null) {
                    execute("ALTER SEQUENCE " + c.sequence() + " OWNED BY " + name(t) + "."
                            + PostgresCatalog.quote(c.name()));
                }
            }
        }
    }

    /**
     * The enums and domains the tables' columns use, unless the restored object definitions made them already (as of
     * the target instant).
     */
    private void createTypes(Collection<TableSchema> tables) {
        Map<String, List<String>> enums = new LinkedHashMap<>();
        // an enum only gains labels, so the table version that knows the most labels is the newest word on it
        tables.forEach(t -> t.enums().forEach((k, v) -> enums.merge(k, v, (a, b) -> a.size() >= b.size() ? a : b)));
        for (Map.Entry<String, List<String>> e : enums.entrySet()) {
            if (!typeExists(e.getKey())) {
                execute("CREATE TYPE " + e.getKey() + " AS ENUM ("
                        + e.getValue().stream().map(PostgresTarget::literal).collect(Collectors.joining(", ")) + ")");
            }
        }
        Map<String, String> domains = new LinkedHashMap<>();
        tables.forEach(t -> domains.putAll(t.domains()));
        for (Map.Entry<String, String> d : domains.entrySet()) {
            if (!typeExists(d.getKey())) {
                execute("CREATE DOMAIN " + d.getKey() + " " + d.getValue());
            }
        }
    }

    private static String columnDefinition(Column c) {
        StringBuilder d =
                new StringBuilder(PostgresCatalog.quote(c.name())).append(' ').append(c.type());
        if (c.collation() != null) {
            d.append(" COLLATE ").append(c.collation());
        }
        if (c.generated() != null) {
            d.append(" GENERATED ALWAYS AS (").append(c.generated()).append(") STORED");
        } else if (c.identity() != null) {
            d.append(" GENERATED ").append(c.identity().toUpperCase()).append(" AS IDENTITY");
        } else if (c.defaultExpression() != null) {
            d.append(" DEFAULT ").append(c.defaultExpression());
        }
        if (!c.nullable()) {
            d.append(" NOT NULL");
        }
        return d.toString();
    }

    private boolean typeExists(String qualified) {
        return one("SELECT to_regtype(" + literal(qualified) + ")::text") != null;
    }

    @Override
    public ObjectRestore objects(ObjectSet objects, ObjectRestore.Options options, ObjectRestore.Scope scope) {
        return new PostgresObjectRestore(connection, objects, options, scope);
    }

    @Override
    public List<String> syncObjects(ObjectSet source, Predicate<String> wanted) {
        return new PostgresObjectSync(connection).sync(source, wanted);
    }

    @Override
    public String replay(String statement) {
        return Savepoints.run(connection, List.of(statement));
    }

    @Override
    public List<String> objectDifferences(ObjectSet source, Predicate<String> wanted) {
        return new PostgresObjectSync(connection).differences(source, wanted);
    }

    /**
     * Drops what {@link #createTables} made (tables, sequences, types, schemas other than public):
     * after a failed parallel restore, so the target is as empty as it was.
     */
    public void dropRestored(Collection<TableSchema> tables, Map<String, String> sequences) {
        begin();
        Set<String> schemas = new LinkedHashSet<>();
        for (TableSchema t : tables) {
            schemas.add(t.schema());
            execute("DROP TABLE IF EXISTS " + name(t) + " CASCADE");
        }
        for (String s : sequences.keySet()) {
            execute("DROP SEQUENCE IF EXISTS " + s + " CASCADE");
        }
        for (TableSchema t : tables) {
            for (String d : t.domains().keySet()) {
                execute("DROP DOMAIN IF EXISTS " + d + " CASCADE");
            }
            for (String e : t.enums().keySet()) {
                execute("DROP TYPE IF EXISTS " + e + " CASCADE");
            }
        }
        for (String s : schemas) {
            if (!s.equals("public")) {
                execute("DROP SCHEMA IF EXISTS " + PostgresCatalog.quote(s) + " CASCADE");
            }
        }
        commit();
    }

    /** Opens a COPY into the table; feed it with {@link RowLoader#add}, finish with {@link RowLoader#finish}. */
    public CopyLoader load(TableSchema table) {
        String columns = table.columns().stream()
                .filter(c -> c.generated() == null)
                .map(c -> PostgresCatalog.quote(c.name()))
                .collect(Collectors.joining(", "));
        try {
            CopyIn in = connection
                    .unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn("COPY " + name(table) + " (" + columns + ") FROM STDIN");
            return new CopyLoader(table, in);
        } catch (SQLException e) {
            throw new SourceException("target refused COPY into " + table.qualifiedName() + ": " + e.getMessage(), e);
        }
    }

    /** Streams rows of one table into an open COPY. Not thread-safe. */
    public static final class CopyLoader implements TargetDatabase.RowLoader {
        private final TableSchema table;
        private final CopyIn in;
        private final CopyText text;
        private final StringBuilder buffer = new StringBuilder(FLUSH_BYTES + 4096);
        private long rows;

        CopyLoader(TableSchema table, CopyIn in) {
            this.table = table;
            this.in = in;
            this.text = new CopyText(table);
        }

        public void add(Object[] row) {
            text.appendLine(row, buffer);
            rows++;
            if (buffer.length() >= FLUSH_BYTES) {
                flush();
            }
        }

        private void flush() {
            byte[] b = buffer.toString().getBytes(StandardCharsets.UTF_8);
            buffer.setLength(0);
            try {
                in.writeToCopy(b, 0, b.length);
            } catch (SQLException e) {
                throw new SourceException(
                        "loading " + table.qualifiedName() + " failed near row " + rows + ": " + e.getMessage(), e);
            }
        }

        /** Abandons the COPY so the connection can roll back (it stays busy until then). */
        public void cancel() {
            try {
                if (in.isActive()) {
                    in.cancelCopy();
                }
            } catch (SQLException ignored) {
                // the transaction is rolled back next; the copy's fate does not matter
            }
        }

        public long finish() {
            flush();
            try {
                in.endCopy();
            } catch (SQLException e) {
                throw new SourceException("loading " + table.qualifiedName() + " failed: " + e.getMessage(), e);
            }
            return rows;
        }
    }

    /**
     * Partitioned tables after the others, the deepest first: a partitioned table's key or index
     * takes its partitions' own as its parts (their names kept) when they exist, and makes them when not.
     */
    private List<TableSchema> partitionsFirst(Collection<TableSchema> tables) {
        List<TableSchema> out =
                new ArrayList<>(tables.stream().filter(t -> !t.partitioned()).toList());
        List<TableSchema> partitioned =
                new ArrayList<>(tables.stream().filter(TableSchema::partitioned).toList());
        Map<TableSchema, Integer> depth = new HashMap<>();
        for (TableSchema t : partitioned) {
            depth.put(
                    t,
                    Integer.parseInt(
                            one("SELECT count(*) FROM pg_partition_ancestors(" + literal(name(t)) + "::regclass)")));
        }
        partitioned.sort(Comparator.comparing(depth::get).reversed());
        out.addAll(partitioned);
        return out;
    }

    /** Primary keys, built after the load. */
    public void addKeys(Collection<TableSchema> tables) {
        for (TableSchema t : partitionsFirst(tables)) {
            if (!t.primaryKey().isEmpty()) {
                execute("ALTER TABLE " + name(t)
                        + (t.primaryKeyName() == null
                                ? ""
                                : " ADD CONSTRAINT " + PostgresCatalog.quote(t.primaryKeyName()))
                        + (t.primaryKeyName() == null ? " ADD" : "") + " PRIMARY KEY ("
                        + t.primaryKey().stream().map(PostgresCatalog::quote).collect(Collectors.joining(", ")) + ")");
            }
        }
    }

    /**
     * Secondary indexes, unique/check/exclusion constraints, then foreign keys (once every table
     * exists). A foreign key to a table that is not restored is left out; the returned lines say which.
     */
    @Override
    public void addIndexes(Collection<TableSchema> tables) {
        for (TableSchema t : partitionsFirst(tables)) {
            for (String index : t.indexes()) {
                // a partitioned index made ON ONLY waits for its parts to be attached one by one; without ONLY it takes
                // them
                execute(t.partitioned() ? index.replaceFirst("^(CREATE (UNIQUE )?INDEX \\S+ ON )ONLY ", "$1") : index);
            }
            for (Constraint c : t.constraints()) {
                if (!c.kind().equals("f")) {
                    execute("ALTER TABLE " + name(t) + " ADD CONSTRAINT " + PostgresCatalog.quote(c.name()) + " "
                            + c.definition());
                }
            }
            onUpdateTriggers(t);
        }
    }

    /**
     * A MariaDB/MySQL column set ON UPDATE CURRENT_TIMESTAMP: a trigger does it, as MariaDB does, when the row
     * changed and the statement did not set the column itself; a migration applying the source's rows sets
     * backtrack.applying, so the source's value stays.
     */
    private void onUpdateTriggers(TableSchema t) {
        List<Column> touched =
                t.columns().stream().filter(c -> c.onUpdate() != null).toList();
        if (touched.isEmpty()) {
            return;
        }
        String function = PostgresCatalog.quote(t.schema()) + ".backtrack_on_update";
        execute("CREATE OR REPLACE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql AS $fn$" + """
                DECLARE col text := TG_ARGV[0];
                BEGIN
                  IF coalesce(current_setting('backtrack.applying', true), '') <> 'on'
                     AND to_jsonb(NEW) - col IS DISTINCT FROM to_jsonb(OLD) - col AND to_jsonb(NEW) -> col IS \
                NOT DISTINCT FROM to_jsonb(OLD) -> col THEN
                    NEW := jsonb_populate_record(NEW, jsonb_build_object(col, now()));
                  END IF;
                  RETURN NEW;
                END """
                + "$fn$");
        for (Column c : touched) {
            execute("CREATE TRIGGER " + PostgresCatalog.quote(t.table() + "_" + c.name() + "_on_update")
                    + " BEFORE UPDATE ON " + name(t) + " FOR EACH ROW EXECUTE FUNCTION " + function + "("
                    + literal(c.name()) + ")");
        }
    }

    @Override
    public List<String> addForeignKeys(Collection<TableSchema> tables) {
        Set<String> restored = new LinkedHashSet<>();
        tables.forEach(t -> restored.add(t.qualifiedName()));
        List<String> skipped = new ArrayList<>();
        for (TableSchema t : tables) {
            for (Constraint c : t.constraints()) {
                if (!c.kind().equals("f")) {
                    continue;
                }
                String referenced =
                        one("SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = "
                                + "c.relnamespace WHERE c.oid = "
                                + "to_regclass(" + literal(referencedTable(c.definition())) + ")");
                if (referenced == null || !restored.contains(referenced)) {
                    skipped.add("foreign key " + t.qualifiedName() + "." + c.name()
                            + " left out: it references a table that is not restored");
                    continue;
                }
                execute("ALTER TABLE " + name(t) + " ADD CONSTRAINT " + PostgresCatalog.quote(c.name()) + " "
                        + c.definition());
            }
        }
        return skipped;
    }

    /**
     * The table named after REFERENCES in a foreign key definition; unqualified means found on the search path, as at
     * the source.
     */
    static String referencedTable(String definition) {
        String rest = definition.substring(definition.indexOf("REFERENCES ") + "REFERENCES ".length());
        return rest.substring(0, rest.indexOf('('));
    }

    /**
     * Sets each sequence to the larger of its captured value and the highest value any column that
     * draws from it holds (the column it belongs to, an identity, or a {@code DEFAULT nextval(...)}),
     * so the next insert does not collide.
     */
    public void setSequences(Collection<TableSchema> tables, Map<String, Long> captured) {
        Map<String, Long> values = new LinkedHashMap<>(captured);
        for (TableSchema t : tables) {
            for (Column c : t.columns()) {
                for (String sequence : drawsFrom(c)) {
                    String max = one("SELECT max(" + PostgresCatalog.quote(c.name()) + ")::text FROM " + name(t));
                    if (max != null && max.matches("-?\\d{1,19}")) {
                        values.merge(sequence, Long.parseLong(max), Math::max);
                    }
                }
            }
        }
        for (Map.Entry<String, Long> e : values.entrySet()) {
            if (one("SELECT to_regclass(" + literal(e.getKey()) + ")::text") != null) {
                execute("SELECT setval(" + literal(e.getKey()) + ", " + e.getValue() + ", true)");
            }
        }
    }

    private static final Pattern NEXTVAL = Pattern.compile("nextval\\('((?:[^']|'')+)'::regclass\\)");

    /**
     * The sequences a column's values come from: the one it owns or its identity's, and any its default calls nextval
     * on.
     */
    static Set<String> drawsFrom(Column c) {
        Set<String> out = new LinkedHashSet<>();
        if (c.sequence() != null) {
            out.add(c.sequence());
        }
        if (c.defaultExpression() != null) {
            Matcher m = NEXTVAL.matcher(c.defaultExpression());
            while (m.find()) {
                out.add(m.group(1).replace("''", "'"));
            }
        }
        return out;
    }

    public void analyze(Collection<TableSchema> tables) {
        for (TableSchema t : tables) {
            execute("ANALYZE " + name(t));
        }
    }

    private static String name(TableSchema t) {
        return PostgresCatalog.quote(t.schema()) + "." + PostgresCatalog.quote(t.table());
    }

    /** The schema of a qualified name as quote_ident writes it ({@code public.x}, {@code "My Schema".x}). */
    static String schemaOf(String qualified) {
        if (qualified.startsWith("\"")) {
            int end = 1;
            while (true) {
                end = qualified.indexOf('"', end);
                if (end + 1 < qualified.length() && qualified.charAt(end + 1) == '"') {
                    end += 2;
                    continue;
                }
                return qualified.substring(1, end).replace("\"\"", "\"");
            }
        }
        return qualified.substring(0, qualified.indexOf('.'));
    }

    static String literal(String s) {
        return PostgresCatalog.literal(s);
    }

    private String one(String sql) {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new SourceException("target query failed (" + e.getMessage() + "): " + sql, e);
        }
    }

    private void execute(String sql) {
        try (Statement st = connection.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new SourceException(
                    "target statement failed (" + e.getMessage().split("\n")[0] + "): " + sql, e);
        }
    }

    @Override
    public String sqlName(TableSchema table) {
        return PostgresCatalog.quote(table.schema()) + "." + PostgresCatalog.quote(table.table());
    }

    @Override
    public Connection jdbc() {
        return connection;
    }

    @Override
    public ChangeApplier changes() {
        return new PostgresChanges(connection);
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // nothing left to do with it
        }
    }
}
