package dev.backtrack.connectors.target;

import dev.backtrack.config.Engine;
import dev.backtrack.repository.objects.ObjectSet;
import dev.backtrack.repository.schema.TableSchema;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A database a restore loads into. The table versions it is given are in its own engine's dialect
 * (column types as that engine spells them; {@link CrossEngine} translates those of another engine).
 * The restore calls, in order: {@link #checkEmpty}, {@link #createTables}, one {@link #load} per
 * table, {@link #addKeys}, {@link #addIndexesAndConstraints}, {@link #setSequences}, {@link #analyze}.
 * Not thread-safe: one connection; {@link #another} opens one more for parallel loading.
 */
public interface TargetDatabase extends AutoCloseable {

    /** postgresql, mariadb or mysql: the dialect of the table versions this target takes. */
    Engine engine();

    /** One more connection to the same target, for loading tables in parallel. */
    TargetDatabase another();

    /** Refuses a target that already holds a table (or another object the restore would create). */
    void checkEmpty();

    /**
     * What the target will leave out of these tables' definitions (a target of the other engine: the
     * type map's notes), known before anything is written; a table it cannot take at all is refused here.
     */
    default List<String> plan(Collection<TableSchema> tables) {
        return List.of();
    }

    void begin();

    void commit();

    void rollback();

    /**
     * Creates the tables without secondary indexes and constraints (and the types and sequences they need).
     *
     * @param sequences CREATE SEQUENCE options by sequence name (PostgreSQL sources); empty otherwise
     */
    void createTables(Collection<TableSchema> tables, Map<String, String> sequences);

    /**
     * Migration: drops one table the source dropped (and, in PostgreSQL, what depends on it, which the
     * source had dropped too, or its DROP would have failed); nothing when it is not there.
     */
    default void dropTable(TableSchema table) {
        changes().execute("DROP TABLE IF EXISTS " + sqlName(table) + (engine() == Engine.POSTGRESQL ? " CASCADE" : ""));
    }

    /** Drops what {@link #createTables} made, so a failed parallel restore leaves the target empty. */
    void dropRestored(Collection<TableSchema> tables, Map<String, String> sequences);

    /**
     * Makes the source's other objects (views, functions, ...) on this target. A target of another
     * engine than the source's leaves them out and lists them.
     */
    default ObjectRestore objects(ObjectSet objects, ObjectRestore.Options options, ObjectRestore.Scope scope) {
        return new SkippedObjects(objects, engine());
    }

    /**
     * Migration: makes this target's objects look as {@code source} defines them, for those whose
     * "kind name" {@code wanted} selects (a table's rows and columns are not touched); returns what
     * it could not make, one line each. A target of another engine keeps none of them: nothing to do.
     */
    default List<String> syncObjects(ObjectSet source, Predicate<String> wanted) {
        return List.of();
    }

    /**
     * Migration: runs a source's DDL statement on this target under a savepoint; null when it ran,
     * else why the target refused it (and nothing changed). A target of another engine runs none.
     */
    default String replay(String statement) {
        return "a " + engine() + " target runs no statement of the source's engine";
    }

    /** Migration cutover: the objects (by "kind name") that differ from {@code source}'s definitions. */
    default List<String> objectDifferences(ObjectSet source, Predicate<String> wanted) {
        return List.of();
    }

    /** Opens a bulk load into the table. */
    RowLoader load(TableSchema table);

    /** Primary keys, when the engine builds them after the load. */
    void addKeys(Collection<TableSchema> tables);

    /** Secondary indexes, unique, check and foreign key constraints; returns notes for the report. */
    default List<String> addIndexesAndConstraints(Collection<TableSchema> tables) {
        addIndexes(tables);
        return addForeignKeys(tables);
    }

    /** Secondary indexes, unique and check constraints: each table on its own, so tables can be done in parallel. */
    void addIndexes(Collection<TableSchema> tables);

    /**
     * Foreign keys, once every table of {@code tables} exists; a key to a table outside them is left
     * out. Returns notes for the report.
     */
    List<String> addForeignKeys(Collection<TableSchema> tables);

    /**
     * Sets each sequence (PostgreSQL) or AUTO_INCREMENT counter (MariaDB/MySQL) to its value at the
     * target instant, never below what the restored rows use.
     *
     * @param captured values recorded by the source, by sequence name (PostgreSQL) or qualified table name
     * (AUTO_INCREMENT)
     */
    void setSequences(Collection<TableSchema> tables, Map<String, Long> captured);

    /** Refreshes planner statistics of the restored tables. */
    void analyze(Collection<TableSchema> tables);

    /** The table a restore made of this (source) table version, as this target's SQL names it. */
    String sqlName(TableSchema table);

    /** Whether this target has the table (a migration making a table that joined capture after its first statement). */
    default boolean has(TableSchema table) {
        try {
            DatabaseMetaData meta = jdbc().getMetaData();
            String escape = meta.getSearchStringEscape();
            String name = table.table()
                    .replace(escape, escape + escape)
                    .replace("_", escape + "_")
                    .replace("%", escape + "%");
            String schema = engine() == Engine.POSTGRESQL
                    ? table.schema()
                            .replace(escape, escape + escape)
                            .replace("_", escape + "_")
                            .replace("%", escape + "%")
                    : null;
            try (ResultSet rs = meta.getTables(jdbc().getCatalog(), schema, name, null)) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list the target's tables: " + e.getMessage(), e);
        }
    }

    /** The target's connection, for reading restored tables back (validation). */
    Connection jdbc();

    /** Applies logged changes on this target's connection (migration), inside {@link #begin}/{@link #commit}. */
    ChangeApplier changes();

    @Override
    void close();

    /** Streams the rows of one table into the target. Not thread-safe. */
    interface RowLoader {
        /** One row, values in the table version's column order (generated columns are skipped). */
        void add(Object[] row);

        /** Abandons the load so the connection can roll back. */
        void cancel();

        /** Ends the load; returns the number of rows loaded. */
        long finish();
    }
}
