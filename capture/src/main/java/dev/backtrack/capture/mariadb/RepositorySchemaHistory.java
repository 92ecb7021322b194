package dev.backtrack.capture.mariadb;

import dev.backtrack.repository.history.SourceHistory;
import io.debezium.config.Configuration;
import io.debezium.document.DocumentReader;
import io.debezium.document.DocumentWriter;
import io.debezium.relational.history.AbstractSchemaHistory;
import io.debezium.relational.history.HistoryRecord;
import io.debezium.relational.history.HistoryRecordComparator;
import io.debezium.relational.history.SchemaHistoryException;
import io.debezium.relational.history.SchemaHistoryListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The connector's schema history, stored in the repository ({@link SourceHistory}) instead of a file
 * beside it, so a repository copied elsewhere resumes capture with it. Instantiated by the connector.
 */
public final class RepositorySchemaHistory extends AbstractSchemaHistory {
    /** The setting that names the repository directory. */
    public static final String REPOSITORY = "schema.history.internal.backtrack.repository";

    private SourceHistory history;

    @Override
    public void configure(
            Configuration config,
            HistoryRecordComparator comparator,
            SchemaHistoryListener listener,
            boolean useCatalogBeforeSchema) {
        super.configure(config, comparator, listener, useCatalogBeforeSchema);
        String repository = config.getString(REPOSITORY);
        if (repository == null) {
            throw new SchemaHistoryException(REPOSITORY + " is not set");
        }
        history = SourceHistory.borrow(Path.of(repository));
    }

    @Override
    protected synchronized void storeRecord(HistoryRecord record) throws SchemaHistoryException {
        try {
            history.append(
                    DocumentWriter.defaultWriter().write(record.document()).getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            throw new SchemaHistoryException("cannot store a schema history record: " + e.getMessage(), e);
        }
    }

    @Override
    protected synchronized void recoverRecords(Consumer<HistoryRecord> records) {
        for (byte[] r : history.records()) {
            try {
                records.accept(
                        new HistoryRecord(DocumentReader.defaultReader().read(new String(r, StandardCharsets.UTF_8))));
            } catch (IOException e) {
                throw new SchemaHistoryException(
                        "a schema history record in the repository is not JSON: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public boolean exists() {
        return history.exists();
    }

    @Override
    public boolean storageExists() {
        return true;
    }

    @Override
    public String toString() {
        return "repository schema history";
    }
}
