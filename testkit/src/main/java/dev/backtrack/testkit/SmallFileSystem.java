package dev.backtrack.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A size-limited tmpfs mounted on a directory, for disk-full tests: {@link #fill} takes every free
 * byte with a ballast file, {@link #free} gives it back. Mounting needs root (CI runs as root).
 */
public final class SmallFileSystem implements AutoCloseable {
    private final Path dir;
    private final Path ballast;

    private SmallFileSystem(Path dir) {
        this.dir = dir;
        this.ballast = dir.resolve("ballast");
    }

    /** Whether this process may mount file systems (root on Linux). */
    public static boolean possible() {
        return "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/bin/mount"));
    }

    /** Mounts a tmpfs of {@code bytes} on {@code dir} (created if missing), owner-only like a repository. */
    public static SmallFileSystem mount(Path dir, long bytes) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        run(List.of("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0700", "tmpfs", dir.toString()));
        return new SmallFileSystem(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Writes a ballast file until the file system is full; returns its size. */
    public long fill() throws IOException {
        byte[] chunk = new byte[64 * 1024];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(ballast)) {
            for (int size = chunk.length; size > 0; ) {
                try {
                    out.write(chunk, 0, size);
                    out.flush();
                    written += size;
                } catch (IOException full) {
                    size /= 2; // fill the last pages too
                }
            }
        } catch (IOException closeOnFullDisk) {
            // the stream's last flush on close can fail as well: the ballast stays as written
        }
        return written;
    }

    /** Writes a ballast file of {@code bytes}, so that much less is free. */
    public void occupy(long bytes) throws IOException {
        try (OutputStream out = Files.newOutputStream(ballast)) {
            byte[] chunk = new byte[64 * 1024];
            for (long left = bytes; left > 0; left -= chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        }
    }

    /** Deletes the ballast: the space it held is free again. */
    public void free() throws IOException {
        Files.deleteIfExists(ballast);
    }

    /** Bytes free now. */
    public long freeBytes() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        // lazily: a test that failed may still hold files open in it
        run(List.of("umount", "-l", dir.toString()));
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output.strip());
        }
    }
}
