package dev.backtrack.agent;

import dev.backtrack.config.SourceConfig;
import dev.backtrack.connectors.postgres.PostgresCatalog;
import dev.backtrack.connectors.postgres.PostgresTarget;
import dev.backtrack.repository.checkpoint.SequenceValues;

import java.io.PrintStream;
import java.util.Map;

/**
 * Writes the source's sequence values into the change stream (a transactional logical decoding
 * message) whenever they changed, so a restore to T sets each sequence as it was near T — logical
 * decoding carries no sequence changes. Runs on its own connection; not thread-safe.
 */
final class SequenceTicker implements AutoCloseable {
    static final String PREFIX = SequenceValues.PREFIX;
    private final SourceConfig source;
    private final PrintStream out;
    private PostgresCatalog catalog;
    private Map<String, Long> last;
    private Map<String, String> lastDefinitions;

    SequenceTicker(SourceConfig source, PrintStream out) {
        this.source = source;
        this.out = out;
    }

    void tick() {
        try {
            if (catalog == null) {
                catalog = PostgresCatalog.connect(source.url(), source.user(), source.password());
            }
            Map<String, String> definitions = catalog.sequenceDefinitions();
            if (!definitions.equals(lastDefinitions)) {
                catalog.one("SELECT pg_logical_emit_message(true, " + PostgresTarget.literal(SequenceValues.DEFINITIONS_PREFIX) + ", "
                        + PostgresTarget.literal(CaptureConsumer.json(definitions)) + ")::text");
                lastDefinitions = definitions;
            }
            Map<String, Long> now = catalog.sequences();
            if (now.isEmpty() || now.equals(last)) {
                return;
            }
            String json = CaptureConsumer.json(now);
            catalog.one("SELECT pg_logical_emit_message(true, " + PostgresTarget.literal(PREFIX) + ", " + PostgresTarget.literal(json) + ")::text");
            last = now;
        } catch (RuntimeException e) {
            out.println("sequence values not recorded this time: " + Agent.rootMessage(e));
            close();
        }
    }

    @Override
    public void close() {
        if (catalog != null) {
            catalog.close();
            catalog = null;
        }
    }
}
