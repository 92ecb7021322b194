package dev.backtrack.repository.crypto;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.io.AtomicFiles;
import dev.backtrack.repository.io.OwnerOnly;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * restic-style keys: a random 256-bit master key encrypts the repository; each file in {@code keys/}
 * holds it wrapped (AES-256-GCM) under a key derived from a passphrase with PBKDF2-HMAC-SHA256 and
 * its own salt, so a passphrase can be added or changed without re-encrypting anything. Thread-safe.
 */
public final class RepositoryKeys {
    /** One wrapped copy of the master key. */
    public record KeyFile(String kdf, int iterations, String salt, String wrapped) {}

    public static final String DIR = "keys";
    static final String KDF = "PBKDF2WithHmacSHA256";
    /** OWASP's 2023 figure for PBKDF2-HMAC-SHA256; about 0.3 s here, once per opening of the repository. */
    static final int ITERATIONS = 600_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private RepositoryKeys() {}

    /** Makes a new master key for a new repository and wraps it under {@code passphrase}. */
    public static Sealer create(Path repository, char[] passphrase) {
        byte[] master = Sealer.randomBytes(32);
        add(repository, master, passphrase);
        return new Sealer(master);
    }

    /** Unwraps the master key with {@code passphrase}, trying each key file. */
    public static Sealer unlock(Path repository, char[] passphrase) {
        List<Path> files = keyFiles(repository);
        if (files.isEmpty()) {
            throw new RepositoryException("repository " + repository + " is marked encrypted but has no key in " + DIR
                    + "/: it is damaged; restore the key files from a copy");
        }
        for (Path f : files) {
            KeyFile k = read(f);
            try {
                return new Sealer(new Sealer(derive(passphrase, k))
                        .unwrap(Base64.getDecoder().decode(k.wrapped())));
            } catch (Sealer.WrongKey wrong) {
                // another key file may take this passphrase
            }
        }
        throw new KeyException("the passphrase does not open repository " + repository
                + ": give the right one (BACKTRACK_PASSPHRASE," + " --passphrase-file, or repository.passphrase)");
    }

    /**
     * Replaces {@code current} by {@code next}: a key file for {@code next} is written first, then the
     * files {@code current} opens are removed, so a crash in between leaves both working. No data is
     * re-encrypted. Returns how many old key files went.
     */
    public static int change(Path repository, char[] current, char[] next) {
        Sealer master = unlock(repository, current);
        List<Path> old = new ArrayList<>();
        for (Path f : keyFiles(repository)) {
            try {
                new Sealer(derive(current, read(f))).unwrap(Base64.getDecoder().decode(read(f).wrapped()));
                old.add(f);
            } catch (Sealer.WrongKey other) {
                // a key file of another passphrase stays
            }
        }
        Path added = add(repository, master.keyBytes(), next);
        try {
            for (Path f : old) {
                if (!f.equals(added)) {
                    Files.delete(f);
                }
            }
            AtomicFiles.syncDirectory(repository.resolve(DIR));
        } catch (IOException e) {
            throw new RepositoryException(
                    "the new passphrase works, but an old key file could not be removed (" + e.getMessage()
                            + "): delete it from " + DIR + "/ by hand",
                    e);
        }
        return old.size();
    }

    /** Wraps the master key under one more passphrase (the old ones keep working until their files are removed). */
    public static Path add(Path repository, byte[] master, char[] passphrase) {
        if (passphrase.length == 0) {
            throw new RepositoryException("an empty passphrase does not protect anything: give a real one");
        }
        byte[] salt = Sealer.randomBytes(16);
        KeyFile k = new KeyFile(KDF, ITERATIONS, Base64.getEncoder().encodeToString(salt), null);
        byte[] wrapped = new Sealer(derive(passphrase, k)).seal(master);
        k = new KeyFile(KDF, ITERATIONS, k.salt(), Base64.getEncoder().encodeToString(wrapped));
        Path dir = repository.resolve(DIR);
        try {
            OwnerOnly.createDirectories(dir);
            Path file = dir.resolve(UUID.randomUUID() + ".json");
            AtomicFiles.writePlain(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(k));
            return file;
        } catch (IOException e) {
            throw new RepositoryException("cannot write a key to " + dir + ": " + e.getMessage(), e);
        }
    }

    private static byte[] derive(char[] passphrase, KeyFile k) {
        if (!KDF.equals(k.kdf())) {
            throw new RepositoryException(
                    "key derivation '" + k.kdf() + "' is unknown to this build: use a Backtrack version that knows it");
        }
        try {
            return SecretKeyFactory.getInstance(KDF)
                    .generateSecret(
                            new PBEKeySpec(passphrase, Base64.getDecoder().decode(k.salt()), k.iterations(), 256))
                    .getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(KDF + " is not available in this JVM: " + e.getMessage(), e);
        }
    }

    private static KeyFile read(Path f) {
        try {
            return JSON.readValue(f.toFile(), KeyFile.class);
        } catch (IOException e) {
            throw new RepositoryException("key file " + f + " cannot be read ("
                    + e.getMessage().split("\n")[0] + "): restore it from a copy");
        }
    }

    private static List<Path> keyFiles(Path repository) {
        Path dir = repository.resolve(DIR);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new RepositoryException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
