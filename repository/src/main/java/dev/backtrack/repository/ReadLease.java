package dev.backtrack.repository;

import dev.backtrack.repository.io.FileLocks;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The lock between readers (restore, verify: shared) and expire (exclusive) on {@code read.lock}, so
 * a checkpoint is never removed under a restore reading it. POSIX locks cannot be shared twice by one
 * process, so readers within this JVM share one lock and count. Close to release. Thread-safe.
 */
public final class ReadLease implements AutoCloseable {
    private static final String FILE = "read.lock";
    private static final Map<Path, Holder> HELD = new HashMap<>();

    private static final class Holder {
        FileChannel channel;
        int readers;
        boolean exclusive;
    }

    private final Path key;
    private boolean closed;

    private ReadLease(Path key) {
        this.key = key;
    }

    /** Shared: refused while an expire is removing files. */
    public static ReadLease reader(Path repo) {
        return take(
                repo,
                false,
                "repository " + repo
                        + " is being expired (old checkpoints are being removed): run this again when the "
                        + "expire is done");
    }

    /** Exclusive: refused while a restore or verify reads. */
    public static ReadLease expirer(Path repo) {
        return take(
                repo,
                true,
                "repository " + repo + " is being read by a restore or verify: expire again when it is done");
    }

    private static ReadLease take(Path repo, boolean exclusive, String busy) {
        if (!Files.exists(repo.resolve(Repository.ROOT_FILE))) {
            // not a repository: opening it names the problem, and nothing is written here
            return new ReadLease(null);
        }
        synchronized (HELD) {
            Path file = repo.resolve(FILE);
            Path key;
            try {
                key = repo.toRealPath().resolve(FILE);
            } catch (IOException e) {
                throw new RepositoryException("cannot lock " + file + ": " + e.getMessage(), e);
            }
            Holder h = HELD.get(key);
            if (h != null) {
                if (exclusive || h.exclusive) {
                    throw new LockedException(busy);
                }
                h.readers++;
                return new ReadLease(key);
            }
            try {
                FileChannel ch = FileLocks.lock(file, !exclusive, busy);
                h = new Holder();
                h.channel = ch;
                h.readers = 1;
                h.exclusive = exclusive;
                HELD.put(key, h);
                return new ReadLease(key);
            } catch (FileSystemException e) {
                if (!exclusive && !Files.isWritable(repo)) {
                    // a read-only copy of a repository: nothing can expire it either
                    return new ReadLease(null);
                }
                throw new RepositoryException("cannot lock " + file + ": " + e.getMessage(), e);
            } catch (IOException e) {
                throw new RepositoryException("cannot lock " + file + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() {
        synchronized (HELD) {
            if (closed || key == null) {
                return;
            }
            closed = true;
            Holder h = HELD.get(key);
            if (h != null && --h.readers == 0) {
                HELD.remove(key);
                try {
                    h.channel.close();
                } catch (IOException ignored) {
                    // closing the channel drops the lock; the process exit would too
                }
            }
        }
    }
}
