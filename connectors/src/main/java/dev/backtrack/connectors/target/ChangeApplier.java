package dev.backtrack.connectors.target;

import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.schema.TableSchema;
import java.util.Map;

/**
 * Applies logged row changes to a restored target, one source transaction per target transaction
 * (the caller's begin/commit on the same {@link TargetDatabase}), with the migration's progress saved
 * in the same transaction, so a change is applied exactly once however often the migration is killed.
 * Not thread-safe.
 */
public interface ChangeApplier {
    /** The table that keeps the migration's progress in the target database. */
    String STATE_TABLE = "backtrack_migration";

    /** An INSERT (as an upsert), UPDATE, DELETE or TRUNCATE of {@code table}, in that table version's column order. */
    void apply(TableSchema table, RowChange change);

    /** A statement the source ran (a DDL replayed into a target of the same engine). */
    void execute(String statement);

    /**
     * From now on, applies changes as a replica: the target's own foreign key actions and triggers
     * do not act on them, because the log already holds their effects (a PostgreSQL source logs the
     * rows a cascade changed; the binlog does not, so a MariaDB source's changes are never applied this
     * way). Returns null, or a note saying why the target would not (its user may not).
     */
    String asReplica();

    /**
     * From now on, the target's own foreign key actions act on the changes: a binlog source's log lacks
     * the rows its ON DELETE / ON UPDATE rules changed. Returns null, or a note saying why the target would not.
     */
    default String withForeignKeyRules() {
        return null;
    }

    /** Creates the state table when it is missing (outside a transaction: MariaDB commits DDL at once). */
    void prepareState();

    /** The saved progress, or an empty map when the target holds no migration. */
    Map<String, String> state();

    /** Saves progress in the current transaction. */
    void saveState(Map<String, String> state);
}
