package dev.backtrack.repository;

import dev.backtrack.config.Engine;

/**
 * The repository's root file {@code backtrack.repo}: format version, a random id, and the source it
 * protects, and whether its files are encrypted ({@code encryption}: "aes-256-gcm", or absent).
 * It stays plain, so a reader learns that it needs a key. A repository of another source or an
 * unknown format is refused.
 */
public record RepositoryIdentity(
        int format,
        String repositoryId,
        String engine,
        String systemIdentifier,
        String database,
        String created,
        String encryption) {
    public static final int FORMAT = 2;
    public static final String AES_256_GCM = "aes-256-gcm";

    /** The source's engine, from its name in the root file. */
    public Engine sourceEngine() {
        return Engine.of(engine);
    }

    public boolean encrypted() {
        return AES_256_GCM.equals(encryption);
    }
}
