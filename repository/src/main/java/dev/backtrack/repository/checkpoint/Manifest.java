package dev.backtrack.repository.checkpoint;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a checkpoint holds and where it sits in the log: the state of every table as of source
 * position {@code position} and time {@code timeMicros}; the log from {@code nextSequence} on
 * continues it. A full holds every row; a differential ({@code diff}) or incremental ({@code incr})
 * holds each table's net change since {@code parent} (the full, or the newest checkpoint), so it is
 * read on top of its parent's chain. {@code sourceOffset} is the engine offset to resume capture from
 * this point. {@code sequences} and {@code sequenceDefinitions} (name → CREATE SEQUENCE options) are as of that point.
 * {@code objects} is the data file of the source's object definitions at that point (views, functions,
 * triggers, ...: {@link dev.backtrack.repository.objects.ObjectSet}), or null in a checkpoint written
 * before they were kept; {@code objectCapture} says how they were followed ("event triggers": at
 * each DDL's position; "polled": read every heartbeat interval).
 */
public record Manifest(
        int format,
        String id,
        String kind,
        String parent,
        long timeMicros,
        String time,
        long position,
        String positionText,
        long nextSequence,
        String sourceOffset,
        List<TableEntry> tables,
        Map<String, Long> sequences,
        Map<String, String> sequenceDefinitions,
        @JsonInclude(JsonInclude.Include.NON_NULL) Chunk objects,
        @JsonInclude(JsonInclude.Include.NON_NULL) String objectCapture,
        String checksum) {

    public static final int FORMAT = 2;
    public static final String FULL = "full";
    public static final String DIFF = "diff";
    public static final String INCR = "incr";

    /**
     * One table: its version at the checkpoint and its data chunks in key order. In a full,
     * {@code rows} rows. In a delta, {@code rows} net states (changed keys); {@code versions} the
     * versions the table moved through since the parent, and {@code replaces} true when the parent's
     * rows no longer count (the table was truncated, rewritten, or is new). A delta's entry without
     * chunks, versions or {@code replaces} means the table did not change.
     */
    public record TableEntry(
            int schemaId, String table, long rows, List<Chunk> chunks, List<Integer> versions, boolean replaces) {
        @JsonIgnore
        public long bytes() {
            return chunks.stream().mapToLong(Chunk::bytes).sum();
        }
    }

    /**
     * One immutable data file, {@code data/<first two hex digits>/<sha256>}: named by the SHA-256 of
     * its stored bytes. {@code firstKey} (hex) is the key of its first record.
     */
    public record Chunk(String sha256, long rows, long bytes, String firstKey) {}

    @JsonIgnore
    public boolean delta() {
        return !FULL.equals(kind);
    }

    @JsonIgnore
    public long bytes() {
        return tables.stream().mapToLong(TableEntry::bytes).sum() + (objects == null ? 0 : objects.bytes());
    }

    /** Every data file the manifest names: its tables' chunks and the object definitions. */
    @JsonIgnore
    public List<Chunk> dataFiles() {
        List<Chunk> out = new ArrayList<>();
        tables.forEach(t -> out.addAll(t.chunks()));
        if (objects != null) {
            out.add(objects);
        }
        return out;
    }

    @JsonIgnore
    public long rows() {
        return tables.stream().mapToLong(TableEntry::rows).sum();
    }

    public Manifest withChecksum(String value) {
        return new Manifest(
                format,
                id,
                kind,
                parent,
                timeMicros,
                time,
                position,
                positionText,
                nextSequence,
                sourceOffset,
                tables,
                sequences,
                sequenceDefinitions,
                objects,
                objectCapture,
                value);
    }
}
