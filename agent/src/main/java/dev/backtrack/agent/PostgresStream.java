package dev.backtrack.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.connectors.SourceException;
import dev.backtrack.connectors.postgres.DdlCapture;
import dev.backtrack.connectors.postgres.PostgresCatalog;
import dev.backtrack.connectors.postgres.TextValues;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.schema.TableSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * PostgreSQL's change events: transaction ids from the transaction metadata, commit LSNs from the END
 * record's offset, and the messages the agent's DDL event triggers send (new table versions, dropped
 * tables and indexes, the rows a rewriting DDL leaves). Not thread-safe.
 */
final class PostgresStream implements ChangeStream {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TransactionAssembler assembler;
    private final TableVersions versions;

    PostgresStream(TransactionAssembler assembler, TableVersions versions) {
        this.assembler = assembler;
        this.versions = versions;
    }

    @Override
    public String table(Struct source) {
        return source.getString("schema") + "." + source.getString("table");
    }

    @Override
    public void begin(Struct boundary, SourceRecord r, CaptureConsumer.Batch batch) {
        // the metadata's id is "txId:LSN"
        assembler.begin(boundary.getString("id").split(":")[0]);
    }

    @Override
    public long commitPosition(SourceRecord end) {
        Object commit = end.sourceOffset().get("lsn_commit");
        if (commit instanceof Number n) {
            return n.longValue();
        }
        Object lsn = end.sourceOffset().get("lsn");
        if (lsn instanceof Number n) {
            return n.longValue();
        }
        throw new SourceException("transaction END record carries no commit LSN (offset " + end.sourceOffset()
                + "): this connector version is not supported");
    }

    @Override
    public void add(SourceRecord r, Struct value, RowChange change) {
        Struct source = value.getStruct("source");
        assembler.add(String.valueOf(source.get("txId")), CaptureConsumer.commitMicros(source), change);
    }

    @Override
    public boolean ownEvent(SourceRecord r, CaptureConsumer.Batch batch) {
        return false;
    }

    @Override
    public void afterChange(String op, SourceRecord r, CaptureConsumer.Batch batch) {}

    @Override
    public boolean definitionMessage(String prefix, String text, Struct source, CaptureConsumer.Batch batch) {
        String txId = String.valueOf(source.get("txId"));
        long micros = CaptureConsumer.commitMicros(source);
        switch (prefix) {
            case DdlCapture.DDL_PREFIX -> definitionsChanged(txId, micros, text, batch.nextSequence());
            case DdlCapture.DROP_PREFIX -> objectsDropped(txId, micros, text, batch.nextSequence());
            case DdlCapture.ROWS_PREFIX -> rowsRewritten(txId, micros, text);
            default -> {
                return false;
            }
        }
        return true;
    }

    /** A DDL statement's tables, as the trigger read them right after it: new versions from this transaction on. */
    private void definitionsChanged(String txId, long micros, String json, long fromSequence) {
        JsonNode root = parse(json);
        Object[] statement = {root.path("tag").asText(), root.path("query").asText()};
        for (JsonNode t : root.path("tables")) {
            TableSchema definition = PostgresCatalog.parseDefinition(t.toString());
            PostgresCatalog.refuseUnsupported(definition);
            if (definition.primaryKey().isEmpty() && !definition.replicaIdentityFull()) {
                System.out.println("warning: table " + definition.qualifiedName()
                        + " has no primary key and no REPLICA IDENTITY FULL, so it is not captured"
                        + " (and a restore will not hold its rows): run ALTER TABLE " + definition.qualifiedName()
                        + " REPLICA IDENTITY FULL;");
                continue;
            }
            TableSchema version = versions.changed(definition, fromSequence);
            if (version != null) {
                assembler.add(txId, micros, new RowChange(version.id(), Op.SCHEMA, null, statement));
            }
        }
    }

    /** Dropped tables end; a dropped index makes a new version of its table. */
    private void objectsDropped(String txId, long micros, String json, long fromSequence) {
        JsonNode root = parse(json);
        for (JsonNode o : root.path("objects")) {
            String type = o.path("type").asText();
            if (type.equals("table")) {
                TableSchema last = versions.dropped(o.path("relationId").asLong());
                if (last != null) {
                    assembler.add(txId, micros, new RowChange(last.id(), Op.DROP, null, new Object[] {
                        root.path("tag").asText(), root.path("query").asText("")
                    }));
                }
            } else if (type.equals("index")) {
                indexDropped(txId, micros, o, root.path("query").asText(""), fromSequence);
            }
        }
    }

    private void indexDropped(String txId, long micros, JsonNode index, String query, long fromSequence) {
        TableSchema owner = versions.ownerOfIndex(
                index.path("schema").asText(), index.path("name").asText());
        if (owner == null) {
            return;
        }
        String name = index.path("name").asText();
        List<String> indexes = owner.indexes().stream()
                .filter(i -> !i.matches("CREATE (UNIQUE )?INDEX (" + Pattern.quote(name) + "|"
                        + Pattern.quote(PostgresCatalog.quote(name)) + ") ON .*"))
                .toList();
        TableSchema version = versions.changed(
                new TableSchema(
                        0,
                        owner.relationId(),
                        owner.schema(),
                        owner.table(),
                        owner.columns(),
                        owner.primaryKey(),
                        owner.primaryKeyName(),
                        owner.enums(),
                        owner.domains(),
                        indexes,
                        owner.constraints(),
                        owner.replicaIdentityFull(),
                        0,
                        owner.partitionKey()),
                fromSequence);
        if (version != null) {
            // the statement, for a migration to replay
            assembler.add(
                    txId, micros, new RowChange(version.id(), Op.SCHEMA, null, new Object[] {"DROP INDEX", query}));
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
            throw new SourceException("a DDL message from the source is not JSON (" + e.getOriginalMessage()
                    + "): reinstall the agent's event triggers by restarting it");
        }
    }
}
