package dev.backtrack.agent;

import dev.backtrack.capture.mariadb.BinlogTableEvent;
import dev.backtrack.connectors.SourceException;
import dev.backtrack.connectors.mariadb.BinlogSchema;
import dev.backtrack.connectors.mariadb.MariaDbCatalog;
import dev.backtrack.connectors.mariadb.MariaDbTypes;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.objects.ObjectDefinition;
import dev.backtrack.repository.objects.ObjectSet;
import dev.backtrack.repository.position.BinlogPosition;
import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.TableSchema;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.connect.data.Struct;

/**
 * What a binlog source (MariaDB, MySQL) adds to the stream: schema change events that carry the
 * table's definition at that binlog position, which become the repository's table versions, and
 * positions and transaction ids (GTIDs) of its own shape. Not thread-safe (the consumer's thread).
 */
final class BinlogEvents {
    private static final Pattern TABLE_ID = Pattern.compile("\"((?:[^\"]|\"\")*)\"\\.\"((?:[^\"]|\"\")*)\"");
    private final MariaDbCatalog catalog;
    private final TableVersions versions;
    private final Predicate<String> captured;
    /** The definitions last logged; null until the first DDL after the agent started, which logs them all. */
    private ObjectSet lastObjects;

    /** @param captured whether a qualified table name ({@code db.table}) is one the agent captures */
    BinlogEvents(MariaDbCatalog catalog, TableVersions versions, Predicate<String> captured) {
        this.catalog = catalog;
        this.versions = versions;
        this.captured = captured;
    }

    /**
     * A DDL statement's tables: during the first snapshot each becomes a table of checkpoint 0; later,
     * a new version (or the table's end) in the open transaction, from log sequence {@code fromSequence}.
     */
    void schemaChange(
            Struct event, CaptureConsumer.SnapshotPhase snapshot, TransactionAssembler assembler, long fromSequence) {
        Struct source = event.getStruct("source");
        String statement = event.getString("ddl");
        List<Struct> changes = event.getArray("tableChanges");
        if (changes == null) {
            return;
        }
        boolean inSnapshot = snapshot.active();
        String txId = assembler.isOpen() ? assembler.openTxId() : txId(null, source);
        long micros = CaptureConsumer.commitMicros(source);
        long position = position(source);
        // the binlog holds every database's DDL: only a captured table's statement is for a migration to replay
        boolean ours = false;
        for (Struct change : changes) {
            Matcher m = TABLE_ID.matcher(change.getString("id"));
            if (!m.matches()) {
                continue;
            }
            String database = m.group(1).replace("\"\"", "\"");
            String table = m.group(2).replace("\"\"", "\"");
            String qualified = database + "." + table;
            if (!captured.test(qualified)) {
                continue;
            }
            ours = true;
            if ("DROP".equals(change.getString("type"))) {
                // the snapshot drops each table before it creates it: only a streamed DROP ends a table
                TableSchema last = inSnapshot ? null : versions.dropped(BinlogSchema.relationId(qualified));
                if (last != null) {
                    assembler.add(txId, micros, new RowChange(last.id(), Op.DROP, null, null), position);
                }
                continue;
            }
            TableSchema definition = BinlogSchema.carryColumnNumbers(
                    versions.current(qualified),
                    BinlogTableEvent.fromEvent(database, table, change.getStruct("table"), catalog),
                    statement);
            refuseUnreadable(definition);
            TableSchema version = versions.changed(definition, fromSequence);
            if (inSnapshot) {
                snapshot.table(version != null ? version : versions.current(qualified));
            } else if (version != null) {
                assembler.add(
                        txId,
                        micros,
                        new RowChange(version.id(), Op.SCHEMA, null, new Object[] {tag(statement), statement}),
                        position);
            }
        }
        // another database's DDL (a restore into the same server) changes none of ours: reading them then would only
        // read late
        String db = event.schema().field("databaseName") == null ? null : event.getString("databaseName");
        boolean elsewhere = !ours && db != null && !db.isEmpty() && !db.equals(catalog.database());
        if (!inSnapshot && !elsewhere) {
            objectsAfterDdl(assembler, txId, micros, position, ours ? statement : null);
        }
    }

