package dev.backtrack.repository.fold;

import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.objects.ObjectSet;
import dev.backtrack.repository.redolog.LogCursor;
import dev.backtrack.repository.redolog.RedoLog;
import dev.backtrack.repository.schema.SchemaHistory;
import dev.backtrack.repository.schema.TableSchema;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.Predicate;

/**
 * Folds the log from a sequence up to a stop rule into per-table net changes. Thread-safe
 * (stateless); the result is not.
 */
public final class LogFold {
    /**
     * The folded tables, where the fold stopped, the last content of each message prefix seen,
     * every object definition change message in log order, and what the foreign key rules of a
     * binlog source need ({@link Cascades}).
     */
    public record Result(
            Map<String, TableFold> tables,
            long transactions,
            long changes,
            long lastSequence,
            long lastCommitMicros,
            long maxCommitMicros,
            long lastPosition,
            Map<String, String> lastMessages,
            List<String> objectChanges,
            FoldMemory memory,
            ReferentialActions actions)
            implements AutoCloseable {
        /** Removes what the fold spilled to disk; call once the tables are merged. */
        @Override
        public void close() {
            memory.close();
        }
    }

    private LogFold() {}

    /** A table's identity across renames and versions: its PostgreSQL oid, else its name. */
    public static String relation(TableSchema s) {
        return s.relationId() != 0 ? "oid:" + s.relationId() : "name:" + s.qualifiedName();
    }

    /**
     * Folds the log after a checkpoint onto its tables, holding them in this JVM's fold memory.
     *
     * @param initial  the table versions the starting checkpoint holds, by qualified name
     * @param stop     the first transaction for which this is true is not applied, and nothing after it
     * @param progress called with the count of transactions applied, every 10,000
     */
    public static Result fold(
            LogSource log,
            long fromSequence,
            Map<String, TableSchema> initial,
            Predicate<Transaction> stop,
            LongConsumer progress) {
        return fold(log, fromSequence, initial, FoldMemory.ofHeap(log.sealer()), stop, progress);
    }

    /** @param memory how much the tables may hold in memory before the largest spill sorted runs to disk */
    public static Result fold(
            LogSource log,
            long fromSequence,
            Map<String, TableSchema> initial,
            FoldMemory memory,
            Predicate<Transaction> stop,
            LongConsumer progress) {
        Map<String, TableFold> byRelation = new LinkedHashMap<>();
        for (TableSchema s : initial.values()) {
            byRelation.put(relation(s), new TableFold(s, memory));
        }
        return foldOnto(log, fromSequence, byRelation, memory, stop, progress);
    }

    /**
     * Continues folds already holding state (a checkpoint chain's deltas) with the log.
     *
     * @param byRelation the tables by {@link #relation}, in order; the map is taken over
     */
    public static Result foldOnto(
            LogSource log,
            long fromSequence,
            Map<String, TableFold> byRelation,
            FoldMemory memory,
            Predicate<Transaction> stop,
            LongConsumer progress) {
        ReferentialActions actions = log.referentialActions();
        Walk walk = new Walk(log.schemas(), byRelation, memory, actions);
        long txs = 0, lastSeq = fromSequence - 1, lastTime = Long.MIN_VALUE, maxTime = Long.MIN_VALUE, lastPos = -1;
        try (LogCursor cursor = RedoLog.read(log.logDir(), log.sealer(), fromSequence)) {
            while (cursor.hasNext()) {
                Transaction tx = cursor.next();
                if (stop.test(tx)) {
                    break;
                }
                walk.apply(tx);
                if (tx.continued()) {
                    // a part of a large transaction: the next part has the same sequence, time and position
                    continue;
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
        Map<String, TableFold> tables = new LinkedHashMap<>();
        for (TableFold f : byRelation.values()) {
            tables.put(f.schema().qualifiedName(), f);
        }
        return new Result(
                tables,
                txs,
                walk.changes,
                lastSeq,
                lastTime,
                maxTime,
                lastPos,
                walk.lastMessages,
                walk.objectChanges,
                memory,
                actions);
    }

    /**
     * One fold's walk through the log: each change into its table's fold, the versions and messages it meets. Not
     * thread-safe.
     */
    private static final class Walk {
        private final SchemaHistory schemas;
        private final Map<String, TableFold> byRelation;
        private final FoldMemory memory;
        private final ReferentialActions actions;
        private final Map<String, String> lastMessages = new LinkedHashMap<>();
        private final List<String> objectChanges = new ArrayList<>();
        private long changes;
        private long orderOf = -1;
        private int index;

        Walk(SchemaHistory schemas, Map<String, TableFold> byRelation, FoldMemory memory, ReferentialActions actions) {
            this.schemas = schemas;
            this.byRelation = byRelation;
            this.memory = memory;
            this.actions = actions;
            actions.tablesChanged(byRelation.values());
        }

        void apply(Transaction tx) {
            for (RowChange c : tx.changes()) {
                if (c.op() == Op.MESSAGE) {
                    message(c);
                } else {
                    change(tx, c);
                }
            }
        }

        private void message(RowChange c) {
            if (ObjectSet.PREFIX.equals(c.after()[0])) {
                objectChanges.add((String) c.after()[1]);
            } else {
                lastMessages.put((String) c.after()[0], (String) c.after()[1]);
            }
        }

        private void change(Transaction tx, RowChange c) {
            TableSchema version = schemas.get(c.schemaId());
            String rel = relation(version);
            TableFold f = byRelation.get(rel);
            if (c.op() == Op.DROP) {
                byRelation.remove(rel);
                actions.tablesChanged(byRelation.values());
                return;
            }
            if (f == null) {
                f = new TableFold(version, memory);
                byRelation.put(rel, f);
                actions.tablesChanged(byRelation.values());
            } else if (f.schema().id() != version.id()) {
                f.evolve(version, c.op() == Op.SCHEMA ? (String) c.after()[1] : null);
                actions.tablesChanged(byRelation.values());
            }
            if (c.op() == Op.SCHEMA) {
                return;
            }
            f.apply(c);
            // a change's place in the log: its transaction's sequence, then its place in the transaction (parts
            // included)
            index = tx.sequence() == orderOf ? index + 1 : 0;
            orderOf = tx.sequence();
            actions.record((tx.sequence() << 20) + Math.min(index, (1 << 20) - 1), f, c);
            changes++;
            if (memory.over()) {
                spillLargest(byRelation.values(), memory);
            }
        }
    }

    /** Spills the tables holding the most until the fold uses at most half its budget. */
    private static void spillLargest(Collection<TableFold> tables, FoldMemory memory) {
        List<TableFold> bySize = new ArrayList<>(tables);
        bySize.sort(Comparator.comparingLong(TableFold::bytesInMemory).reversed());
        for (TableFold f : bySize) {
            if (memory.used() <= memory.budget() / 2) {
                return;
            }
            f.spill();
        }
    }
}
