package dev.backtrack.config;

import java.nio.file.Path;

/** Where and how the repository is stored. */
public record RepositoryConfig(Path path, int compressionLevel, long segmentBytes, String passphrase) {

    /** Defaults for a repository opened without a configuration file (restore, backups). */
    public static RepositoryConfig at(Path path) {
        return new RepositoryConfig(path, 3, 64L << 20, null);
    }

    /** The passphrase as characters, or null when the repository is not to be encrypted. */
    public char[] passphraseChars() {
        return passphrase == null ? null : passphrase.toCharArray();
    }

    @Override
    public String toString() {
        // never print the passphrase
        return "RepositoryConfig[path=" + path + ", compressionLevel=" + compressionLevel + ", segmentBytes="
                + segmentBytes + ", encrypted=" + (passphrase != null) + "]";
    }
}
