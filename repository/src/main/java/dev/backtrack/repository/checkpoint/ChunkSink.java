package dev.backtrack.repository.checkpoint;

import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.crypto.Sealer;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes one table's records, in key order, as chunks of about {@link #chunkBytes()} uncompressed
 * bytes, each published to the data store under its hash. Equal keys (tables without a primary key)
 * never straddle two chunks, so chunks can be loaded independently. Not thread-safe.
 */
final class ChunkSink {
    /** The work file name the chunks are written under before they are published ({@code stem.chunkN}). */
    private final Path stem;

    private final Path dataDir;
    private final int level;
    private final Sealer sealer;
    private final List<Path> created;
    private final List<Manifest.Chunk> chunks = new ArrayList<>();
    private DataOutputStream out;
    private Path current;
    private byte[] firstKey;
    private byte[] lastKey;
    private long rows;
    private long bytes;

    ChunkSink(Path stem, Path dataDir, int level, Sealer sealer) {
        this(stem, dataDir, level, sealer, new ArrayList<>());
    }

    /**
     * @param sealer  encrypts the chunks; null for a plain repository
     * @param created collects the data files this sink stored that were not stored before
     */
    ChunkSink(Path stem, Path dataDir, int level, Sealer sealer, List<Path> created) {
        this.stem = stem;
        this.dataDir = dataDir;
        this.level = level;
        this.sealer = sealer;
        this.created = created;
    }

    /**
     * Uncompressed bytes per chunk: 32 MiB, or the system property {@code backtrack.chunk-bytes} (tests use small
     * chunks).
     */
    static long chunkBytes() {
        return Long.getLong("backtrack.chunk-bytes", 32L << 20);
    }

    void add(byte[] key, byte[] row) throws IOException {
        open(key);
        RowFile.write(out, key, row);
        count(key, row == null ? 0 : row.length);
    }

    void addDelta(byte[] key, int copies, byte[] row) throws IOException {
        open(key);
        RowFile.writeDelta(out, key, copies, row);
        count(key, row == null ? 0 : row.length);
    }

    private void open(byte[] key) throws IOException {
        if (out != null && bytes >= chunkBytes() && !Arrays.equals(key, lastKey)) {
            close();
        }
        if (out == null) {
            current = stem.resolveSibling(stem.getFileName() + ".chunk" + chunks.size());
            out = RowFile.create(current, level, sealer);
            firstKey = key;
            rows = 0;
            bytes = 0;
        }
    }

    private void count(byte[] key, int rowBytes) {
        lastKey = key;
        rows++;
        bytes += 12 + key.length + rowBytes;
    }

    private void close() throws IOException {
        out.close();
        out = null;
        chunks.add(DataStore.publish(dataDir, current, rows, firstKey, created::add));
    }

    /** Publishes the last chunk; returns every chunk in key order. */
    List<Manifest.Chunk> finish() {
        try {
            if (out != null) {
                close();
            }
            return chunks;
        } catch (IOException e) {
            throw new RepositoryException(
                    "cannot write checkpoint data " + current + ": " + e.getMessage() + " (check free space)", e);
        }
    }
}
