package dev.backtrack.agent;

import dev.backtrack.connectors.SourceCatalog;
import dev.backtrack.connectors.postgres.PostgresCatalog;
import dev.backtrack.repository.schema.SchemaHistory;
import dev.backtrack.repository.schema.TableSchema;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The table version each captured table is at now. A change event that does not fit its version
 * makes the agent read the table's definition again and record a new version. Not thread-safe
 * (used from the engine's consumer thread).
 */
final class TableVersions {
    private final SchemaHistory history;
    private final SourceCatalog catalog;
    private final Map<String, TableSchema> current = new HashMap<>();

    TableVersions(SchemaHistory history, SourceCatalog catalog) {
        this.history = history;
        this.catalog = catalog;
        current.putAll(history.latest());
    }

    TableSchema get(String table, long fromSequence) {
        TableSchema s = current.get(table);
        return s != null ? s : refresh(table, fromSequence);
    }

    /**
     * Records a definition the DDL trigger sent; returns the new version, or null when the table's
     * shape did not change. A rename retires the old name.
     */
    TableSchema changed(TableSchema definition, long fromSequence) {
        TableSchema before = byRelation(definition.relationId());
        TableSchema s = history.register(definition, fromSequence);
        if (before != null && !before.qualifiedName().equals(s.qualifiedName())) {
            current.remove(before.qualifiedName());
        }
        current.put(s.qualifiedName(), s);
        return before != null && before.id() == s.id() ? null : s;
    }

    /** Forgets a dropped table; returns its last version, or null when it was not captured. */
    TableSchema dropped(long relationId) {
        TableSchema s = byRelation(relationId);
        if (s != null) {
            current.remove(s.qualifiedName());
        }
        return s;
    }

    /** The current version of a table by name, or null when it is not captured (yet). */
    TableSchema current(String table) {
        return current.get(table);
    }

    TableSchema byRelation(long relationId) {
        for (TableSchema s : current.values()) {
            if (s.relationId() == relationId && relationId != 0) {
                return s;
            }
        }
        return null;
    }

    /** The captured table that owns the named index, or null. */
    TableSchema ownerOfIndex(String schema, String index) {
        for (TableSchema s : current.values()) {
            if (s.schema().equals(schema)
                    && s.indexes().stream()
                            .anyMatch(i -> i.matches("CREATE (UNIQUE )?INDEX (" + Pattern.quote(index) + "|"
                                    + Pattern.quote(PostgresCatalog.quote(index)) + ") ON .*"))) {
                return s;
            }
        }
        return null;
    }

    /** Reads the table's definition from the source and records it when it changed. */
    TableSchema refresh(String table, long fromSequence) {
        TableSchema s = history.register(catalog.describe(table), fromSequence);
        current.put(table, s);
        return s;
    }
}
