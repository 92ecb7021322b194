package dev.backtrack.repository;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.config.Engine;
import dev.backtrack.repository.checkpoint.Checkpoints;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.crypto.KeyException;
import dev.backtrack.repository.crypto.RepositoryKeys;
import dev.backtrack.repository.crypto.Sealer;
import dev.backtrack.repository.io.AtomicFiles;
import dev.backtrack.repository.io.FileLocks;
import dev.backtrack.repository.io.OwnerOnly;
import dev.backtrack.repository.redolog.LogCursor;
import dev.backtrack.repository.redolog.LogSummary;
import dev.backtrack.repository.redolog.RedoLog;
import dev.backtrack.repository.schema.SchemaHistory;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A repository directory: {@code backtrack.repo}, {@code log/}, {@code checkpoints/}, {@code schemas/}
 * (docs/FORMAT.md). Readers may open it while the agent writes. An encrypted repository's key lives
 * only in the instance opened with its passphrase ({@link #sealer}), which hands it to the readers and
 * writers of its files. Thread-safe.
 */
public final class Repository {
    public static final String ROOT_FILE = "backtrack.repo";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Writer locks this JVM holds, by lock file (real path); an entry whose channel is closed is stale. */
    private static final Map<Path, FileChannel> HELD_LOCKS = new HashMap<>();

    private final Path path;
    private final RepositoryIdentity identity;
    /** The key every file below {@link #path} is encrypted with; null for a plain repository. */
    private final Sealer sealer;

    private final SchemaHistory schemas;

    private Repository(Path path, RepositoryIdentity identity, Sealer sealer) {
        this.path = path;
        this.identity = identity;
        this.sealer = sealer;
        this.schemas = new SchemaHistory(path.resolve("schemas"), sealer);
    }

    /** Opens an existing plain repository for reading; an encrypted one needs {@link #open(Path, char[])}. */
    public static Repository open(Path path) {
        return open(path, null);
    }

    /**
     * Opens an existing repository for reading, holding the key {@code passphrase} unwraps when it is
     * encrypted; a plain one needs no passphrase and ignores it. Without one, an encrypted repository
     * is refused.
     */
    public static Repository open(Path path, char[] passphrase) {
        Path root = path.resolve(ROOT_FILE);
        if (!Files.isRegularFile(root)) {
            throw new RepositoryException(path + " is not a Backtrack repository (no " + ROOT_FILE
                    + "): check --repo, or start the agent to create one");
        }
        RepositoryIdentity id = readIdentity(root);
        if (!id.encrypted()) {
            return new Repository(path, id, null);
        }
        if (passphrase == null) {
            throw new KeyException("repository " + path
                    + " is encrypted: give its passphrase with BACKTRACK_PASSPHRASE or --passphrase-file FILE");
        }
        return new Repository(path, id, RepositoryKeys.unlock(path, passphrase));
    }

    /**
     * Opens the repository for the agent, creating it when the directory is empty or missing, and
     * refusing one that belongs to another source.
     */
    public static Repository openOrCreate(Path path, Engine engine, String systemIdentifier, String database) {
        return openOrCreate(path, engine, systemIdentifier, database, null);
    }

    /**
     * @param passphrase null for a plain repository; otherwise a new repository is encrypted with a
     *                   master key wrapped under it, and an existing one must be encrypted and open with it
     */
    public static Repository openOrCreate(
            Path path, Engine engine, String systemIdentifier, String database, char[] passphrase) {
        Path root = path.resolve(ROOT_FILE);
        Sealer created = Files.exists(root) ? null : create(path, engine, systemIdentifier, database, passphrase);
        RepositoryIdentity id = readIdentity(root);
        if (id.encrypted() && passphrase == null) {
            throw new KeyException("repository " + path
                    + " is encrypted: set repository.passphrase (or repository.passphrase-file) to its passphrase");
        }
        if (!id.encrypted() && passphrase != null) {
            throw new RepositoryException("repository " + path
                    + " was created without encryption, and plain and encrypted files are never mixed:"
                    + " point repository.path at a new directory to encrypt, or remove the passphrase");
        }
        // a repository made just now has its key at hand already
        Sealer sealer = id.encrypted() && created == null ? RepositoryKeys.unlock(path, passphrase) : created;
        if (!id.engine().equals(engine.id())
                || !id.systemIdentifier().equals(systemIdentifier)
                || !id.database().equals(database)) {
            throw new RepositoryException("repository " + path + " belongs to " + id.engine() + " system "
                    + id.systemIdentifier() + " database '"
                    + id.database() + "', not to this source (" + engine + " system " + systemIdentifier + " database '"
                    + database
                    + "'): use another repository.path");
        }
        return new Repository(path, id, sealer);
    }

    /** Makes a new repository in an empty or missing directory; returns its key, or null when it is plain. */
    private static Sealer create(
            Path path, Engine engine, String systemIdentifier, String database, char[] passphrase) {
        try {
            if (Files.isDirectory(path)) {
                try (var entries = Files.list(path)) {
                    if (entries.anyMatch(p -> !p.getFileName().toString().equals("agent.lock"))) {
                        throw new RepositoryException(path + " is not empty and holds no " + ROOT_FILE
                                + ": point repository.path at an empty or new directory");
                    }
                }
            }
            OwnerOnly.createDirectories(path);
            // the key first: a root file that says "encrypted" always has a key beside it
            Sealer sealer = passphrase != null ? RepositoryKeys.create(path, passphrase) : null;
            RepositoryIdentity id = new RepositoryIdentity(
                    RepositoryIdentity.FORMAT,
                    UUID.randomUUID().toString(),
                    engine.id(),
                    systemIdentifier,
                    database,
                    Instant.now().toString(),
                    passphrase != null ? RepositoryIdentity.AES_256_GCM : null);
            AtomicFiles.writePlain(
                    path.resolve(ROOT_FILE),
                    AtomicFiles.withHash(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(id)));
            return sealer;
        } catch (IOException e) {
            throw new RepositoryException("cannot create repository " + path + ": " + e.getMessage(), e);
        }
    }

    private static RepositoryIdentity readIdentity(Path root) {
        RepositoryIdentity id;
        try {
            id = JSON.readValue(AtomicFiles.checkHash(root, Files.readAllBytes(root)), RepositoryIdentity.class);
        } catch (IOException e) {
            throw new RepositoryException(root + " cannot be read ("
                    + e.getMessage().split("\n")[0] + "): the repository root file is damaged");
        }
        if (id.format() != RepositoryIdentity.FORMAT) {
            throw new RepositoryException(root + " has format version " + id.format() + ", this build supports "
                    + RepositoryIdentity.FORMAT + ": use a Backtrack version that supports it");
        }
        return id;
    }

    /**
     * Takes the writer's lock; held until the returned channel is closed (or the process dies).
     * A second agent on the same repository is refused.
     */
    public FileChannel lockForWriting() {
        return lock(
                "agent.lock",
                "repository " + path
                        + " is locked by another agent: stop that agent first, or use another repository.path");
    }

    /**
     * Takes the lock of whoever builds a checkpoint (the agent's scheduler or {@code backtrack
     * checkpoint}), so two never write at once; released when the channel is closed.
     */
    public FileChannel lockForCheckpoint() {
        return lock(
                "checkpoint.lock",
                "a checkpoint of " + path
                        + " is being written (by its agent or another command): try again when it is done");
    }

    private FileChannel lock(String name, String busy) {
        Path lockFile = path.resolve(name);
        synchronized (HELD_LOCKS) {
            try {
                // refuse a lock this JVM holds before opening the file again: closing any channel of a file drops
                // every POSIX lock the process has on it, so the refused attempt would free the lock for the holder
                Path key = path.toRealPath().resolve(name);
                FileChannel held = HELD_LOCKS.get(key);
                if (held != null && held.isOpen()) {
                    throw new LockedException(busy);
                }
                FileChannel ch = FileLocks.lock(lockFile, false, busy);
                HELD_LOCKS.put(key, ch);
                return ch;
            } catch (IOException e) {
                throw new RepositoryException("cannot lock " + lockFile + ": " + e.getMessage(), e);
            }
        }
    }

    public Path path() {
        return path;
    }

    public Path logDir() {
        return path.resolve("log");
    }

    public Path checkpointsDir() {
        return path.resolve("checkpoints");
    }

    /** Checkpoint data files, named by content ({@link dev.backtrack.repository.checkpoint.DataStore}). */
    public Path dataDir() {
        return path.resolve("data");
    }

    public RepositoryIdentity identity() {
        return identity;
    }

    /**
     * The key this repository's files are encrypted with, for every reader and writer of them; null
     * for a plain repository.
     */
    public Sealer sealer() {
        return sealer;
    }

    public SchemaHistory schemas() {
        return schemas;
    }

    public List<Manifest> checkpoints() {
        return Checkpoints.list(checkpointsDir(), sealer, false);
    }

    /** Reads logged transactions with sequence ≥ {@code fromSequence} ({@link RedoLog#read}). */
    public LogCursor readLog(long fromSequence) {
        return RedoLog.read(logDir(), sealer, fromSequence);
    }

    public LogSummary logSummary() {
        return LogSummary.of(logDir());
    }
}
