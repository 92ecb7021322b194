package dev.backtrack.repository.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.crypto.Sealer;
import dev.backtrack.repository.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** Lists and validates the checkpoints of a repository by their manifests. Thread-safe (stateless). */
public final class Checkpoints {
    public static final String MANIFEST = "manifest.json";
    public static final String MANIFEST_COPY = "manifest.copy.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoints() {}

    /**
     * Published checkpoints, oldest first; partial directories left by a crash are removed when {@code clean}.
     *
     * @param sealer the repository's key, or null for a plain repository
     */
    public static List<Manifest> list(Path dir, Sealer sealer, boolean clean) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Manifest> out = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".partial-")) {
                    if (clean) {
                        deleteTree(p);
                    }
                    continue;
                }
                if (Files.isDirectory(p) && !name.startsWith(".")) {
                    out.add(readManifest(p, sealer));
                }
            }
        } catch (IOException e) {
            throw new RepositoryException("cannot list checkpoints in " + dir + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparingLong(Manifest::timeMicros).thenComparing(Manifest::id));
        return out;
    }

    /** The manifest, or its copy when the manifest itself is damaged or missing; refused when both are. */
    public static Manifest readManifest(Path checkpointDir, Sealer sealer) {
        try {
            return readManifestFile(checkpointDir.resolve(MANIFEST), sealer);
        } catch (RepositoryException first) {
            if (!Files.exists(checkpointDir.resolve(MANIFEST_COPY))) {
                throw first;
            }
            try {
                return readManifestFile(checkpointDir.resolve(MANIFEST_COPY), sealer);
            } catch (RepositoryException second) {
                throw first;
            }
        }
    }

    /** One manifest file, checked against its own checksum and format. */
    public static Manifest readManifestFile(Path file, Sealer sealer) {
        Manifest m;
        try {
            m = JSON.readValue(AtomicFiles.read(file, sealer), Manifest.class);
        } catch (IOException e) {
            throw new RepositoryException(
                    "checkpoint manifest " + file + " cannot be read ("
                            + String.valueOf(e.getMessage()).split("\n")[0]
                            + "): the checkpoint is damaged, run 'backtrack verify'",
                    e);
        }
        if (m.format() != Manifest.FORMAT) {
            throw new RepositoryException("checkpoint manifest " + file + " has format " + m.format()
                    + ", this build reads " + Manifest.FORMAT + ": use a Backtrack version that supports it");
        }
        if (!checksum(m).equals(m.checksum())) {
            throw new RepositoryException("checkpoint manifest " + file
                    + " fails its checksum: the checkpoint is damaged, run 'backtrack verify'");
        }
        return m;
    }

    /** SHA-256 of the manifest serialized with a null checksum. */
    static String checksum(Manifest m) {
        try {
            byte[] body = JSON.writeValueAsBytes(m.withChecksum(null));
            return HexFormat.of().formatHex(AtomicFiles.sha256(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new RepositoryException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }
}
