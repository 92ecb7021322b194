package dev.backtrack.bench;

import dev.backtrack.agent.Agent;
import dev.backtrack.config.BacktrackConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** An agent in this JVM, on its own thread; its output is kept for the report. */
final class RunningAgent {
    private final Agent agent;
    private final Thread thread;
    final ByteArrayOutputStream said = new ByteArrayOutputStream();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    volatile boolean ended;

    private RunningAgent(BacktrackConfig config) {
        agent = new Agent(config, new PrintStream(said, true));
        thread = new Thread(
                () -> {
                    try {
                        agent.run();
                    } catch (Throwable t) {
                        failure.set(t);
                    } finally {
                        ended = true;
                    }
                },
                "bench-agent");
    }

    static RunningAgent start(BacktrackConfig config) {
        RunningAgent a = new RunningAgent(config);
        a.thread.start();
        return a;
    }

    void stop() throws InterruptedException {
        agent.stop();
        thread.join(TimeUnit.MINUTES.toMillis(2));
        if (failure.get() != null) {
            throw new IllegalStateException(
                    "the agent failed: " + failure.get() + "\nit said:\n" + said, failure.get());
        }
    }

    String lastLine() {
        String[] lines = said.toString().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (lines[i].startsWith("logged ")) {
                return lines[i];
            }
        }
        return lines[lines.length - 1];
    }

    /** Waits until {@code c} holds; fails (stopping the agent) when the agent ended or {@code waitNanos} passed. */
    void waitFor(String what, Condition c, long waitNanos) throws Exception {
        long deadline = System.nanoTime() + waitNanos;
        while (!c.met()) {
            if (ended) {
                throw new IllegalStateException(
                        "the agent ended during " + what + ": " + failure.get() + "\nit said:\n" + said, failure.get());
            }
            if (System.nanoTime() > deadline) {
                agent.stop();
                throw new IllegalStateException(what + " did not finish within " + waitNanos / 60_000_000_000L
                        + " minutes; the agent said:\n" + said);
            }
            Thread.sleep(20);
        }
    }
}
