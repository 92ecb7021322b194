package dev.backtrack.repository.checkpoint;

import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.io.AtomicFiles;
import dev.backtrack.repository.io.OwnerOnly;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The repository's checkpoint data files, {@code data/<ab>/<sha256>}: immutable, named by the SHA-256
 * of their stored bytes (after compression and encryption), so a file proves itself without the key
 * and checkpoints share the files of tables that did not change. Thread-safe (stateless).
 */
public final class DataStore {
    private DataStore() {}

    public static Path file(Path dataDir, String sha256) {
        return dataDir.resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    /**
     * Fsyncs a finished chunk, moves it to its content name (or drops it when that file exists) and fsyncs
     * the directory; {@code created} is told the data file when it was not stored before.
     */
    static Manifest.Chunk publish(Path dataDir, Path written, long rows, byte[] firstKey, Consumer<Path> created)
            throws IOException {
        try (FileChannel ch = FileChannel.open(written, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        String sha = sha256(written);
        long bytes = Files.size(written);
        Path target = file(dataDir, sha);
        if (Files.exists(target)
                && Files.size(target) == bytes
                && sha256(target).equals(sha)) {
            // the same bytes are stored already (a damaged copy would fail the hash and be replaced)
            Files.delete(written);
        } else {
            boolean fresh = !Files.exists(target);
            if (!Files.isDirectory(target.getParent())) {
                OwnerOnly.createDirectories(target.getParent());
                AtomicFiles.syncDirectory(dataDir);
            }
            if (fresh) {
                // told before the move: an interrupt in the directory's fsync after the rename must not leave the file
                // unnamed
                created.accept(target);
            }
            AtomicFiles.move(written, target);
        }
        return new Manifest.Chunk(
                sha, rows, bytes, HexFormat.of().formatHex(firstKey == null ? new byte[0] : firstKey));
    }

    /** Refuses a chunk whose size or SHA-256 differs from what the manifest says, naming the file. */
    public static void check(Path dataDir, Manifest.Chunk chunk) {
        Path f = file(dataDir, chunk.sha256());
        try {
            if (!Files.exists(f)) {
                throw new RepositoryException(
                        "checkpoint data file " + f + " is missing: the checkpoint is damaged, run 'backtrack verify'");
            }
            long size = Files.size(f);
            if (size != chunk.bytes()) {
                throw new RepositoryException(
                        "checkpoint data file " + f + " holds " + size + " bytes, its manifest says " + chunk.bytes()
                                + ": the checkpoint is damaged, run 'backtrack verify'");
            }
            if (!sha256(f).equals(chunk.sha256())) {
                throw new RepositoryException("checkpoint data file " + f
                        + " fails its SHA-256 check: the checkpoint is damaged, run 'backtrack verify'");
            }
        } catch (IOException e) {
            throw new RepositoryException("cannot read checkpoint data file " + f + ": " + e.getMessage(), e);
        }
    }

    /** Every stored data file, by name, with its size. */
    public static Map<String, Long> stored(Path dataDir) {
        Map<String, Long> out = new HashMap<>();
        if (!Files.isDirectory(dataDir)) {
            return out;
        }
        try (Stream<Path> walk = Files.walk(dataDir, 2)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.put(p.getFileName().toString(), Files.size(p));
            }
        } catch (IOException e) {
            throw new RepositoryException("cannot list " + dataDir + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Deletes the data files no manifest in {@code referenced} names (those of expired checkpoints
     * and of checkpoints a crash cut short); returns the bytes freed. Only under the checkpoint lock,
     * so no checkpoint is being written meanwhile.
     */
    public static long sweep(Path dataDir, Set<String> referenced) {
        long freed = 0;
        for (Map.Entry<String, Long> f : stored(dataDir).entrySet()) {
            if (!referenced.contains(f.getKey())) {
                try {
                    Files.deleteIfExists(file(dataDir, f.getKey()));
                    freed += f.getValue();
                } catch (IOException | StringIndexOutOfBoundsException e) {
                    throw new RepositoryException(
                            "cannot remove the unused data file " + f.getKey() + " from " + dataDir + ": "
                                    + e.getMessage(),
                            e);
                }
            }
        }
        return freed;
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of()
                    .formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
