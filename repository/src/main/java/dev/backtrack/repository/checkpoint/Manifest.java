package dev.backtrack.repository.checkpoint;

import java.util.List;
import java.util.Map;

/**
 * What a checkpoint holds and where it sits in the log: the state of every table as of source
 * position {@code position} and time {@code timeMicros}; the log from {@code nextSequence} on
 * continues it. {@code sourceOffset} is the engine offset to resume capture from this point.
 * {@code sequences} and {@code sequenceDefinitions} (name → CREATE SEQUENCE options) are as of that point.
 */
public record Manifest(int format, String id, String kind, long timeMicros, String time, long position,
                       String positionText, long nextSequence, String sourceOffset, List<TableEntry> tables,
                       Map<String, Long> sequences, Map<String, String> sequenceDefinitions, String checksum) {

    public static final int FORMAT = 1;

    /** One table's data file. {@code rows} counts rows, {@code sha256} covers the stored file bytes. */
    public record TableEntry(int schemaId, String table, long rows, String file, long bytes, String sha256) {
    }

    public Manifest withChecksum(String value) {
        return new Manifest(format, id, kind, timeMicros, time, position, positionText, nextSequence, sourceOffset,
                tables, sequences, sequenceDefinitions, value);
    }
}
