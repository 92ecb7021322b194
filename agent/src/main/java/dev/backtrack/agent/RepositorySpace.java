package dev.backtrack.agent;

import dev.backtrack.repository.RepositoryException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Appends to the log, waiting while the repository's file system is full: the batch is not
 * acknowledged meanwhile, so the source keeps its position (and its WAL or binlog) until space
 * returns. Other write failures are not waited out. Says when the wait begins and ends; the status
 * line says it meanwhile. Used by the engine's consumer thread; {@link #statusPart} from any thread.
 */
final class RepositorySpace {
    static final long FIRST_WAIT_MILLIS = 500, MAX_WAIT_MILLIS = 5_000;
    private final PrintStream out;
    private final Path repository;
    /** When the repository was found full (epoch millis), or 0. */
    private volatile long fullSinceMillis;

    RepositorySpace(PrintStream out, Path repository) {
        this.out = out;
        this.repository = repository;
    }

    /** Runs {@code append} until it succeeds, waiting (with backoff) while it fails for want of space. */
    <T> T appendWhenSpace(Supplier<T> append) throws InterruptedException {
        long wait = FIRST_WAIT_MILLIS;
        while (true) {
            try {
                T done = append.get();
                resumed();
                return done;
            } catch (RepositoryException e) {
                if (!isFull(e)) {
                    throw e;
                }
                if (fullSinceMillis == 0) {
                    fullSinceMillis = System.currentTimeMillis();
                    out.println("repository disk full at " + repository
                            + ": waiting for space; nothing is acknowledged to the source meanwhile, so it"
                            + " keeps its position (and its WAL or binlog); free space or grow the "
                            + "file system and capture resumes by itself");
                }
                Thread.sleep(wait);
                wait = Math.min(wait * 2, MAX_WAIT_MILLIS);
            }
        }
    }

    private void resumed() {
        long since = fullSinceMillis;
        if (since != 0) {
            fullSinceMillis = 0;
            out.printf(
                    Locale.ROOT,
                    "repository has space again after %.1f s: logging resumes where it stopped%n",
                    (System.currentTimeMillis() - since) / 1000.0);
        }
    }

    /** ENOSPC or a full quota anywhere in the cause chain. */
    static boolean isFull(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String m = c instanceof IOException ? String.valueOf(c.getMessage()) : "";
            if (m.contains("No space left on device") || m.contains("Disk quota exceeded")) {
                return true;
            }
        }
        return false;
    }

    /** ", repository disk full since 10:31:06 UTC (40 s), waiting for space" while waiting, else "". */
    String statusPart() {
        long since = fullSinceMillis;
        return since == 0 ? "" : ", repository disk full since " + CaptureStatus.since(since) + ", waiting for space";
    }
}
