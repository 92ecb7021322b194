package dev.backtrack.repository.checkpoint;

import dev.backtrack.repository.io.AtomicFiles;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.codec.ByteReader;
import dev.backtrack.repository.codec.RowCodec;

import dev.backtrack.repository.model.Micros;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/** Lists, validates and reads the checkpoints of a repository. Thread-safe (stateless). */
public final class Checkpoints {
    private static final DateTimeFormatter LABEL = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    public static final String MANIFEST = "manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoints() {
    }

    /** Published checkpoints, oldest first; partial directories left by a crash are removed when {@code clean}. */
    public static List<Manifest> list(Path dir, boolean clean) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Manifest> out = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".partial-")) {
                    if (clean) {
                        deleteTree(p);
                    }
                    continue;
                }
                if (Files.isDirectory(p) && !name.startsWith(".")) {
                    out.add(readManifest(p));
                }
            }
        } catch (IOException e) {
            throw new RepositoryException("cannot list checkpoints in " + dir + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparingLong(Manifest::timeMicros).thenComparing(Manifest::id));
        return out;
    }

    public static Manifest readManifest(Path checkpointDir) {
        Path file = checkpointDir.resolve(MANIFEST);
        Manifest m;
        try {
            m = JSON.readValue(AtomicFiles.read(file), Manifest.class);
        } catch (IOException e) {
            throw new RepositoryException("checkpoint manifest " + file + " cannot be read (" + e.getMessage().split("\n")[0]
                    + "): the checkpoint is damaged, run 'backtrack verify'", e);
        }
        if (m.format() != Manifest.FORMAT) {
            throw new RepositoryException("checkpoint manifest " + file + " has format " + m.format() + ", this build reads " + Manifest.FORMAT
                    + ": use a Backtrack version that supports it");
        }
        if (!checksum(m).equals(m.checksum())) {
            throw new RepositoryException("checkpoint manifest " + file + " fails its checksum: the checkpoint is damaged, run 'backtrack verify'");
        }
        return m;
    }

    /** SHA-256 of the manifest serialized with a null checksum. */
    static String checksum(Manifest m) {
        try {
            byte[] body = JSON.writeValueAsBytes(m.withChecksum(null));
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Streams one table's rows in key order to {@code sink} (key bytes, decoded row), then checks the
     * file against the manifest's SHA-256 and row count.
     */
    public static void readRows(Path checkpointDir, Manifest.TableEntry table, BiConsumer<byte[], Object[]> sink) {
        Path file = checkpointDir.resolve(table.file());
        checkHash(checkpointDir, table);
        long n = 0;
        try (RowFile.Reader r = new RowFile.Reader(file)) {
            while (r.next()) {
                sink.accept(r.key, RowCodec.readRow(new ByteReader(r.row)));
                n++;
            }
        }
        if (n != table.rows()) {
            throw new RepositoryException("checkpoint data file " + file + " holds " + n + " rows, its manifest says " + table.rows()
                    + ": the checkpoint is damaged, run 'backtrack verify'");
        }
    }

    /** Checks a data file against the SHA-256 its manifest holds. */
    public static void checkHash(Path checkpointDir, Manifest.TableEntry table) {
        Path file = checkpointDir.resolve(table.file());
        try {
            String actual = CheckpointWriter.sha256(file);
            if (!actual.equals(table.sha256())) {
                throw new RepositoryException("checkpoint data file " + file + " fails its SHA-256 check: the checkpoint is damaged, run 'backtrack verify'");
            }
        } catch (IOException e) {
            throw new RepositoryException("cannot read checkpoint data file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * One table's rows in key order as an iterator (key, row), read and checked by a second thread so
     * decompression overlaps the consumer's work. Errors surface from {@code hasNext}.
     */
    public static Iterator<Map.Entry<byte[], Object[]>> rows(Path checkpointDir, Manifest.TableEntry table) {
        BlockingQueue<Object> queue = new ArrayBlockingQueue<>(4096);
        // the reader runs ahead by at most 4096 rows and about 16 MiB, so wide rows cannot fill the heap
        java.util.concurrent.Semaphore room = new java.util.concurrent.Semaphore(AHEAD_KIB);
        Object end = new Object();
        Thread reader = new Thread(() -> {
            try {
                readRows(checkpointDir, table, (k, r) -> {
                    int cost = (int) Math.min(AHEAD_KIB, Math.max(1, dev.backtrack.repository.model.RowSize.of(r) >> 10));
                    room.acquireUninterruptibly(cost);
                    put(queue, new Ahead(new AbstractMap.SimpleImmutableEntry<>(k, r), cost));
                });
                put(queue, end);
            } catch (RuntimeException e) {
                put(queue, e);
            }
        }, "backtrack-checkpoint-reader");
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
                        throw new RepositoryException("interrupted while reading " + checkpointDir.resolve(table.file()));
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
    private record Ahead(Map.Entry<byte[], Object[]> row, int cost) {
    }

    private static void put(BlockingQueue<Object> queue, Object item) {
        try {
            queue.put(item);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A label no checkpoint has yet: {@link #label}, or with {@code .2}, {@code .3} ... added when
     * checkpoints stand for the same second (labels have second precision, checkpoints microseconds).
     */
    public static String freeLabel(Path dir, long micros, String kind) {
        String label = label(micros, kind);
        String id = label;
        for (int n = 2; Files.exists(dir.resolve(id)); n++) {
            id = label + "." + n;
        }
        return id;
    }

    /** pgBackRest-style label from the checkpoint's time: {@code 20261124-103106F}. */
    public static String label(long micros, String kind) {
        return LABEL.format(Micros.toInstant(micros)) + kind;
    }

    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new RepositoryException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }
}
