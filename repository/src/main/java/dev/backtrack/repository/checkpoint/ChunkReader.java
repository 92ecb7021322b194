package dev.backtrack.repository.checkpoint;

import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.codec.ByteReader;
import dev.backtrack.repository.codec.RowCodec;
import dev.backtrack.repository.crypto.Sealer;
import dev.backtrack.repository.fold.LookAhead;
import dev.backtrack.repository.fold.NetState;
import dev.backtrack.repository.fold.NetStates;
import dev.backtrack.repository.model.RowSize;
import dev.backtrack.repository.objects.ObjectDefinition;
import dev.backtrack.repository.objects.ObjectSet;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.function.BiConsumer;

/**
 * Reads a checkpoint's data files (chunks): rows of a full, net states of a delta, the object
 * definitions, each chunk checked against its SHA-256 and row count. Each method takes the
 * repository's key beside the data directory (null for a plain repository). Thread-safe (stateless).
 */
public final class ChunkReader {
    private ChunkReader() {}

    /**
     * Streams the rows of one table of a full, in key order, to {@code sink} (key bytes, decoded
     * row), checking each chunk's SHA-256 first and its row count after.
     */
    public static void readRows(
            Path dataDir, Sealer sealer, Manifest.TableEntry table, BiConsumer<byte[], Object[]> sink) {
        for (Manifest.Chunk c : table.chunks()) {
            readChunk(dataDir, sealer, c, false, (k, r) -> sink.accept(k, RowCodec.readRow(new ByteReader(r.row))));
        }
    }

    /** Reads and decodes every record of a chunk (full or delta): the SHA-256, the record count and every row. */
    public static void decodeChunk(Path dataDir, Sealer sealer, Manifest.Chunk chunk, boolean delta) {
        readChunk(dataDir, sealer, chunk, delta, (k, r) -> {
            if (r.row != null) {
                RowCodec.readRow(new ByteReader(r.row));
            }
        });
    }

    /** The object definitions a checkpoint stores (one record per object: its key, its definition as JSON). */
    public static ObjectSet objects(Path dataDir, Sealer sealer, Manifest.Chunk chunk) {
        List<ObjectDefinition> defs = new ArrayList<>();
        String where = DataStore.file(dataDir, chunk.sha256()).toString();
        readChunk(dataDir, sealer, chunk, false, (k, r) -> defs.add(ObjectSet.fromJson(r.row, where)));
        return new ObjectSet(defs);
    }

    /** Reads every record of a chunk (full or delta) through its SHA-256 and row count checks. */
    static void readChunk(
            Path dataDir, Sealer sealer, Manifest.Chunk chunk, boolean delta, BiConsumer<byte[], RowFile.Reader> sink) {
        DataStore.check(dataDir, chunk);
        Path file = DataStore.file(dataDir, chunk.sha256());
        long n = 0;
        try (RowFile.Reader r = new RowFile.Reader(file, sealer, delta)) {
            while (r.next()) {
                sink.accept(r.key, r);
                n++;
            }
        }
        if (n != chunk.rows()) {
            throw new RepositoryException(
                    "checkpoint data file " + file + " holds " + n + " records, its manifest says " + chunk.rows()
                            + ": the checkpoint is damaged, run 'backtrack verify'");
        }
    }

    /** A delta's table as net states in key order, read from its chunks on each {@link NetStates#read()}. */
    public static NetStates deltaStates(Path dataDir, Sealer sealer, Manifest.TableEntry table) {
        return () -> new LookAhead<>() {
            private final Iterator<Manifest.Chunk> chunks = table.chunks().iterator();
            private Manifest.Chunk chunk;
            private RowFile.Reader reader;
            private long n;

            @Override
            protected NetState advance() {
                while (true) {
                    if (reader != null && reader.next()) {
                        n++;
                        Object[] row = reader.row == null ? null : RowCodec.readRow(new ByteReader(reader.row));
                        return new NetState(reader.key, row, reader.row == null, reader.copies);
                    }
                    if (reader != null) {
                        reader.close();
                        if (n != chunk.rows()) {
                            throw new RepositoryException(
                                    "checkpoint data file " + DataStore.file(dataDir, chunk.sha256()) + " holds " + n
                                            + " records, its manifest says " + chunk.rows()
                                            + ": the checkpoint is damaged, run 'backtrack verify'");
                        }
                        reader = null;
                    }
                    if (!chunks.hasNext()) {
                        return null;
                    }
                    chunk = chunks.next();
                    DataStore.check(dataDir, chunk);
                    reader = new RowFile.Reader(DataStore.file(dataDir, chunk.sha256()), sealer, true);
                    n = 0;
                }
            }
        };
    }

    /**
     * One table's rows in key order as an iterator (key, row), read and checked by a second thread so
     * decompression overlaps the consumer's work. Errors surface from {@code hasNext}.
     */
    public static Iterator<Map.Entry<byte[], Object[]>> rows(Path dataDir, Sealer sealer, Manifest.TableEntry table) {
        BlockingQueue<Object> queue = new ArrayBlockingQueue<>(4096);
        // the reader runs ahead by at most 4096 rows and about 16 MiB, so wide rows cannot fill the heap
        Semaphore room = new Semaphore(AHEAD_KIB);
        Object end = new Object();
        Thread reader = new Thread(
                () -> {
                    try {
                        readRows(dataDir, sealer, table, (k, r) -> {
                            int cost = (int) Math.min(AHEAD_KIB, Math.max(1, RowSize.of(r) >> 10));
                            room.acquireUninterruptibly(cost);
                            put(queue, new Ahead(new AbstractMap.SimpleImmutableEntry<>(k, r), cost));
                        });
                        put(queue, end);
                    } catch (RuntimeException e) {
                        put(queue, e);
                    }
                },
                "backtrack-checkpoint-reader");
        reader.setDaemon(true);
        reader.start();
        return new Iterator<>() {
            private Object next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    try {
                        next = queue.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new RepositoryException(
                                "interrupted while reading the checkpoint rows of " + table.table());
                    }
                }
                if (next instanceof RuntimeException e) {
                    throw e;
                }
                if (next instanceof Ahead a) {
                    room.release(a.cost());
                    next = a.row();
                }
                return next != end;
            }

            @SuppressWarnings("unchecked")
            @Override
            public Map.Entry<byte[], Object[]> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Object n = next;
                next = null;
                return (Map.Entry<byte[], Object[]>) n;
            }
        };
    }

    private static final int AHEAD_KIB = 16 << 10;

    /** A row read ahead and the room (KiB) it takes until the consumer takes it. */
    private record Ahead(Map.Entry<byte[], Object[]> row, int cost) {}

    private static void put(BlockingQueue<Object> queue, Object item) {
        try {
            queue.put(item);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
