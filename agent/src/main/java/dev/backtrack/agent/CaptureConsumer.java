package dev.backtrack.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.repository.position.BinlogPosition;
import dev.backtrack.connectors.postgres.CaptureSettings;
import dev.backtrack.connectors.postgres.ChangeDecoder;
import dev.backtrack.connectors.postgres.DdlCapture;
import dev.backtrack.connectors.postgres.PostgresCatalog;
import dev.backtrack.connectors.SourceException;
import dev.backtrack.connectors.postgres.TextValues;
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
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The engine's consumer: assembles transactions, appends every complete one of a batch to the log
 * with one fsync (group commit), and only then marks the records processed, so the source is never
 * told of a change the log could still lose. Called by the engine on one thread at a time.
 */
final class CaptureConsumer implements DebeziumEngine.ChangeConsumer<ChangeEvent<SourceRecord, SourceRecord>> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path repository;
    private final RedoLog log;
    private final TableVersions versions;
    private final ChangeDecoder decoder = new ChangeDecoder();
    /** Rows of one open transaction kept in memory before the rest goes to a spill file. */
    static final long SPILL_BYTES = 8L << 20;
    private final TransactionAssembler assembler;
    private final SnapshotPhase snapshot;
    private final CaptureStatus status;
    /** The binlog's DDL events and implicit commits (MariaDB/MySQL), or null for PostgreSQL. */
    private final BinlogEvents binlog;
    private final RepositorySpace space;
    /** Binlog sources: the open transaction's BEGIN time and position (a DDL without rows has no other). */
    private long openMicros;
    // the DELETE half of a primary key change, until its INSERT half arrives
    private RowChange movedFrom;
    private static final String NEW_KEY = "__debezium.newkey";
    private static final String OLD_KEY = "__debezium.oldkey";
    private long openPosition;

    /** What the consumer needs from the agent while the first checkpoint is being written. */
    interface SnapshotPhase {
        boolean active();

        /** A table the snapshot holds (binlog sources announce each one before its rows). */
        default void table(TableSchema table) {
        }

        /** A snapshot row; {@code offset} is the engine offset after it (the last one resumes the stream). */
        void row(TableSchema table, Object[] row, Map<String, ?> offset);

        /** {@code offset}: the engine offset the notification carries (binlog sources: the snapshot's position). */
        void notification(String aggregateType, String type, Map<String, ?> offset);
    }

    CaptureConsumer(Path repository, RedoLog log, TableVersions versions, SnapshotPhase snapshot, CaptureStatus status, BinlogEvents binlog,
                    RepositorySpace space) {
        this.repository = repository;
        this.log = log;
        this.versions = versions;
        this.snapshot = snapshot;
        this.status = status;
        this.binlog = binlog;
        this.space = space;
        Path spillDir = repository.resolve("spill");
        // transactions spilled by an earlier run were never acknowledged: the source sends them again
        ChangeSpill.clear(spillDir);
        this.assembler = new TransactionAssembler(spillDir, SPILL_BYTES);
    }

    @Override
    public void handleBatch(List<ChangeEvent<SourceRecord, SourceRecord>> events,
                            DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer) throws InterruptedException {
        List<Transaction> ready = new ArrayList<>();
        int safe = -1;
        Map<String, ?> readyOffset = null;
        for (int i = 0; i < events.size(); i++) {
            SourceRecord r = events.get(i).value();
            String topic = r.topic();
            if (CaptureSettings.NOTIFICATION_TOPIC.equals(topic)) {
                Struct v = (Struct) r.value();
                snapshot.notification(v.getString("aggregate_type"), v.getString("type"), r.sourceOffset());
            } else if (CaptureSettings.TRANSACTION_TOPIC.equals(topic)) {
                readyOffset = transactionBoundary((Struct) r.value(), r, ready, readyOffset);
            } else if (binlog != null && CaptureSettings.TOPIC_PREFIX.equals(topic) && r.value() instanceof Struct ddl && ddl.schema().field("ddl") != null) {
                binlog.schemaChange(ddl, snapshot, assembler, log.nextSequence() + ready.size());
                if (assembler.isOpen() && !snapshot.active()) {
                    readyOffset = endOpen(ready, r.sourceOffset(), readyOffset);
                }
            } else if (r.value() instanceof Struct value && value.schema().field("op") != null) {
                change(r, value, ready);
                if (binlog != null && "t".equals(value.getString("op")) && assembler.isOpen()) {
                    readyOffset = endOpen(ready, r.sourceOffset(), readyOffset);
                }
            }
            if (!assembler.isOpen()) {
                safe = i;
            }
        }
        logReady(ready, readyOffset);
        for (int i = 0; i <= safe; i++) {
            committer.markProcessed(events.get(i));
        }
        committer.markBatchFinished();
    }

    /** A BEGIN opens a transaction (closing a binlog DDL's, which has no END), an END makes it ready; returns the offset to store. */
    private Map<String, ?> transactionBoundary(Struct v, SourceRecord r, List<Transaction> ready, Map<String, ?> readyOffset) throws InterruptedException {
        if (!"BEGIN".equals(v.getString("status"))) {
            long position = binlog != null ? assembler.lastPosition() : commitPosition(r);
            Transaction tx = assembler.end(position);
            if (tx == null) {
                return readyOffset;
            }
            ready.add(tx);
            return r.sourceOffset();
        }
        String txId = binlog != null ? v.getString("id") : v.getString("id").split(":")[0];
        Map<String, ?> offset = readyOffset;
        if (binlog != null && assembler.isOpen() && !txId.equals(assembler.openTxId())) {
            if (assembler.isEmpty() && !snapshot.active()) {
                // a DDL without a schema change event (a view, routine, trigger, event): its definitions
                binlog.objectsAfterDdl(assembler, assembler.openTxId(), openMicros, openPosition, null);
            }
            // DDL and TRUNCATE commit implicitly and get no END: the next BEGIN closes them
            offset = endOpen(ready, r.sourceOffset(), readyOffset);
        }
        if (binlog != null) {
            openMicros = v.getInt64("ts_ms") * 1000;
            openPosition = BinlogPosition.of(r.sourceOffset());
        }
        assembler.begin(txId);
        return offset;
    }

    /** Appends the batch's complete transactions the log does not hold yet (at-least-once delivery), with the offset to resume from. */
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

    /** Ends the open transaction at its last event (an implicit commit); returns the offset to store with the batch. */
    private Map<String, ?> endOpen(List<Transaction> ready, Map<String, ?> offset, Map<String, ?> readyOffset) {
        Transaction tx = assembler.end(assembler.lastPosition());
        if (tx == null) {
            return readyOffset;
        }
        ready.add(tx);
        return offset;
    }

    private void change(SourceRecord r, Struct value, List<Transaction> ready) {
        String op = value.getString("op");
        Struct source = value.getStruct("source");
        if ("m".equals(op)) {
            Struct m = value.getStruct("message");
            Object content = m.get("content");
            String text = content instanceof ByteBuffer b ? StandardCharsets.UTF_8.decode(b.duplicate()).toString() : String.valueOf(content);
            String txId = String.valueOf(source.get("txId"));
            if (DdlCapture.DDL_PREFIX.equals(m.getString("prefix"))) {
                definitionsChanged(txId, commitMicros(source), text, ready);
                return;
            }
            if (DdlCapture.DROP_PREFIX.equals(m.getString("prefix"))) {
                objectsDropped(txId, commitMicros(source), text, ready);
                return;
            }
            if (DdlCapture.ROWS_PREFIX.equals(m.getString("prefix"))) {
                rowsRewritten(txId, commitMicros(source), text);
                return;
            }
            assembler.add(String.valueOf(source.get("txId")), commitMicros(source), new RowChange(0, Op.MESSAGE, null, new Object[]{m.getString("prefix"), text}));
            return;
        }
        String table = (binlog != null ? source.getString("db") : source.getString("schema")) + "." + source.getString("table");
        TableSchema schema = versions.get(table, log.nextSequence() + ready.size());
        if ("r".equals(op)) {
            snapshot.row(schema, decode(table, schema, value.getStruct("after"), ready), r.sourceOffset());
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
        Object[] b = before == null ? null : decode(table, schema, before, ready);
        Object[] a = after == null ? null : decode(table, schema, after, ready);
        // a re-read definition may have produced a newer version during decoding
        TableSchema used = versions.get(table, log.nextSequence());
        if (binlog != null) {
            for (RowChange change : keyMove(r, new RowChange(used.id(), kind, b, a))) {
                assembler.add(BinlogEvents.txId(value, source), commitMicros(source), change, BinlogEvents.position(source));
            }
            return;
        }
        assembler.add(String.valueOf(source.get("txId")), commitMicros(source), new RowChange(used.id(), kind, b, a));
    }

    /**
     * Debezium emits an UPDATE that changes a row's primary key as a DELETE of the old key (header
     * {@code __debezium.newkey}) and an INSERT of the new one ({@code __debezium.oldkey}): they are
     * logged as the one UPDATE they were, since a parent's key change and its delete differ for the
     * foreign key rules the binlog leaves out. Returns the changes to log (none while the pair is half read).
     */
    private List<RowChange> keyMove(SourceRecord r, RowChange change) {
        RowChange from = movedFrom;
        movedFrom = null;
        if (change.op() == Op.DELETE && r.headers().lastWithName(NEW_KEY) != null) {
            movedFrom = change;
            return from == null ? List.of() : List.of(from);
        }
        if (from != null && change.op() == Op.INSERT && from.schemaId() == change.schemaId() && r.headers().lastWithName(OLD_KEY) != null) {
            return List.of(new RowChange(change.schemaId(), Op.UPDATE, from.before(), change.after()));
        }
        return from == null ? List.of(change) : List.of(from, change);
    }

    /** A DDL statement's tables, as the trigger read them right after it: new versions from this transaction on. */
    private void definitionsChanged(String txId, long micros, String json, List<Transaction> ready) {
        JsonNode root = parse(json);
        Object[] statement = {root.path("tag").asText(), root.path("query").asText()};
        for (JsonNode t : root.path("tables")) {
            TableSchema definition = PostgresCatalog.parseDefinition(t.toString());
            PostgresCatalog.refuseUnsupported(definition);
            if (definition.primaryKey().isEmpty() && !definition.replicaIdentityFull()) {
                System.out.println("warning: table " + definition.qualifiedName() + " has no primary key and no REPLICA IDENTITY FULL, so it is not captured"
                        + " (and a restore will not hold its rows): run ALTER TABLE " + definition.qualifiedName() + " REPLICA IDENTITY FULL;");
                continue;
            }
            TableSchema version = versions.changed(definition, log.nextSequence() + ready.size());
            if (version != null) {
                assembler.add(txId, micros, new RowChange(version.id(), Op.SCHEMA, null, statement));
            }
        }
    }

    /** Dropped tables end; a dropped index makes a new version of its table. */
    private void objectsDropped(String txId, long micros, String json, List<Transaction> ready) {
        JsonNode root = parse(json);
        for (JsonNode o : root.path("objects")) {
            String type = o.path("type").asText();
            if (type.equals("table")) {
                TableSchema last = versions.dropped(o.path("relationId").asLong());
                if (last != null) {
                    assembler.add(txId, micros, new RowChange(last.id(), Op.DROP, null, new Object[]{root.path("tag").asText(), root.path("query").asText("")}));
                }
            } else if (type.equals("index")) {
                TableSchema owner = versions.ownerOfIndex(o.path("schema").asText(), o.path("name").asText());
                if (owner != null) {
                    String name = o.path("name").asText();
                    List<String> indexes = owner.indexes().stream()
                            .filter(i -> !i.matches("CREATE (UNIQUE )?INDEX (" + Pattern.quote(name) + "|" + Pattern.quote(PostgresCatalog.quote(name)) + ") ON .*")).toList();
                    TableSchema version = versions.changed(new TableSchema(0, owner.relationId(), owner.schema(), owner.table(), owner.columns(),
                            owner.primaryKey(), owner.primaryKeyName(), owner.enums(), owner.domains(), indexes, owner.constraints(), owner.replicaIdentityFull(), 0,
                            owner.partitionKey()), log.nextSequence() + ready.size());
                    if (version != null) {
                        // the statement, for a migration to replay
                        assembler.add(txId, micros, new RowChange(version.id(), Op.SCHEMA, null, new Object[]{"DROP INDEX", root.path("query").asText("")}));
                    }
                }
            }
        }
    }

    /** A rewriting DDL's rows: the table's whole content from here on (a TRUNCATE before the first chunk). */
    private void rowsRewritten(String txId, long micros, String json) {
        JsonNode root = parse(json);
        TableSchema table = versions.byRelation(root.path("relationId").asLong());
        if (table == null) {
            return;
        }
        if (root.path("first").asBoolean()) {
            assembler.add(txId, micros, new RowChange(table.id(), Op.TRUNCATE, null, null));
        }
        for (JsonNode r : root.path("rows")) {
            List<String> text = new ArrayList<>(r.size());
            r.forEach(v -> text.add(v.isNull() ? null : v.asText()));
            assembler.add(txId, micros, new RowChange(table.id(), Op.INSERT, null, TextValues.row(table, text)));
        }
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new SourceException("a DDL message from the source is not JSON (" + e.getOriginalMessage() + "): reinstall the agent's event triggers by restarting it");
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
                        Marks.record(repository, new Marks.Mark((String) c.after()[1], sequence, tx.commitMicros(), tx.position(),
                                Micros.format(tx.commitMicros())));
                    }
                }
            }
            sequence++;
        }
    }

    private Object[] decode(String table, TableSchema schema, Struct image, List<Transaction> ready) {
        try {
            return decoder.row(schema, image);
        } catch (ChangeDecoder.SchemaMismatch first) {
            TableSchema fresh = versions.refresh(table, log.nextSequence() + ready.size());
            try {
                return decoder.row(fresh, image);
            } catch (ChangeDecoder.SchemaMismatch again) {
                throw new SourceException("a change to " + table + " does not match the table's definition (" + again.getMessage()
                        + "): if that column's type is one the connector does not stream, exclude the table with source.tables-exclude; else restart the agent");
            }
        }
    }

    static long commitMicros(Struct source) {
        if (source.schema().field("ts_us") != null && source.get("ts_us") != null) {
            return source.getInt64("ts_us");
        }
        return source.getInt64("ts_ms") * 1000;
    }

    private static long commitPosition(SourceRecord end) {
        Object commit = end.sourceOffset().get("lsn_commit");
        if (commit instanceof Number n) {
            return n.longValue();
        }
        Object lsn = end.sourceOffset().get("lsn");
        if (lsn instanceof Number n) {
            return n.longValue();
        }
        throw new SourceException("transaction END record carries no commit LSN (offset " + end.sourceOffset() + "): this connector version is not supported");
    }

    static String json(Map<String, ?> offset) {
        try {
            return offset == null ? "" : JSON.writeValueAsString(offset);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
