package dev.backtrack.cli;

import dev.backtrack.repository.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code backtrack agent} in a child JVM, so a test can kill it with SIGKILL. */
final class AgentProcess {
    private final Process process;
    private final Path log;

    private AgentProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static AgentProcess start(Path config, Path log) throws IOException {
        return start(config, log, "-Xmx512m");
    }

    /** @param jvmOptions the child JVM's options, such as {@code -Xmx256m} */
    static AgentProcess start(Path config, Path log, String... jvmOptions) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "agent",
                "--config",
                config.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        return new AgentProcess(pb.start(), log);
    }

    /** Starts any {@code backtrack} command in a child JVM, so a test can kill it. */
    static AgentProcess startCommand(Path log, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(
                List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        return new AgentProcess(pb.start(), log);
    }

    /** Waits for the process to end by itself; returns its exit code (-1 after 10 minutes). */
    int waitFor() throws InterruptedException {
        return process.waitFor(10, TimeUnit.MINUTES) ? process.exitValue() : -1;
    }

    /** Runs another {@code backtrack} command in a child JVM with {@code heap} to its end; returns its exit code. */
    static int run(Path log, String heap, String... args) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(
                List.of(java, heap, "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then the exit code. */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }

    /** Waits until the repository holds its first checkpoint. */
    void awaitCheckpoint(Path repository) throws InterruptedException {
        for (int i = 0; i < 1200; i++) {
            if (Files.exists(repository.resolve(Repository.ROOT_FILE))
                    && !Repository.open(repository).checkpoints().isEmpty()) {
                return;
            }
            if (!isAlive()) {
                throw new AssertionError("agent died before checkpoint 0:\n" + output());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no checkpoint 0 within 60 s:\n" + output());
    }

    /** Waits (up to {@code seconds}) until every transaction the fixture's source committed so far is logged. */
    void awaitLogged(CaptureFixture f, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            try {
                f.awaitLogged();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline || !isAlive()) {
                    throw new AssertionError(e.getMessage() + "\nagent output:\n" + output(), e);
                }
            }
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }
}
