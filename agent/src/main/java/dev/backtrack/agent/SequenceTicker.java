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

    /**
     * The WAL the slot holds on the source and how much of it the agent has not confirmed yet, with a
     * warning past {@code warningBytes}; "" when the source cannot be asked. Same thread as {@link #tick}.
     */
    String slotLine(long warningBytes) {
        try {
            if (catalog == null) {
                catalog = PostgresCatalog.connect(source.url(), source.user(), source.password());
            }
            String row = catalog.one("SELECT coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::bigint || ' ' ||"
                    + " coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn), 0)::bigint FROM pg_replication_slots WHERE slot_name = "
                    + PostgresTarget.literal(source.slot()));
            String[] f = row.split(" ");
            long retained = Long.parseLong(f[0]), unconfirmed = Long.parseLong(f[1]);
            String line = String.format("; slot %s holds %.1f MB of WAL, %.1f MB not yet confirmed", source.slot(), retained / 1048576.0, unconfirmed / 1048576.0);
            if (retained > warningBytes) {
                line += String.format("%nwarning: slot %s holds %d MB of WAL on the source (more than agent.wal-warning-mb %d): the agent is behind or stalled;"
                        + " check its log, or the source fills its disk", source.slot(), retained >> 20, warningBytes >> 20);
            }
            return line;
        } catch (RuntimeException e) {
            close();
            return "; slot state unknown (" + Agent.rootMessage(e) + ")";
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
