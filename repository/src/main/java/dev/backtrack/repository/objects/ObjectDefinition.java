package dev.backtrack.repository.objects;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One object of the source's schema other than a captured table's columns, keys, indexes and
 * constraints (which its table version holds): a schema, extension, type, function, view, trigger,
 * policy, a table's options, ... as of one log position. {@code key} is the source's identity for
 * it (catalog and oid, stable across renames); {@code name} how SQL names it; {@code table} the
 * table it belongs to (schema.table), and for a partition's own entry {@code parent} its
 * partitioned table. {@code phase} says
 * when a restore makes it: {@code pre} before the tables, {@code table} once they exist (before
 * the rows), {@code post} after the rows, keys and indexes; {@code rank} orders kinds within a
 * phase. {@code create} makes it, {@code after} runs once everything else is made (a materialized
 * view's refresh, row-level security). Owner, privileges and comments are apart so a restore can
 * leave owners or privileges out; {@code roles} are the roles its privileges (or a policy) name.
 * Immutable.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ObjectDefinition(
        String key,
        String kind,
        String name,
        String schema,
        String table,
        String parent,
        String phase,
        int rank,
        List<String> create,
        List<String> after,
        String drop,
        String owner,
        String ownerRole,
        List<String> acl,
        List<String> comment,
        List<String> roles,
        Extension extension) {
    /** Every kind of object kept (PostgreSQL sources), as {@code kind} names them. */
    public static final List<String> KINDS = List.of(
            "schema",
            "extension",
            "collation",
            "type",
            "domain",
            "function",
            "procedure",
            "aggregate",
            "operator",
            "cast",
            "sequence",
            "table",
            "view",
            "materialized view",
            "index",
            "trigger",
            "rule",
            "policy",
            "statistics",
            "default privileges");

    public static final String PRE = "pre";
    public static final String TABLE = "table";
    public static final String POST = "post";

    public ObjectDefinition {
        create = create == null ? List.of() : create;
        after = after == null ? List.of() : after;
        acl = acl == null ? List.of() : acl;
        comment = comment == null ? List.of() : comment;
        roles = roles == null ? List.of() : roles;
    }

    /** An extension the object is: the target must offer it at this version. */
    public record Extension(String name, String version) {}

    /** A table's own entry (options, partition bound, ownership), which needs the table restored. */
    public boolean isTableEntry() {
        return "table".equals(kind);
    }

    /** How a note or an error names it: {@code view public.open_deals}. */
    public String describe() {
        return kind + " " + name;
    }
}
