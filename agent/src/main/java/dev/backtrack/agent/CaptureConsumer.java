package dev.backtrack.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.capture.ChangeDecoder;
import dev.backtrack.capture.postgres.CaptureSettings;
import dev.backtrack.connectors.SourceException;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.mark.Marks;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.redolog.ChangeSpill;
import dev.backtrack.repository.redolog.RedoLog;
import dev.backtrack.repository.schema.TableSchema;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The engine's consumer: assembles transactions, appends every complete one of a batch to the log
 * with one fsync (group commit), and only then marks the records processed, so the source is never
 * told of a change the log could still lose. Called by the engine on one thread at a time.
 */
final class CaptureConsumer implements DebeziumEngine.ChangeConsumer<ChangeEvent<SourceRecord, SourceRecord>> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Repository repo;
    private final RedoLog log;
    private final TableVersions versions;
    private final ChangeDecoder decoder = new ChangeDecoder();
    /** Rows of one open transaction kept in memory before the rest goes to a spill file. */
    static final long SPILL_BYTES = 8L << 20;

    private final TransactionAssembler assembler;
    private final SnapshotPhase snapshot;
    private final CaptureStatus status;
    /** What the source's engine sends differently. */
    private final ChangeStream stream;

    private final RepositorySpace space;

    /** What the consumer needs from the agent while the first checkpoint is being written. */
    interface SnapshotPhase {
        boolean active();

        /** A table the snapshot holds (binlog sources announce each one before its rows). */
        default void table(TableSchema table) {}

        /** A snapshot row; {@code offset} is the engine offset after it (the last one resumes the stream). */
        void row(TableSchema table, Object[] row, Map<String, ?> offset);

        /** {@code offset}: the engine offset the notification carries (binlog sources: the snapshot's position). */
        void notification(String aggregateType, String type, Map<String, ?> offset);
    }

    CaptureConsumer(
            Repository repo,
            RedoLog log,
            TableVersions versions,
            SnapshotPhase snapshot,
            CaptureStatus status,
            SourceEngine engine,
            RepositorySpace space) {
        this.repo = repo;
        this.log = log;
        this.versions = versions;
        this.snapshot = snapshot;
        this.status = status;
        this.space = space;
        Path spillDir = repo.path().resolve("spill");
        // transactions spilled by an earlier run were never acknowledged: the source sends them again
        ChangeSpill.clear(spillDir);
        this.assembler = new TransactionAssembler(spillDir, repo.sealer(), SPILL_BYTES);
        this.stream = engine.stream(assembler, versions, snapshot);
    }

    /** One batch's transactions made ready, and the engine offset to store with them (the last ready one's). */
    final class Batch {
        private final List<Transaction> ready = new ArrayList<>();
        private Map<String, ?> offset;

        /** The log sequence the next transaction made ready will get. */
        long nextSequence() {
            return log.nextSequence() + ready.size();
        }

        void ready(Transaction tx, Map<String, ?> at) {
            ready.add(tx);
            offset = at;
        }

        /**
         * Ends the open transaction at its last event (an implicit commit), to be stored with the offset {@code at}.
         */
        void endOpen(Map<String, ?> at) {
            Transaction tx = assembler.end(assembler.lastPosition());
            if (tx != null) {
                ready(tx, at);
            }
        }
    }

    @Override
    public void handleBatch(
            List<ChangeEvent<SourceRecord, SourceRecord>> events,
            DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer)
            throws InterruptedException {
        Batch batch = new Batch();
        int safe = -1;
        for (int i = 0; i < events.size(); i++) {
            SourceRecord r = events.get(i).value();
            String topic = r.topic();
            if (CaptureSettings.NOTIFICATION_TOPIC.equals(topic)) {
                Struct v = (Struct) r.value();
                snapshot.notification(v.getString("aggregate_type"), v.getString("type"), r.sourceOffset());
            } else if (CaptureSettings.TRANSACTION_TOPIC.equals(topic)) {
                transactionBoundary((Struct) r.value(), r, batch);
            } else if (!stream.ownEvent(r, batch)
                    && r.value() instanceof Struct value
                    && value.schema().field("op") != null) {
                change(r, value, batch);
                stream.afterChange(value.getString("op"), r, batch);
            }
            if (!assembler.isOpen()) {
                safe = i;
            }
        }
        logReady(batch.ready, batch.offset);
        for (int i = 0; i <= safe; i++) {
            committer.markProcessed(events.get(i));
        }
        committer.markBatchFinished();
    }

    /** A BEGIN opens a transaction, an END makes it ready. */
    private void transactionBoundary(Struct v, SourceRecord r, Batch batch) {
        if ("BEGIN".equals(v.getString("status"))) {
            stream.begin(v, r, batch);
            return;
        }
        Transaction tx = assembler.end(stream.commitPosition(r));
        if (tx != null) {
            batch.ready(tx, r.sourceOffset());
        }
    }

    /**
     * Appends the batch's complete transactions the log does not hold yet (at-least-once delivery), with the offset to
     * resume from.
     */
    private void logReady(List<Transaction> ready, Map<String, ?> readyOffset) throws InterruptedException {
        if (ready.isEmpty()) {
            return;
        }
        List<Transaction> fresh = new ArrayList<>(ready.size());
        long last = log.lastPosition();
        for (Transaction tx : ready) {
            // a transaction at or before the last logged position is already in the log
            if (tx.position() > last) {
                fresh.add(tx);
                last = tx.position();
            }
        }
        if (!fresh.isEmpty()) {
            String offset = json(readyOffset);
            // indexed first: a stop or crash between the two then cannot leave a logged mark out of the index
            recordMarks(fresh, log.nextSequence());
            space.appendWhenSpace(() -> log.append(fresh, offset));
            status.logged(fresh);
        }
        for (Transaction tx : ready) {
            if (tx.changes() instanceof ChangeSpill.Changes spilled) {
                spilled.delete();
            }
        }
    }

    private void change(SourceRecord r, Struct value, Batch batch) {
        String op = value.getString("op");
        Struct source = value.getStruct("source");
        if ("m".equals(op)) {
            message(value.getStruct("message"), source, batch);
            return;
        }
        String table = stream.table(source);
        TableSchema schema = versions.get(table, batch.nextSequence());
        if ("r".equals(op)) {
            snapshot.row(schema, decode(table, schema, value.getStruct("after"), batch), r.sourceOffset());
            status.snapshotRow();
            return;
        }
        Op kind = switch (op) {
            case "c" -> Op.INSERT;
            case "u" -> Op.UPDATE;
            case "d" -> Op.DELETE;
            case "t" -> Op.TRUNCATE;
            default -> null;
        };
        if (kind == null) {
            return;
        }
        Struct before = kind == Op.TRUNCATE ? null : value.getStruct("before");
        Struct after = kind == Op.TRUNCATE ? null : value.getStruct("after");
        Object[] b = before == null ? null : decode(table, schema, before, batch);
        Object[] a = after == null ? null : decode(table, schema, after, batch);
        // a re-read definition may have produced a newer version during decoding
        TableSchema used = versions.get(table, log.nextSequence());
        stream.add(r, value, new RowChange(used.id(), kind, b, a));
    }

    /** A logical decoding message: the engine's DDL capture, or one logged as it is (marks, sequence values). */
    private void message(Struct m, Struct source, Batch batch) {
        Object content = m.get("content");
        String text = content instanceof ByteBuffer b
                ? StandardCharsets.UTF_8.decode(b.duplicate()).toString()
                : String.valueOf(content);
        String prefix = m.getString("prefix");
        if (!stream.definitionMessage(prefix, text, source, batch)) {
            assembler.add(
                    String.valueOf(source.get("txId")),
                    commitMicros(source),
                    new RowChange(0, Op.MESSAGE, null, new Object[] {prefix, text}));
        }
    }

    /**
     * Indexes the named restore points among transactions about to be logged from {@code firstSequence} on,
     * with the sequences the log will give them (a redelivery after a crash gets the same ones).
     */
    private void recordMarks(List<Transaction> toLog, long firstSequence) {
        long sequence = firstSequence;
        for (Transaction tx : toLog) {
            // a restore point is a transaction of one message, never a spilled one
            if (!(tx.changes() instanceof ChangeSpill.Changes)) {
                for (RowChange c : tx.changes()) {
                    if (c.op() == Op.MESSAGE && Marks.PREFIX.equals(c.after()[0])) {
                        Marks.record(
                                repo,
                                new Marks.Mark(
                                        (String) c.after()[1],
                                        sequence,
                                        tx.commitMicros(),
                                        tx.position(),
                                        Micros.format(tx.commitMicros())));
                    }
                }
            }
            sequence++;
        }
    }

    private Object[] decode(String table, TableSchema schema, Struct image, Batch batch) {
        try {
            return decoder.row(schema, image);
        } catch (ChangeDecoder.SchemaMismatch first) {
            TableSchema fresh = versions.refresh(table, batch.nextSequence());
            try {
                return decoder.row(fresh, image);
            } catch (ChangeDecoder.SchemaMismatch again) {
                throw new SourceException(
                        "a change to " + table + " does not match the table's definition (" + again.getMessage()
                                + "): if that column's type is one the connector does not stream, exclude the "
                                + "table with source.tables-exclude; else restart the agent");
            }
        }
    }

    static long commitMicros(Struct source) {
        if (source.schema().field("ts_us") != null && source.get("ts_us") != null) {
            return source.getInt64("ts_us");
        }
        return source.getInt64("ts_ms") * 1000;
    }

    static String json(Map<String, ?> offset) {
        try {
            return offset == null ? "" : JSON.writeValueAsString(offset);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
