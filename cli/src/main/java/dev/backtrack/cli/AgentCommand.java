package dev.backtrack.cli;

import dev.backtrack.agent.Agent;
import dev.backtrack.config.BacktrackConfig;
import dev.backtrack.config.ConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** {@code backtrack agent --config FILE}: capture until SIGTERM/SIGINT. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Capture the source into the repository until stopped (SIGTERM or Ctrl-C).")
final class AgentCommand implements Runnable {
    @Option(names = "--config", required = true, description = "backtrack.yaml")
    Path config;

    @Override
    public void run() {
        BacktrackConfig cfg = ConfigLoader.load(config);
        Agent agent = new Agent(cfg, System.out);
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            System.out.println("stopping: finishing the batch in progress");
            agent.stop();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "backtrack-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            agent.run();
        } finally {
            done.countDown();
        }
        System.out.println("stopped cleanly");
    }
}
