package dev.backtrack.repository.schema;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One version of a table's definition, valid from log sequence {@code fromSequence} on. Immutable.
 * {@code relationId} is the source's identity for the table (PostgreSQL: its oid), which survives a
 * rename. {@code domains} maps each domain a column uses to its CREATE DOMAIN clauses. {@code enums} holds the labels
 * of every enum type the columns use, in sort order.
 * {@code primaryKey} is empty for a table without one (captured with REPLICA IDENTITY FULL).
 * {@code primaryKeyName} names its constraint. {@code indexes} are the CREATE INDEX statements of indexes that back no
 * constraint.
 * {@code partitionKey} is a partitioned table's key ({@code RANGE (created_at)}), null for any other table.
 */
public record TableSchema(
        int id,
        long relationId,
        String schema,
        String table,
        List<Column> columns,
        List<String> primaryKey,
        String primaryKeyName,
        Map<String, List<String>> enums,
        Map<String, String> domains,
        List<String> indexes,
        List<Constraint> constraints,
        boolean replicaIdentityFull,
        long fromSequence,
        @JsonInclude(JsonInclude.Include.NON_NULL) String partitionKey) {

    public TableSchema {
        primaryKey = primaryKey == null ? List.of() : primaryKey;
        enums = enums == null ? Map.of() : enums;
        domains = domains == null ? Map.of() : domains;
        indexes = indexes == null ? List.of() : indexes;
        constraints = constraints == null ? List.of() : constraints;
    }

    public TableSchema(
            int id,
            long relationId,
            String schema,
            String table,
            List<Column> columns,
            List<String> primaryKey,
            String primaryKeyName,
            Map<String, List<String>> enums,
            Map<String, String> domains,
            List<String> indexes,
            List<Constraint> constraints,
            boolean replicaIdentityFull,
            long fromSequence) {
        this(
                id,
                relationId,
                schema,
                table,
                columns,
                primaryKey,
                primaryKeyName,
                enums,
                domains,
                indexes,
                constraints,
                replicaIdentityFull,
                fromSequence,
                null);
    }

    public TableSchema(
            int id,
            String schema,
            String table,
            List<Column> columns,
            List<String> primaryKey,
            Map<String, List<String>> enums,
            long fromSequence) {
        this(
                id,
                0,
                schema,
                table,
                columns,
                primaryKey,
                null,
                enums,
                Map.of(),
                List.of(),
                List.of(),
                false,
                fromSequence,
                null);
    }

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

    /** A partitioned table: its rows are in its partitions, which are tables of their own. */
    @JsonIgnore
    public boolean partitioned() {
        return partitionKey != null;
    }

    /** Same table shape (ignoring id and validity), so no new version is needed. */
    public boolean sameShape(TableSchema other) {
        return relationId == other.relationId
                && schema.equals(other.schema)
                && table.equals(other.table)
                && columns.equals(other.columns)
                && primaryKey.equals(other.primaryKey)
                && Objects.equals(primaryKeyName, other.primaryKeyName)
                && enums.equals(other.enums)
                && domains.equals(other.domains)
                && indexes.equals(other.indexes)
                && constraints.equals(other.constraints)
                && replicaIdentityFull == other.replicaIdentityFull
                && Objects.equals(partitionKey, other.partitionKey);
    }

    public TableSchema withIdentity(int newId, long newFromSequence) {
        return new TableSchema(
                newId,
                relationId,
                schema,
                table,
                columns,
                primaryKey,
                primaryKeyName,
                enums,
                domains,
                indexes,
                constraints,
                replicaIdentityFull,
                newFromSequence,
                partitionKey);
    }
}
