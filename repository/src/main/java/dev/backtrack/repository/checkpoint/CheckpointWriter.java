package dev.backtrack.repository.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.codec.ByteWriter;
import dev.backtrack.repository.codec.RowCodec;
import dev.backtrack.repository.crypto.Sealer;
import dev.backtrack.repository.fold.NetState;
import dev.backtrack.repository.io.AtomicFiles;
import dev.backtrack.repository.io.OwnerOnly;
import dev.backtrack.repository.objects.ObjectDefinition;
import dev.backtrack.repository.objects.ObjectSet;
import dev.backtrack.repository.schema.TableSchema;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds one checkpoint: data chunks go to the data store as they are finished (each fsync'd), the
 * manifest and its copy to {@code checkpoints/.partial-<id>/}; {@link #finish} then renames that
 * directory to its id. A crash before the rename leaves a partial directory, which {@link Checkpoints}
 * ignores and removes, and data files no manifest names, which retention sweeps. Not thread-safe.
 */
public final class CheckpointWriter {
    /** Rows held in memory across all tables of the checkpoint; past it the table holding the most is spilled. */
    private static final long SORT_BUDGET = 64L << 20;

    private final Path checkpointsDir;
    private final Path dataDir;
    private final Path work;
    private final String id;
    private final int level;
    private final Sealer sealer;
    private final Map<Integer, TableSchema> schemas = new LinkedHashMap<>();
    private final Map<Integer, TableSorter> sorters = new LinkedHashMap<>();
    private final Map<Integer, Manifest.TableEntry> written = new LinkedHashMap<>();
    private final Map<Integer, int[]> keys = new HashMap<>();
    // data files this checkpoint stored that were not stored before: no other manifest names them
    private final List<Path> created = new ArrayList<>();
    private final ByteWriter scratch = new ByteWriter(1024);
    private long buffered;
    private ObjectSet objects;
    private String objectCapture;

    /** @param sealer the repository's key, or null for a plain repository */
    public CheckpointWriter(Path checkpointsDir, Sealer sealer, String id, int level) {
        this.checkpointsDir = checkpointsDir;
        this.dataDir = checkpointsDir.resolveSibling("data");
        this.id = id;
        this.level = level;
        this.sealer = sealer;
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
        sorters.computeIfAbsent(schema.id(), k -> new TableSorter(work, fileName(schema), SORT_BUDGET, sealer));
    }

    public void addRow(TableSchema schema, Object[] row) {
        stopIfInterrupted();
        declareTable(schema);
        scratch.reset();
        RowCodec.writeRow(scratch, row);
        TableSorter sorter = sorters.get(schema.id());
        long before = sorter.buffered();
        sorter.add(
                RowCodec.key(row, keys.computeIfAbsent(schema.id(), id -> schema.keyColumns())), scratch.toByteArray());
        buffered += sorter.buffered() - before;
        if (buffered >= SORT_BUDGET) {
            // one budget for the whole checkpoint: tables already read must not each keep theirs until finish
            spillDownTo(SORT_BUDGET / 2);
        }
    }

    /**
     * Spills the tables holding the most until at most {@code bytes} stay buffered (half, so many small tables do not
     * spill per row).
     */
    private void spillDownTo(long bytes) {
        while (buffered > bytes) {
            TableSorter largest = sorters.values().stream()
                    .max(Comparator.comparingLong(TableSorter::buffered))
                    .orElseThrow();
            if (largest.buffered() == 0) {
                return;
            }
            buffered -= largest.buffered();
            largest.spill();
        }
    }

    /** Takes a table unchanged from an earlier full: the same chunks, nothing rewritten. */
    public void reuseTable(TableSchema schema, Manifest.TableEntry earlier) {
        schemas.putIfAbsent(schema.id(), schema);
        written.put(
                schema.id(),
                new Manifest.TableEntry(
                        schema.id(), schema.qualifiedName(), earlier.rows(), earlier.chunks(), List.of(), false));
    }

    /**
     * A delta checkpoint's table: its net states in key order, the versions it moved through since
     * the parent, and whether the parent's rows no longer count.
     */
    public void addStates(TableSchema schema, Iterator<NetState> states, List<Integer> versions, boolean replaces) {
        schemas.putIfAbsent(schema.id(), schema);
        ChunkSink sink = new ChunkSink(work.resolve(fileName(schema)), dataDir, level, sealer, created);
        long n = 0;
        try {
            while (states.hasNext()) {
                stopIfInterrupted();
                NetState st = states.next();
                byte[] row = null;
                if (st.row() != null) {
                    scratch.reset();
                    RowCodec.writeRow(scratch, st.row());
                    row = scratch.toByteArray();
                }
                // a deleted key carries no row; a keyless table's row always comes with its net copies
                sink.addDelta(st.key(), st.copies(), st.deleted() ? null : row);
                n++;
            }
        } catch (IOException e) {
            throw new RepositoryException(
                    "cannot write checkpoint " + id + " data for " + schema.qualifiedName() + ": " + e.getMessage()
                            + " (check free space)",
                    e);
        }
        written.put(
                schema.id(),
                new Manifest.TableEntry(schema.id(), schema.qualifiedName(), n, sink.finish(), versions, replaces));
    }

    /**
     * The source's object definitions at this checkpoint, stored as one data file when the
     * checkpoint is finished; {@code capture} says how they were followed.
     */
    public void objects(ObjectSet set, String capture) {
        this.objects = set;
        this.objectCapture = capture;
    }

    /** One record per object, in key order: the key, then the definition as JSON. */
    private Manifest.Chunk writeObjects() throws IOException {
        Path file = work.resolve("objects");
        try (DataOutputStream out = RowFile.create(file, level, sealer)) {
            for (ObjectDefinition d : objects.all()) {
                RowFile.write(out, d.key().getBytes(StandardCharsets.UTF_8), ObjectSet.toJson(d));
            }
        }
        return DataStore.publish(dataDir, file, objects.size(), null, created::add);
    }

    public long rows(TableSchema schema) {
        TableSorter s = sorters.get(schema.id());
        return s == null ? 0 : s.rows();
    }

    /** Writes a full durably and publishes it; returns its manifest. */
    public Manifest finishFull(CheckpointAt at) {
        return finish(Manifest.FULL, null, at);
    }

    /**
     * Writes the checkpoint durably and publishes it; returns its manifest.
     *
     * @param parent the checkpoint a delta is read on top of; null for a full
     */
    public Manifest finish(String kind, String parent, CheckpointAt at) {
        try {
            List<Manifest.TableEntry> entries = new ArrayList<>();
            for (TableSchema schema : schemas.values()) {
                Manifest.TableEntry done = written.get(schema.id());
                if (done == null) {
                    TableSorter sorter = sorters.get(schema.id());
                    ChunkSink sink = new ChunkSink(work.resolve(fileName(schema)), dataDir, level, sealer, created);
                    sorter.finish(sink);
                    done = new Manifest.TableEntry(
                            schema.id(), schema.qualifiedName(), sorter.rows(), sink.finish(), List.of(), false);
                }
                entries.add(done);
            }
            Manifest m = new Manifest(
                    Manifest.FORMAT,
                    id,
                    kind,
                    parent,
                    at.timeMicros(),
                    at.time(),
                    at.position(),
                    at.positionText(),
                    at.nextSequence(),
                    at.sourceOffset(),
                    entries,
                    new TreeMap<>(at.sequences()),
                    new TreeMap<>(at.sequenceDefinitions()),
                    objects == null ? null : writeObjects(),
                    objects == null ? null : objectCapture,
                    null);
            m = m.withChecksum(Checkpoints.checksum(m));
            byte[] json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(m);
            AtomicFiles.write(work.resolve(Checkpoints.MANIFEST), json, sealer);
            AtomicFiles.write(work.resolve(Checkpoints.MANIFEST_COPY), json, sealer);
            AtomicFiles.syncDirectory(work);
            stopIfInterrupted();
            Path published = checkpointsDir.resolve(id);
            try {
                AtomicFiles.move(work, published);
            } catch (ClosedByInterruptException e) {
                if (!Files.isDirectory(published)) {
                    throw e;
                }
                // interrupted after the rename, in the directory's fsync: the checkpoint exists, so finish making it
                // durable
                boolean interrupted = Thread.interrupted();
                AtomicFiles.syncDirectory(checkpointsDir);
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            return m;
        } catch (IOException e) {
            throw new RepositoryException(
                    "cannot write checkpoint " + id + " in " + work + ": " + e.getMessage() + " (check free space)", e);
        }
    }

    /**
     * Rolls back a checkpoint that was not published: removes the partial directory and the data files
     * this writer stored anew (under the checkpoint lock no other writer can have named them since).
     * Once the checkpoint directory exists, it is published and nothing is removed.
     */
    public void abandon() {
        Checkpoints.deleteTree(work);
        if (Files.exists(checkpointsDir.resolve(id))) {
            return;
        }
        for (Path file : created) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // left for the next expire's sweep, as after a crash
            }
        }
        created.clear();
    }

    /**
     * An interrupted writer (SIGTERM to the agent or to {@code backtrack checkpoint}) stops at the next row rather than
     * at its
     * next file write, which a read from the source or a merge in memory may not reach for a while; the caller then
     * abandons it.
     */
    private void stopIfInterrupted() {
        if (Thread.currentThread().isInterrupted()) {
            throw new RepositoryException("checkpoint " + id + " was interrupted before it was published");
        }
    }

    private static String fileName(TableSchema s) {
        return (s.schema() + "." + s.table()).replaceAll("[^A-Za-z0-9._-]", "_") + "-" + s.id();
    }
}
