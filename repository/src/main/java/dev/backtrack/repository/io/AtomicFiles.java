package dev.backtrack.repository.io;

import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.crypto.Sealer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;

/** Crash-safe file writes: temp name, fsync, rename, fsync of the directory. Thread-safe. */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes {@code content}, encrypted with {@code sealer}; null (a plain repository) writes it as it is. */
    public static void write(Path target, byte[] content, Sealer sealer) {
        writePlain(target, sealer == null ? content : sealer.seal(content));
    }

    /** Reads a whole small file written by {@link #write}, decrypting it with {@code sealer} unless that is null. */
    public static byte[] read(Path file, Sealer sealer) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return sealer == null ? bytes : sealer.open(bytes, file.toString());
    }

    /**
     * Writes {@code content} behind a line {@code sha256:<hex>} of its hash, so a changed byte is
     * found on reading also in a plain repository (encrypted, GCM authenticates it anyway).
     */
    public static void writeChecked(Path target, byte[] content, Sealer sealer) {
        write(target, withHash(content), sealer);
    }

    /** {@code content} behind its {@code sha256:<hex>} line. */
    public static byte[] withHash(byte[] content) {
        String line = "sha256:" + HexFormat.of().formatHex(sha256(content)) + "\n";
        byte[] head = line.getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(head, head.length + content.length);
        System.arraycopy(content, 0, all, head.length, content.length);
        return all;
    }

    /** Reads a file written by {@link #writeChecked}; a hash that does not match is damage, named with the file. */
    public static byte[] readChecked(Path file, Sealer sealer) throws IOException {
        return checkHash(file, read(file, sealer));
    }

    /** The content behind the hash line of {@code all} (read from {@code file}), checked. */
    public static byte[] checkHash(Path file, byte[] all) {
        if (all.length > 0 && all[0] == '{') {
            return all; // written before files carried their hash
        }
        int nl = 0;
        while (nl < all.length && all[nl] != '\n') {
            nl++;
        }
        String line = new String(all, 0, nl, StandardCharsets.US_ASCII);
        byte[] content = Arrays.copyOfRange(all, Math.min(all.length, nl + 1), all.length);
        if (!line.startsWith("sha256:")
                || !line.substring(7).equals(HexFormat.of().formatHex(sha256(content)))) {
            throw new RepositoryException(
                    file + " fails its SHA-256 check: the file is damaged; restore it from a copy of the repository"
                            + " (run 'backtrack verify' for the whole list)");
        }
        return content;
    }

    /** SHA-256 of {@code content}. */
    public static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code content} as it is: for the files that must stay readable without a key (root file, key files). */
    public static void writePlain(Path target, byte[] content) {
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(temp);
            try (FileChannel ch = FileChannel.open(
                    temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OwnerOnly.file())) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            move(temp, target);
        } catch (IOException e) {
            throw new RepositoryException(
                    "cannot write " + target + ": " + e.getMessage() + " (check free space and permissions)", e);
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
