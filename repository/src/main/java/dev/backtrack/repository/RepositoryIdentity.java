package dev.backtrack.repository;

/**
 * The repository's root file {@code backtrack.repo}: format version, a random id, and the source it
 * protects. A repository of another source or an unknown format is refused.
 */
public record RepositoryIdentity(int format, String repositoryId, String engine, String systemIdentifier,
                                 String database, String created) {
    public static final int FORMAT = 1;
}
