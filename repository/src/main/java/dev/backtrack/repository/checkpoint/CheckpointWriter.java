package dev.backtrack.repository.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.codec.ByteWriter;
import dev.backtrack.repository.codec.RowCodec;
import dev.backtrack.repository.io.AtomicFiles;
import dev.backtrack.repository.io.OwnerOnly;
import dev.backtrack.repository.schema.TableSchema;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds one checkpoint in {@code checkpoints/.partial-<id>/}; {@link #finish} fsyncs the data
 * files, then writes the manifest, then renames the directory to its id. A crash before the rename
 * leaves only a partial directory, which {@link Checkpoints} ignores and removes. Not thread-safe.
 */
public final class CheckpointWriter {
    private static final long SORT_BUDGET = 64L << 20;
    private final Path checkpointsDir;
    private final Path work;
    private final String id;
    private final int level;
    private final Map<Integer, TableSorter> tables = new LinkedHashMap<>();
    private final Map<Integer, TableSchema> schemas = new LinkedHashMap<>();
    private final Map<Integer, int[]> keys = new java.util.HashMap<>();
    private final ByteWriter scratch = new ByteWriter(1024);

    public CheckpointWriter(Path checkpointsDir, String id, int level) {
        this.checkpointsDir = checkpointsDir;
        this.id = id;
        this.level = level;
        this.work = checkpointsDir.resolve(".partial-" + id);
        // what a writer killed before it finished left behind (the caller holds the checkpoint lock)
        Checkpoints.deleteTree(work);
        try {
            OwnerOnly.createDirectories(work);
        } catch (IOException e) {
            throw new RepositoryException("cannot create " + work + ": " + e.getMessage(), e);
        }
    }

    public String id() {
        return id;
    }

    /** Lists a table in the checkpoint even when no row of it arrives. */
    public void declareTable(TableSchema schema) {
        schemas.putIfAbsent(schema.id(), schema);
        tables.computeIfAbsent(schema.id(), k -> new TableSorter(work, fileName(schema), SORT_BUDGET));
    }

    public void addRow(TableSchema schema, Object[] row) {
        declareTable(schema);
        scratch.reset();
        RowCodec.writeRow(scratch, row);
        tables.get(schema.id()).add(RowCodec.key(row, keys.computeIfAbsent(schema.id(), id -> schema.keyColumns())), scratch.toByteArray());
    }

    public long rows(TableSchema schema) {
        TableSorter s = tables.get(schema.id());
        return s == null ? 0 : s.rows();
    }

    /** Writes everything durably and publishes the checkpoint; returns its manifest. */
    public Manifest finish(String kind, long timeMicros, String time, long position, String positionText, long nextSequence,
                           String sourceOffset, Map<String, Long> sequences) {
        return finish(kind, timeMicros, time, position, positionText, nextSequence, sourceOffset, sequences, Map.of());
    }

    public Manifest finish(String kind, long timeMicros, String time, long position, String positionText, long nextSequence,
                           String sourceOffset, Map<String, Long> sequences, Map<String, String> sequenceDefinitions) {
        try {
            List<Manifest.TableEntry> entries = new ArrayList<>();
            for (Map.Entry<Integer, TableSorter> t : tables.entrySet()) {
                TableSchema schema = schemas.get(t.getKey());
                String file = fileName(schema) + ".rows";
                Path target = work.resolve(file);
                t.getValue().finish(target, level);
                try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                entries.add(new Manifest.TableEntry(schema.id(), schema.qualifiedName(), t.getValue().rows(), file,
                        Files.size(target), sha256(target)));
            }
            Manifest m = new Manifest(Manifest.FORMAT, id, kind, timeMicros, time, position, positionText, nextSequence,
                    sourceOffset, entries, new TreeMap<>(sequences), new TreeMap<>(sequenceDefinitions), null);
            m = m.withChecksum(Checkpoints.checksum(m));
            AtomicFiles.write(work.resolve(Checkpoints.MANIFEST), new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
            AtomicFiles.syncDirectory(work);
            AtomicFiles.move(work, checkpointsDir.resolve(id));
            return m;
        } catch (IOException e) {
            throw new RepositoryException("cannot write checkpoint " + id + " in " + work + ": " + e.getMessage() + " (check free space)", e);
        }
    }

    /** Removes the partial directory. */
    public void abandon() {
        Checkpoints.deleteTree(work);
    }

    private static String fileName(TableSchema s) {
        return (s.schema() + "." + s.table()).replaceAll("[^A-Za-z0-9._-]", "_") + "-" + s.id();
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
