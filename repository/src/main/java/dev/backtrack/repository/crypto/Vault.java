package dev.backtrack.repository.crypto;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keys this process has unlocked, by repository directory, so every reader and writer of a
 * file below it encrypts without the key being passed through each call. Thread-safe.
 */
public final class Vault {
    private static final Map<Path, Sealer> UNLOCKED = new ConcurrentHashMap<>();

    private Vault() {}

    public static void put(Path repository, Sealer sealer) {
        UNLOCKED.put(normal(repository), sealer);
    }

    public static void remove(Path repository) {
        UNLOCKED.remove(normal(repository));
    }

    /** The key of the repository that holds {@code file} (or is it), or null when that repository is not encrypted or not unlocked. */
    public static Sealer of(Path file) {
        if (UNLOCKED.isEmpty()) {
            return null;
        }
        for (Path p = normal(file); p != null; p = p.getParent()) {
            Sealer s = UNLOCKED.get(p);
            if (s != null) {
                return s;
            }
        }
        return null;
    }

    private static Path normal(Path p) {
        return p.toAbsolutePath().normalize();
    }
}
