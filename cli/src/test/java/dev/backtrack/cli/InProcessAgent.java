package dev.backtrack.cli;

import dev.backtrack.agent.Agent;
import dev.backtrack.config.BacktrackConfig;
import dev.backtrack.config.ConfigLoader;
import dev.backtrack.repository.Repository;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/** The agent on a thread of the test's JVM, its output kept, its failure reported to the test. */
final class InProcessAgent {
    final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final Path config;
    private final Path repository;
    private final String name;
    private Agent agent;
    private Thread thread;

    InProcessAgent(Path config, Path repository, String name) {
        this.config = config;
        this.repository = repository;
        this.name = name;
    }

    /** Starts the agent and waits (up to 60 s) for the repository's first checkpoint. */
    void start() throws InterruptedException {
        BacktrackConfig cfg = ConfigLoader.load(config);
        agent = new Agent(cfg, new PrintStream(output, true));
        thread = new Thread(
                () -> {
                    try {
                        agent.run();
                    } catch (RuntimeException e) {
                        failure.set(e);
                    }
                },
                "test-agent-" + name);
        thread.start();
        for (int i = 0; i < 1200; i++) {
            failIfDied();
            if (Files.exists(repository.resolve(Repository.ROOT_FILE))
                    && !Repository.open(repository, cfg.repository().passphraseChars())
                            .checkpoints()
                            .isEmpty()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no checkpoint within 60 s; agent said:\n" + output);
    }

    void failIfDied() {
        if (failure.get() != null) {
            throw new AssertionError("agent failed: " + failure.get().getMessage() + "\n" + output, failure.get());
        }
    }

    void stop() throws InterruptedException {
        if (agent != null) {
            agent.stop();
            thread.join(60_000);
            agent = null;
        }
        failIfDied();
    }

    /** Waits (up to 60 s) until the agent has printed {@code part} at least {@code times} times. */
    void awaitSaid(String part, int times) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (said(part) < times) {
            failIfDied();
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "the agent did not say '" + part + "' " + times + " times in 60 s:\n" + output);
            }
            Thread.sleep(100);
        }
    }

    /** How many times the agent has printed {@code part}. */
    int said(String part) {
        String text = output.toString();
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }
}