    /**
     * After a DDL (the binlog's schema change events name only tables; a view, routine, trigger or event
     * arrives as a transaction with no row): the definitions read again, and what changed logged in the
     * DDL's transaction, so a restore to either side of it gets the right one. Read when the agent handles
     * the DDL, so a definition changed again before the agent caught up is recorded in its later form.
     * The statement (null when the connector did not give it) goes with them, for a migration to replay:
     * a table's engine, partitions or foreign key rules can change without a new table version.
     */
    void objectsAfterDdl(TransactionAssembler assembler, String txId, long micros, long position, String statement) {
        ObjectSet now = notAhead(catalog.objects(List.of(), List.of()));
        String message = ObjectSet.changeMessage(lastObjects, now, statement);
        lastObjects = now;
        if (message != null) {
            assembler.add(
                    txId,
                    micros,
                    new RowChange(0, Op.MESSAGE, null, new Object[] {ObjectSet.PREFIX, message}),
                    position);
        }
    }

    private static final Pattern COLUMN_LINE = Pattern.compile("(?m)^  `((?:[^`]|``)+)` ");

    /**
     * The definitions read now, with each table whose columns are not those of its version at this
     * binlog position (the server ran a later DDL before the agent got here) kept as last logged: it is
     * logged at the DDL that gives it those columns, so a restore between the two loads its rows into
     * a table that has their columns.
     */
    private ObjectSet notAhead(ObjectSet read) {
        return notAhead(read, lastObjects);
    }

    /**
     * The definitions as of a finished snapshot: read again now, as a DDL run while the snapshot began
     * is in neither the definitions read before it nor the stream after it; a table already changed
     * past the snapshot's columns keeps its definition from {@code atStart}.
     */
    ObjectSet atSnapshotEnd(ObjectSet atStart) {
        return notAhead(catalog.objects(List.of(), List.of()), atStart);
    }

    private ObjectSet notAhead(ObjectSet read, ObjectSet earlier) {
        List<ObjectDefinition> out = new ArrayList<>();
        for (ObjectDefinition o : read.all()) {
            TableSchema version = o.isTableEntry() ? versions.current(o.table()) : null;
            if (version == null
                    || new HashSet<>(columnNames(o))
                            .equals(version.columns().stream().map(Column::name).collect(Collectors.toSet()))) {
                out.add(o);
            } else if (earlier != null && earlier.get(o.key()) != null) {
                out.add(earlier.get(o.key()));
            }
        }
        return new ObjectSet(out);
    }

    /** The column names of a table's SHOW CREATE TABLE text, in order. */
    private static List<String> columnNames(ObjectDefinition table) {
        List<String> names = new ArrayList<>();
        Matcher m = COLUMN_LINE.matcher(table.create().get(table.create().size() - 1));
        while (m.find()) {
            names.add(m.group(1).replace("``", "`"));
        }
        return names;
    }

    /**
     * A column added later of a type the agent refuses at start stops capture (its values would be logged wrong),
     * naming it.
     */
    private static void refuseUnreadable(TableSchema definition) {
        for (Column c : definition.columns()) {
            String base = MariaDbTypes.base(c.type());
            if (MariaDbTypes.refusal(base) != null) {
                throw new SourceException(MariaDbTypes.refusalLine(definition.qualifiedName(), c.name(), base));
            }
        }
    }

    /** The first two words of a statement, upper case: {@code ALTER TABLE}. */
    private static String tag(String statement) {
        String[] words = statement.trim().split("\\s+", 3);
        return (words.length > 1 ? words[0] + " " + words[1] : words[0]).toUpperCase(Locale.ROOT);
    }

    /** The transaction's GTID (MariaDB {@code 0-1-42}, MySQL {@code uuid:42}), else its binlog position. */
    static String txId(Struct value, Struct source) {
        if (value != null && value.schema().field("transaction") != null && value.getStruct("transaction") != null) {
            return value.getStruct("transaction").getString("id");
        }
        if (source.schema().field("gtid") != null && source.getString("gtid") != null) {
            return source.getString("gtid");
        }
        return source.getString("file") + ":" + source.getInt64("pos");
    }

    /** The event's binlog position as one ordered number. */
    static long position(Struct source) {
        return BinlogPosition.of(source.getString("file"), source.getInt64("pos"));
    }
}
