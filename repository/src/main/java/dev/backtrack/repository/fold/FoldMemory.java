package dev.backtrack.repository.fold;

import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.checkpoint.Checkpoints;
import dev.backtrack.repository.crypto.Sealer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The memory all tables of one fold may hold before the largest ones spill sorted runs to a
 * scratch directory (created on first spill, removed by {@link #close}). Not thread-safe.
 */
public final class FoldMemory implements AutoCloseable {
    private final long budget;
    private final Path parent;
    private long used;
    private Path dir;
    private int runs;
    private Sealer scratchKey;

    /** @param parent where the scratch directory goes (java.io.tmpdir when null) */
    public FoldMemory(long budgetBytes, Path parent) {
        this.budget = budgetBytes;
        this.parent = parent != null ? parent : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** A quarter of the heap: the rest is for loading, the checkpoint reader and the driver. */
    public static FoldMemory ofHeap() {
        return new FoldMemory(Runtime.getRuntime().maxMemory() / 4, null);
    }

    /**
     * Like {@link #ofHeap()}; runs of an encrypted repository's rows ({@code repositoryKey} not null) are
     * encrypted with a key of their own that lives only in this process.
     */
    public static FoldMemory ofHeap(Sealer repositoryKey) {
        FoldMemory m = ofHeap();
        if (repositoryKey != null) {
            m.scratchKey = Sealer.ephemeral();
        }
        return m;
    }

    /** The key scratch runs are encrypted with, or null when they stay plain. */
    Sealer scratchKey() {
        return scratchKey;
    }

    void add(long delta) {
        used += delta;
    }

    public boolean over() {
        return used > budget;
    }

    public long budget() {
        return budget;
    }

    public long used() {
        return used;
    }

    /** A fresh file for a sorted run. */
    Path nextRunFile() {
        try {
            if (dir == null) {
                dir = Files.createTempDirectory(parent, "backtrack-fold-");
            }
            return dir.resolve(String.format("run-%06d", ++runs));
        } catch (IOException e) {
            throw new RepositoryException(
                    "cannot create a scratch directory for the fold in " + parent + ": " + e.getMessage()
                            + " (set -Djava.io.tmpdir to a directory with free space)",
                    e);
        }
    }

    public int runs() {
        return runs;
    }

    @Override
    public void close() {
        if (dir != null) {
            Checkpoints.deleteTree(dir);
            dir = null;
        }
    }
}
