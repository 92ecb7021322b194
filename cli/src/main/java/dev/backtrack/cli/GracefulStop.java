package dev.backtrack.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * SIGTERM or Ctrl-C while a command works: the shutdown hook asks the work to stop ({@code onSignal}),
 * then holds the JVM until the command says it has ended ({@link #close}, from a finally block), at most
 * {@code patienceSeconds}, and runs {@code afterEnd}. One per command run.
 */
final class GracefulStop implements AutoCloseable {
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean signalled;

    GracefulStop(String name, Runnable onSignal, long patienceSeconds, Runnable afterEnd) {
        hook = new Thread(
                () -> {
                    signalled = true;
                    onSignal.run();
                    try {
                        ended.await(patienceSeconds, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    afterEnd.run();
                },
                name);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    GracefulStop(String name, Runnable onSignal, long patienceSeconds) {
        this(name, onSignal, patienceSeconds, () -> {});
    }

    /** Whether a signal asked the command to stop. */
    boolean signalled() {
        return signalled;
    }

    /**
     * After a signal, prints the command's error line itself and throws it as already printed: the JVM
     * halts as soon as the hook returns, maybe before Main would print it. Without a signal, returns.
     */
    void reportIfSignalled(Exception e, String line) {
        if (signalled) {
            System.err.println("backtrack: " + line);
            System.err.flush();
            throw new Main.Reported(e);
        }
    }

    /** The command has ended its work: a waiting hook lets the JVM go; without a signal the hook is removed. */
    @Override
    public void close() {
        ended.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it returns now
        }
    }
}
