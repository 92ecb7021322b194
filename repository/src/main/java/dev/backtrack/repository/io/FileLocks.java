package dev.backtrack.repository.io;

import dev.backtrack.repository.LockedException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * Whole-file POSIX locks on the repository's lock files, created readable by the owner only. Thread-safe (stateless).
 */
public final class FileLocks {
    private FileLocks() {}

    /**
     * Locks {@code file} (created when missing) without waiting; the lock lasts until the returned
     * channel is closed or the process ends. Refused with {@code busy} when another holder has it.
     */
    public static FileChannel lock(Path file, boolean shared, String busy) throws IOException {
        FileChannel ch = FileChannel.open(
                file,
                Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
                OwnerOnly.file());
        FileLock lock;
        try {
            lock = ch.tryLock(0, Long.MAX_VALUE, shared);
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            throw new LockedException(busy);
        }
        return ch;
    }
}
