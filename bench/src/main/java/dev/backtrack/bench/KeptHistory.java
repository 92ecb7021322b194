package dev.backtrack.bench;

import io.debezium.relational.history.AbstractSchemaHistory;
import io.debezium.relational.history.HistoryRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** An in-memory schema history that outlives its engine. Instantiated by the connector. */
public final class KeptHistory extends AbstractSchemaHistory {
    private static final List<HistoryRecord> RECORDS = new ArrayList<>();

    static void clear() {
        synchronized (RECORDS) {
            RECORDS.clear();
        }
    }

    @Override
    protected void storeRecord(HistoryRecord record) {
        synchronized (RECORDS) {
            RECORDS.add(record);
        }
    }

    @Override
    protected void recoverRecords(Consumer<HistoryRecord> records) {
        List<HistoryRecord> copy;
        synchronized (RECORDS) {
            copy = new ArrayList<>(RECORDS);
        }
        copy.forEach(records);
    }

    @Override
    public boolean exists() {
        synchronized (RECORDS) {
            return !RECORDS.isEmpty();
        }
    }

    @Override
    public boolean storageExists() {
        return true;
    }
}
