package dev.backtrack.repository.fold;

import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.redolog.LogCursor;
import dev.backtrack.repository.redolog.RedoLog;
import dev.backtrack.repository.schema.SchemaHistory;
import dev.backtrack.repository.schema.TableSchema;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.Predicate;

/**
 * Folds the log from a sequence up to a stop rule into per-table net changes. Thread-safe
 * (stateless); the result is not.
 */
public final class LogFold {
    /** The folded tables and where the fold stopped. */
    public record Result(Map<String, TableFold> tables, long transactions, long changes, long lastSequence,
                         long lastCommitMicros, long maxCommitMicros, long lastPosition) {
    }

    private LogFold() {
    }

    /**
     * @param initial  the table versions the starting checkpoint holds, by qualified name
     * @param stop     the first transaction for which this is true is not applied, and nothing after it
     * @param progress called with the count of transactions applied, every 10,000
     */
    public static Result fold(Path logDir, SchemaHistory schemas, long fromSequence, Map<String, TableSchema> initial,
                              Predicate<Transaction> stop, LongConsumer progress) {
        Map<String, TableFold> tables = new LinkedHashMap<>();
        Map<Integer, TableFold> byId = new HashMap<>();
        for (TableSchema s : initial.values()) {
            TableFold f = new TableFold(s);
            tables.put(s.qualifiedName(), f);
            byId.put(s.id(), f);
        }
        long txs = 0, changes = 0, lastSeq = fromSequence - 1, lastTime = Long.MIN_VALUE, maxTime = Long.MIN_VALUE, lastPos = -1;
        try (LogCursor cursor = RedoLog.read(logDir, fromSequence)) {
            while (cursor.hasNext()) {
                Transaction tx = cursor.next();
                if (stop.test(tx)) {
                    break;
                }
                for (RowChange c : tx.changes()) {
                    if (c.op() == Op.MESSAGE) {
                        continue;
                    }
                    TableFold f = byId.get(c.schemaId());
                    if (f == null) {
                        TableSchema s = schemas.get(c.schemaId());
                        TableFold existing = tables.get(s.qualifiedName());
                        if (existing != null) {
                            throw new FoldException("table " + s.qualifiedName() + " changed its definition at log sequence " + tx.sequence()
                                    + " (version " + existing.schema().id() + " to " + s.id() + "): restoring across a schema change is not supported yet, restore to an earlier instant");
                        }
                        f = new TableFold(s);
                        tables.put(s.qualifiedName(), f);
                        byId.put(s.id(), f);
                    }
                    f.apply(c);
                    changes++;
                }
                txs++;
                lastSeq = tx.sequence();
                lastTime = tx.commitMicros();
                maxTime = Math.max(maxTime, lastTime);
                lastPos = tx.position();
                if (txs % 10_000 == 0) {
                    progress.accept(txs);
                }
            }
        }
        return new Result(tables, txs, changes, lastSeq, lastTime, maxTime, lastPos);
    }
}
