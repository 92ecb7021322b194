package dev.backtrack.agent;

import dev.backtrack.config.SourceConfig;
import dev.backtrack.connectors.postgres.PostgresCatalog;
import dev.backtrack.repository.checkpoint.SequenceValues;
import dev.backtrack.repository.objects.ObjectSet;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Writes the source's sequence values into the change stream (a transactional logical decoding
 * message) whenever they changed, so a restore to T sets each sequence as it was near T — logical
 * decoding carries no sequence changes. Also the slot's guardian: when the captured tables were idle
 * for a tick while the slot holds unconfirmed WAL (other tables or databases write), it writes a
 * heartbeat message, which the agent logs and confirms, so the slot moves on and the WAL it held can
 * go. Runs on its own connection; not thread-safe.
 */
final class SequenceTicker implements SourceEngine.SideWork {
    static final String PREFIX = SequenceValues.PREFIX;
    static final String HEARTBEAT_PREFIX = "backtrack.heartbeat";
    /** Unconfirmed WAL below this is left alone: it is what any busy moment leaves in flight. */
    static final long HEARTBEAT_LAG_BYTES = 1 << 20;

    private final SourceConfig source;
    private final PrintStream out;
    private final LongSupplier lastLoggedAtMillis;
    private PostgresCatalog catalog;
    private Map<String, Long> last;
    private Map<String, String> lastDefinitions;
    /** Without the DDL event triggers, object definitions are read here each tick; null until the first tick. */
    private final boolean pollObjects;

    private ObjectSet lastObjects;
    /** The last failure printed, so an unreachable source gives one line, not one per tick. */
    private String failing;

    /**
     * @param lastLoggedAtMillis when the agent last logged a transaction (0: not yet)
     * @param pollObjects        log object definitions when they changed (the DDL event triggers are not installed)
     */
    SequenceTicker(SourceConfig source, PrintStream out, LongSupplier lastLoggedAtMillis, boolean pollObjects) {
        this.source = source;
        this.out = out;
        this.lastLoggedAtMillis = lastLoggedAtMillis;
        this.pollObjects = pollObjects;
    }

    @Override
    public void tick() {
        try {
            boolean wrote = false;
            Map<String, String> definitions = catalog().sequenceDefinitions();
            if (!definitions.equals(lastDefinitions)) {
                emit(SequenceValues.DEFINITIONS_PREFIX, CaptureConsumer.json(definitions));
                lastDefinitions = definitions;
                wrote = true;
            }
            wrote |= pollObjects && recordObjects();
            Map<String, Long> now = catalog.sequences();
            if (!now.isEmpty() && !now.equals(last)) {
                emit(PREFIX, CaptureConsumer.json(now));
                last = now;
                wrote = true;
            }
            if (!wrote && idleForATick() && unconfirmedBytes() > HEARTBEAT_LAG_BYTES) {
                emit(HEARTBEAT_PREFIX, Instant.now().toString());
            }
            if (failing != null) {
                out.println("sequence values recorded again");
                failing = null;
            }
        } catch (RuntimeException e) {
            String why = Agent.rootMessage(e);
            if (!why.equals(failing)) {
                out.println("sequence values not recorded until the source answers again: " + why);
            }
            failing = why;
            close();
        }
    }

    /** Logs the object definitions that changed since the last tick (all of them on the first); true when it wrote. */
    private boolean recordObjects() {
        ObjectSet now = catalog().objects(source.tablesInclude(), source.tablesExclude());
        String message = ObjectSet.changeMessage(lastObjects, now);
        if (message != null) {
            emit(ObjectSet.PREFIX, message);
        }
        lastObjects = now;
        return message != null;
    }

    /** The ticker's own connection to the source, opened again after a failure closed it. */
    private PostgresCatalog catalog() {
        if (catalog == null) {
            catalog = PostgresCatalog.connect(source.url(), source.user(), source.password());
        }
        return catalog;
    }

    private void emit(String prefix, String content) {
        catalog()
                .one("SELECT pg_logical_emit_message(true, " + PostgresCatalog.literal(prefix) + ", "
                        + PostgresCatalog.literal(content) + ")::text");
    }

    /** No transaction logged for a heartbeat interval: a busy agent confirms its slot with every batch anyway. */
    private boolean idleForATick() {
        return System.currentTimeMillis() - lastLoggedAtMillis.getAsLong()
                >= source.heartbeatInterval().toMillis();
    }

    /** WAL written since the slot's confirmed position; 0 when the slot is not there (yet). */
    private long unconfirmedBytes() {
        long[] wal = slotWal();
        return wal == null ? 0 : wal[1];
    }

    /** {WAL the slot holds, WAL written since its confirmed position} in bytes, or null when the slot is not there. */
    private long[] slotWal() {
        String row = catalog()
                .one("SELECT coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::bigint || ' ' ||"
                        + " coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn), 0)::bigint "
                        + "FROM pg_replication_slots WHERE slot_name = "
                        + PostgresCatalog.literal(source.slot()));
        if (row == null) {
            return null;
        }
        String[] f = row.split(" ");
        return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
    }

    /**
     * The WAL the slot holds on the source and how much of it the agent has not confirmed yet, with a
     * warning past {@code warningBytes}; "" when the source cannot be asked. Same thread as {@link #tick}.
     */
    @Override
    public String statusPart(long warningBytes) {
        try {
            long[] wal = slotWal();
            if (wal == null) {
                throw new IllegalStateException("slot " + source.slot() + " is not on the source");
            }
            long retained = wal[0], unconfirmed = wal[1];
            String line = String.format(
                    "; slot %s holds %.1f MB of WAL, %.1f MB not yet confirmed",
                    source.slot(), retained / 1048576.0, unconfirmed / 1048576.0);
            if (retained > warningBytes) {
                line += String.format(
                        "%nwarning: slot %s holds %d MB of WAL on the source (more than agent.wal-warning-mb "
                                + "%d): the agent is behind or stalled;"
                                + " check its log, or the source fills its disk",
                        source.slot(), retained >> 20, warningBytes >> 20);
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
