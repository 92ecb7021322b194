package dev.backtrack.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The machine a part runs on: its load average, and how long an fsync'd append takes on the bench disk. */
final class Machine {
    private Machine() {}

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "0 0 0";
        }
    }

    static double fsyncMillis(Path dir) throws IOException {
        Path f = dir.resolve("fsync-probe");
        byte[] page = new byte[4096];
        int n = 100;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                ch.write(ByteBuffer.wrap(page));
                ch.force(false);
            }
            return (System.nanoTime() - t0) / 1e6 / n;
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
