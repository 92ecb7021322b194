package dev.backtrack.connectors;

import dev.backtrack.config.Engine;
import dev.backtrack.repository.objects.ObjectSet;
import dev.backtrack.repository.schema.TableSchema;
import java.sql.Connection;
import java.util.List;
import java.util.Map;

/**
 * What the agent asks the source database before and beside capture, whatever its engine:
 * prerequisites, tables, definitions, time, and sequence (or AUTO_INCREMENT) values.
 * Not thread-safe (one connection).
 */
public interface SourceCatalog extends AutoCloseable {

    /** postgresql, mariadb or mysql. */
    Engine engine();

    /** Fails with the statement that fixes each missing server setting or grant capture needs. */
    void checkCapturePrerequisites();

    /** Tables to capture, qualified ({@code schema.table}; MariaDB: {@code database.table}). */
    List<String> tables(List<String> include, List<String> exclude);

    /** Fails naming the first table the user may not read, with the GRANT that fixes it. */
    void checkReadable(List<String> tables);

    /** Fails naming every column whose values capture could not keep exactly. */
    void checkSupportedTypes(List<String> tables);

    /** The table's definition now (id and validity unset). */
    TableSchema describe(String qualifiedName);

    /** Names the source server, so a repository is never fed by another one. */
    String systemIdentifier();

    /** The source's clock, in microseconds since the epoch. */
    long nowMicros();

    /** Sequence values (PostgreSQL) or next AUTO_INCREMENT values by qualified table (MariaDB/MySQL). */
    Map<String, Long> sequences();

    /** CREATE SEQUENCE options by sequence name (PostgreSQL); empty for other engines. */
    Map<String, String> sequenceDefinitions();

    /**
     * The definitions of every object of the captured schemas beyond the table versions (views,
     * functions, triggers, ...), or null when this engine's objects are not kept.
     */
    default ObjectSet objects(List<String> include, List<String> exclude) {
        return null;
    }

    /** The source's connection, for reading tables to compare (migration validation). */
    Connection connection();

    /** The table as this source's SQL names it. */
    String sqlName(TableSchema table);

    @Override
    void close();
}
