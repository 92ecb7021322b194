package dev.backtrack.agent;

import dev.backtrack.capture.postgres.CaptureSettings;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.position.BinlogPosition;
import java.util.List;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * MariaDB's and MySQL's change events: GTIDs as transaction ids, each event's binlog position, schema
 * change events ({@link BinlogEvents}), DDL and TRUNCATE that commit implicitly (no END), and key
 * changes Debezium splits in two. Not thread-safe.
 */
final class BinlogStream implements ChangeStream {
    private static final String NEW_KEY = "__debezium.newkey";
    private static final String OLD_KEY = "__debezium.oldkey";
    private final BinlogEvents events;
    private final TransactionAssembler assembler;
    private final CaptureConsumer.SnapshotPhase snapshot;
    /** The open transaction's BEGIN time and position (a DDL without rows has no other). */
    private long openMicros;

    private long openPosition;
    // the DELETE half of a primary key change, until its INSERT half arrives
    private RowChange movedFrom;

    BinlogStream(BinlogEvents events, TransactionAssembler assembler, CaptureConsumer.SnapshotPhase snapshot) {
        this.events = events;
        this.assembler = assembler;
        this.snapshot = snapshot;
    }

    @Override
    public String table(Struct source) {
        return source.getString("db") + "." + source.getString("table");
    }

    @Override
    public void begin(Struct boundary, SourceRecord r, CaptureConsumer.Batch batch) {
        String txId = boundary.getString("id");
        if (assembler.isOpen() && !txId.equals(assembler.openTxId())) {
            if (assembler.isEmpty() && !snapshot.active()) {
                // a DDL without a schema change event (a view, routine, trigger, event): its definitions
                events.objectsAfterDdl(assembler, assembler.openTxId(), openMicros, openPosition, null);
            }
            // DDL and TRUNCATE commit implicitly and get no END: the next BEGIN closes them
            batch.endOpen(r.sourceOffset());
        }
        openMicros = boundary.getInt64("ts_ms") * 1000;
        openPosition = BinlogPosition.of(r.sourceOffset());
        assembler.begin(txId);
    }

    /** A transaction's position is its last event's. */
    @Override
    public long commitPosition(SourceRecord end) {
        return assembler.lastPosition();
    }

    @Override
    public void add(SourceRecord r, Struct value, RowChange change) {
        Struct source = value.getStruct("source");
        for (RowChange c : keyMove(r, change)) {
            assembler.add(
                    BinlogEvents.txId(value, source),
                    CaptureConsumer.commitMicros(source),
                    c,
                    BinlogEvents.position(source));
        }
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
        if (from != null
                && change.op() == Op.INSERT
                && from.schemaId() == change.schemaId()
                && r.headers().lastWithName(OLD_KEY) != null) {
            return List.of(new RowChange(change.schemaId(), Op.UPDATE, from.before(), change.after()));
        }
        return from == null ? List.of(change) : List.of(from, change);
    }

    @Override
    public boolean ownEvent(SourceRecord r, CaptureConsumer.Batch batch) {
        if (!CaptureSettings.TOPIC_PREFIX.equals(r.topic())
                || !(r.value() instanceof Struct ddl)
                || ddl.schema().field("ddl") == null) {
            return false;
        }
        events.schemaChange(ddl, snapshot, assembler, batch.nextSequence());
        if (assembler.isOpen() && !snapshot.active()) {
            batch.endOpen(r.sourceOffset());
        }
        return true;
    }

    @Override
    public void afterChange(String op, SourceRecord r, CaptureConsumer.Batch batch) {
        if ("t".equals(op) && assembler.isOpen()) {
            batch.endOpen(r.sourceOffset());
        }
    }

    @Override
    public boolean definitionMessage(String prefix, String text, Struct source, CaptureConsumer.Batch batch) {
        return false;
    }
}
