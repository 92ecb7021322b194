package dev.backtrack.repository.crypto;

import dev.backtrack.repository.RepositoryException;

/** An encrypted repository without its key, or with a passphrase that does not open it. */
public final class KeyException extends RepositoryException {
    public KeyException(String message) {
        super(message);
    }
}
