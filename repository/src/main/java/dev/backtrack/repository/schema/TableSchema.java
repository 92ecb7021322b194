package dev.backtrack.repository.schema;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.List;
import java.util.Map;

/**
 * One version of a table's definition, valid from log sequence {@code fromSequence} on. Immutable.
 * {@code enums} holds the labels of every enum type the columns use, in sort order.
 * {@code primaryKey} is empty for a table without one (captured with REPLICA IDENTITY FULL).
 */
public record TableSchema(int id, String schema, String table, List<Column> columns, List<String> primaryKey,
                          Map<String, List<String>> enums, long fromSequence) {

    @JsonIgnore
    public String qualifiedName() {
        return schema + "." + table;
    }

    public int columnIndex(String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Column positions of the key: the primary key, or every column when there is none. */
    @JsonIgnore
    public int[] keyColumns() {
        if (primaryKey.isEmpty()) {
            int[] all = new int[columns.size()];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            return all;
        }
        return primaryKey.stream().mapToInt(this::columnIndex).toArray();
    }

    /** Same table shape (ignoring id and validity), so no new version is needed. */
    public boolean sameShape(TableSchema other) {
        return schema.equals(other.schema) && table.equals(other.table) && columns.equals(other.columns)
                && primaryKey.equals(other.primaryKey) && enums.equals(other.enums);
    }

    public TableSchema withIdentity(int newId, long newFromSequence) {
        return new TableSchema(newId, schema, table, columns, primaryKey, enums, newFromSequence);
    }
}
