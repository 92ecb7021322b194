package dev.backtrack.agent;

import dev.backtrack.repository.model.RowChange;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * How {@link CaptureConsumer} reads one engine's change events: transaction ids and commit positions,
 * table names, and the events only that engine sends (PostgreSQL's DDL messages, the binlog's schema
 * changes and implicit commits). Called on the consumer's thread.
 */
interface ChangeStream {
    /** The qualified name of the table a change's {@code source} block names. */
    String table(Struct source);

    /** A transaction's BEGIN: opens it (a binlog source first ends a DDL's transaction, which has no END). */
    void begin(Struct boundary, SourceRecord r, CaptureConsumer.Batch batch);

    /** The commit position of the transaction an END record closes. */
    long commitPosition(SourceRecord end);

    /** Adds a row change to the open transaction. */
    void add(SourceRecord r, Struct value, RowChange change);

    /** Handles an event of this engine's own (a binlog schema change); false when {@code r} is not one. */
    boolean ownEvent(SourceRecord r, CaptureConsumer.Batch batch);

    /** After a row change {@code op}: a binlog TRUNCATE commits implicitly. */
    void afterChange(String op, SourceRecord r, CaptureConsumer.Batch batch);

    /** A message of the engine's DDL capture, handled; false for any other message. */
    boolean definitionMessage(String prefix, String text, Struct source, CaptureConsumer.Batch batch);
}
