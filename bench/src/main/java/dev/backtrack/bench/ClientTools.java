package dev.backtrack.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The database servers' client programs (mariadb, mariadb-dump, mariadb-binlog) run to completion, from and to files or
 * piped.
 */
final class ClientTools {
    private ClientTools() {}

    /**
     * Runs a client tool with stdin from / stdout to a file (either may be null); fails when it fails. Its stderr goes
     * to {@code work}.
     */
    static void run(Path work, List<String> cmd, Path in, Path out) throws IOException, InterruptedException {
        Path err = work.resolve("tool.err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
        if (in != null) {
            pb.redirectInput(in.toFile());
        }
        pb.redirectOutput(out != null ? ProcessBuilder.Redirect.to(out.toFile()) : ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + String.join(" ", cmd));
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(
                    String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + Files.readString(err));
        }
    }

    /**
     * Runs {@code from | to} (stdout of the first into the second, the second's output discarded); fails when either
     * fails. Their stderr goes to {@code work}.
     */
    static void pipe(Path work, List<String> from, List<String> to) throws IOException, InterruptedException {
        Path err1 = work.resolve("pipe-1.err");
        Path err2 = work.resolve("pipe-2.err");
        List<Process> ps = ProcessBuilder.startPipeline(List.of(
                new ProcessBuilder(from).redirectError(err1.toFile()),
                new ProcessBuilder(to).redirectError(err2.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        for (Process p : ps) {
            if (!p.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                ps.forEach(Process::destroyForcibly);
                throw new IllegalStateException("timed out: " + String.join(" ", from) + " | " + String.join(" ", to));
            }
        }
        if (ps.get(0).exitValue() != 0 || ps.get(1).exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", from) + " (exit "
                    + ps.get(0).exitValue() + ": " + Files.readString(err1) + ") | " + String.join(" ", to) + " (exit "
                    + ps.get(1).exitValue() + ": " + Files.readString(err2) + ") failed");
        }
    }
}
