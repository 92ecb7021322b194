package dev.backtrack.cli;

import dev.backtrack.agent.Agent;
import dev.backtrack.config.BacktrackConfig;
import dev.backtrack.config.ConfigLoader;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code backtrack agent --config FILE}: capture until SIGTERM/SIGINT. */
@Command(
        name = "agent",
        mixinStandardHelpOptions = true,
        description = "Capture the source into the repository until stopped (SIGTERM or Ctrl-C).")
final class AgentCommand implements Runnable {
    @Option(names = "--config", required = true, description = "backtrack.yaml")
    Path config;

    @Override
    public void run() {
        BacktrackConfig cfg = ConfigLoader.load(config);
        Agent agent = new Agent(cfg, System.out);
        AtomicInteger exit = new AtomicInteger(ExitCode.OK);
        GracefulStop stop = new GracefulStop(
                "backtrack-shutdown",
                () -> {
                    System.out.println("stopping: finishing the batch in progress");
                    agent.stop();
                },
                Long.MAX_VALUE,
                () -> {
                    System.out.flush();
                    // a requested stop that ended cleanly is a success, not "killed by SIGTERM" (143)
                    Runtime.getRuntime().halt(exit.get());
                });
        try {
            agent.run();
            System.out.println("stopped cleanly");
        } catch (RuntimeException e) {
            exit.set(ExitCode.of(e));
            throw e;
        } finally {
            stop.close();
        }
    }
}
