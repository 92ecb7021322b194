package dev.backtrack.repository.io;

import dev.backtrack.repository.RepositoryException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Crash-safe file writes: temp name, fsync, rename, fsync of the directory. Thread-safe. */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes {@code content}, encrypted when the file lies in an unlocked encrypted repository. */
    public static void write(Path target, byte[] content) {
        dev.backtrack.repository.crypto.Sealer sealer = dev.backtrack.repository.crypto.Vault.of(target);
        writePlain(target, sealer == null ? content : sealer.seal(content));
    }

    /** Reads a whole small file written by {@link #write}, decrypting it in an encrypted repository. */
    public static byte[] read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        dev.backtrack.repository.crypto.Sealer sealer = dev.backtrack.repository.crypto.Vault.of(file);
        return sealer == null ? bytes : sealer.open(bytes, file.toString());
    }

    /** Writes {@code content} as it is: for the files that must stay readable without a key (root file, key files). */
    public static void writePlain(Path target, byte[] content) {
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(temp);
            try (FileChannel ch = FileChannel.open(temp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OwnerOnly.file())) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            move(temp, target);
        } catch (IOException e) {
            throw new RepositoryException("cannot write " + target + ": " + e.getMessage() + " (check free space and permissions)", e);
        }
    }

    /** Renames and then makes the rename durable. */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(to.toAbsolutePath().getParent());
    }

    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some filesystems refuse fsync on a directory; the rename itself is then the best we get
            if (!String.valueOf(e.getMessage()).contains("Is a directory")) {
                throw e;
            }
        }
    }
}
