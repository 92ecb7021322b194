package dev.backtrack.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run of a MariaDB client program from the machine's binaries ({@code mariadb}, {@code mariadb-dump},
 * {@code mariadb-binlog}), reading no option file, so a developer's {@code ~/.my.cnf} changes nothing.
 * Thread-safe (no state).
 */
final class MariaDbTool {
    static final int TIMEOUT_SECONDS = 300;

    private MariaDbTool() {}

    /** The argv of {@code tool} pointed at 127.0.0.1:{@code port} as root (no password), followed by {@code args}. */
    static List<String> remote(int port, String tool, String... args) {
        List<String> cmd = local(tool);
        cmd.addAll(List.of("--host=127.0.0.1", "--port=" + port, "--user=root"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The argv of {@code tool} connecting nowhere (mariadb-binlog reading files), followed by {@code args}. */
    static List<String> local(String tool, String... args) {
        List<String> cmd = new ArrayList<>(List.of(MariaDbServer.tool(tool).toString(), "--no-defaults"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs {@code argv} and returns its stdout; fails with its stderr when it exits non-zero. */
    static String output(List<String> argv) {
        Path out = tempFile();
        try {
            run(argv, Map.of(), null, out);
            return new String(Files.readAllBytes(out), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the output of " + argv.get(0) + ": " + e.getMessage(), e);
        } finally {
            delete(out);
        }
    }

    /**
     * Runs {@code argv} with {@code env} added to this process's environment, {@code stdin} (or nothing)
     * as its input and its output into {@code stdout}; fails with its stderr when it exits non-zero.
     */
    static void run(List<String> argv, Map<String, String> env, Path stdin, Path stdout) {
        Path err = tempFile();
        ProcessBuilder pb =
                new ProcessBuilder(argv).redirectOutput(stdout.toFile()).redirectError(err.toFile());
        pb.redirectInput(
                stdin == null
                        ? ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())
                        : ProcessBuilder.Redirect.from(stdin.toFile()));
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out after " + TIMEOUT_SECONDS + " s: " + String.join(" ", argv));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(
                        String.join(" ", argv) + (stdin == null ? "" : " < " + stdin) + " failed (" + p.exitValue()
                                + "): " + new String(Files.readAllBytes(err), StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + argv.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", argv), e);
        } finally {
            delete(err);
        }
    }

    private static Path tempFile() {
        try {
            return Files.createTempFile("backtrack-mariadb-tool-", ".txt");
        } catch (IOException e) {
            throw new IllegalStateException("cannot make a temp file: " + e.getMessage(), e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temp file left behind is harmless
        }
    }
}
