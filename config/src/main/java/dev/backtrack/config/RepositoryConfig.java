package dev.backtrack.config;

import java.nio.file.Path;

/** Where and how the repository is stored. */
public record RepositoryConfig(Path path, int compressionLevel, long segmentBytes) {

    /** Defaults for a repository opened without a configuration file (restore, backups). */
    public static RepositoryConfig at(Path path) {
        return new RepositoryConfig(path, 3, 64L << 20);
    }
}
