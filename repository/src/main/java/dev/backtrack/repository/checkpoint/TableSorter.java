package dev.backtrack.repository.checkpoint;

import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.crypto.Sealer;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Sorts one table's rows by key (unsigned bytes) with bounded memory: rows are buffered up to a
 * budget, sorted and spilled as runs, then merged into the data file. Not thread-safe.
 */
final class TableSorter {
    private record Pair(byte[] key, byte[] row) {}

    private final Path workDir;
    private final String name;
    private final long budgetBytes;
    private final Sealer sealer;
    private final List<Pair> buffer = new ArrayList<>();
    private final List<Path> runs = new ArrayList<>();
    private long buffered;
    private long rows;

    /** @param sealer encrypts the runs; null for a plain repository */
    TableSorter(Path workDir, String name, long budgetBytes, Sealer sealer) {
        this.workDir = workDir;
        this.name = name;
        this.budgetBytes = budgetBytes;
        this.sealer = sealer;
    }

    void add(byte[] key, byte[] row) {
        buffer.add(new Pair(key, row));
        buffered += key.length + row.length + 48;
        rows++;
        if (buffered >= budgetBytes) {
            spill();
        }
    }

    long rows() {
        return rows;
    }

    /** Bytes held in memory (with an estimate of the JVM's overhead per row). */
    long buffered() {
        return buffered;
    }

    private void sortBuffer() {
        buffer.sort((a, b) -> Arrays.compareUnsigned(a.key, b.key));
    }

    /** Writes the buffered rows out as a sorted run (nothing when none are buffered). */
    void spill() {
        if (buffer.isEmpty()) {
            return;
        }
        sortBuffer();
        Path run = workDir.resolve(name + ".run" + runs.size());
        try (DataOutputStream out = RowFile.create(run, 1, sealer)) {
            for (Pair p : buffer) {
                RowFile.write(out, p.key, p.row);
            }
        } catch (IOException e) {
            throw new RepositoryException(
                    "cannot spill sort run " + run + ": " + e.getMessage() + " (check free space)", e);
        }
        runs.add(run);
        buffer.clear();
        buffered = 0;
    }

    /** Writes every row, sorted, to {@code out}, removing the runs. */
    void finish(ChunkSink out) throws IOException {
        if (runs.isEmpty()) {
            sortBuffer();
            for (Pair p : buffer) {
                out.add(p.key, p.row);
            }
        } else {
            if (!buffer.isEmpty()) {
                spill();
            }
            merge(out);
        }
        buffer.clear();
        for (Path run : runs) {
            Files.deleteIfExists(run);
        }
    }

    private void merge(ChunkSink out) throws IOException {
        PriorityQueue<RowFile.Reader> heads = new PriorityQueue<>((a, b) -> Arrays.compareUnsigned(a.key, b.key));
        List<RowFile.Reader> readers = new ArrayList<>();
        try {
            for (Path run : runs) {
                RowFile.Reader r = new RowFile.Reader(run, sealer);
                readers.add(r);
                if (r.next()) {
                    heads.add(r);
                }
            }
            while (!heads.isEmpty()) {
                RowFile.Reader r = heads.poll();
                out.add(r.key, r.row);
                if (r.next()) {
                    heads.add(r);
                }
            }
        } finally {
            readers.forEach(RowFile.Reader::close);
        }
    }
}
