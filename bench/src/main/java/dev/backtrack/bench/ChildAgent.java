package dev.backtrack.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/backtrack agent --config F}, as a user starts it (its JVM options, or
 * {@code BACKTRACK_JAVA_OPTS} when set): its memory is its own and can be read from /proc.
 */
final class ChildAgent implements AutoCloseable {
    private final Process process;
    private final Path output;
    private final String javaOptions;

    private ChildAgent(Process process, Path output, String javaOptions) {
        this.process = process;
        this.output = output;
        this.javaOptions = javaOptions;
    }

    static ChildAgent start(Path config, Path output) throws IOException {
        Path command = Path.of("bin", "backtrack").toAbsolutePath();
        if (!Files.isExecutable(command)) {
            throw new IllegalStateException(
                    command + " is missing: run the benchmark from the project's root (bench/run does)");
        }
        // bin/backtrack execs java, so the process started here is the agent's JVM
        Process p = new ProcessBuilder(command.toString(), "agent", "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                .start();
        String options = System.getenv("BACKTRACK_JAVA_OPTS");
        return new ChildAgent(
                p,
                output,
                options == null
                        ? "bin/backtrack's default for the agent (-Xmx256m -XX:+ExitOnOutOfMemoryError)"
                        : "BACKTRACK_JAVA_OPTS=\"" + options + "\"");
    }

    String javaOptions() {
        return javaOptions;
    }

    long pid() {
        return process.pid();
    }

    /** Fails with the agent's last output when it has ended. */
    void checkAlive() throws IOException {
        if (!process.isAlive()) {
            throw new IllegalStateException("the agent ended with exit " + process.exitValue() + ":\n" + tail());
        }
    }

    /** Waits until {@code c} holds; fails when the agent ended or {@code waitNanos} passed. */
    void waitFor(String what, Condition c, long waitNanos) throws Exception {
        long deadline = System.nanoTime() + waitNanos;
        while (!c.met()) {
            checkAlive();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " did not finish within " + waitNanos / 60_000_000_000L
                        + " minutes; the agent said:\n" + tail());
            }
            Thread.sleep(20);
        }
    }

    /** Resident memory now, in bytes (VmRSS). */
    long rssBytes() {
        return status("VmRSS:");
    }

    /** The kernel's high-water mark of resident memory since the process started, in bytes (VmHWM). */
    long peakRssBytes() {
        return status("VmHWM:");
    }

    /** User plus system CPU seconds of the agent's JVM so far. */
    double cpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (IOException | RuntimeException gone) {
            return -1;
        }
    }

    private long status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException gone) {
            // ended
        }
        return -1;
    }

    String tail() throws IOException {
        List<String> lines = Files.readAllLines(output);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }

    /** The last status line the agent printed ("logged ..."), for the report. */
    String lastStatus() throws IOException {
        List<String> lines = Files.readAllLines(output);
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith("logged ")) {
                return lines.get(i);
            }
        }
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    /** SIGTERM, as a service manager stops it; returns the exit code. */
    int stop() throws InterruptedException, IOException {
        process.destroy();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("the agent did not stop within 2 minutes of SIGTERM:\n" + tail());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
