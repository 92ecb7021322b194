package dev.backtrack.agent;

import dev.backtrack.connectors.postgres.PostgresCatalog;
import dev.backtrack.repository.schema.SchemaHistory;
import dev.backtrack.repository.schema.TableSchema;

import java.util.HashMap;
import java.util.Map;

/**
 * The table version each captured table is at now. A change event that does not fit its version
 * makes the agent read the table's definition again and record a new version. Not thread-safe
 * (used from the engine's consumer thread).
 */
final class TableVersions {
    private final SchemaHistory history;
    private final PostgresCatalog catalog;
    private final Map<String, TableSchema> current = new HashMap<>();

    TableVersions(SchemaHistory history, PostgresCatalog catalog) {
        this.history = history;
        this.catalog = catalog;
        current.putAll(history.latest());
    }

    TableSchema get(String table, long fromSequence) {
        TableSchema s = current.get(table);
        return s != null ? s : refresh(table, fromSequence);
    }

    /** Reads the table's definition from the source and records it when it changed. */
    TableSchema refresh(String table, long fromSequence) {
        TableSchema s = history.register(catalog.describe(table), fromSequence);
        current.put(table, s);
        return s;
    }
}
