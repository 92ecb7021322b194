package dev.backtrack.repository.history;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.crypto.Sealer;
import dev.backtrack.repository.io.AtomicFiles;
import dev.backtrack.repository.io.OwnerOnly;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The connector's own schema history (MariaDB/MySQL: every DDL statement with its binlog position,
 * which the connector replays to decode the binlog after a restart), kept in the repository as one
 * self-checked file per record, {@code source-history/<20-digit number>.json}, encrypted with the
 * repository. Records are opaque bytes here. Not thread-safe.
 */
public final class SourceHistory {
    public static final String DIR = "source-history";
    /** The history each capture run of this process lent its connector ({@link #lend}), by repository directory. */
    private static final Map<Path, SourceHistory> LENT = new ConcurrentHashMap<>();

    private final Path repository;
    private final Path dir;
    private final Sealer sealer;
    private long next;

    public SourceHistory(Repository repo) {
        this.repository = repo.path();
        this.dir = repo.path().resolve(DIR);
        this.sealer = repo.sealer();
        this.next = files(dir).size() + 1L;
    }

    /** A lent history, given back by closing. */
    public interface Loan extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Lends this history to the connector until the loan is closed: the connector instantiates its
     * schema history itself from text settings, so it cannot be handed the history (nor the key);
     * {@link #borrow} finds it by the repository directory. Only the capture run that holds the
     * repository's writer lock lends it.
     */
    public Loan lend() {
        Path key = key(repository);
        LENT.put(key, this);
        return () -> LENT.remove(key, this);
    }

    /** The history a capture run of this process lent for {@code repository}; refused when there is none. */
    public static SourceHistory borrow(Path repository) {
        SourceHistory lent = LENT.get(key(repository));
        if (lent == null) {
            throw new IllegalStateException(
                    "no capture run of this process lent the source schema history of " + repository);
        }
        return lent;
    }

    private static Path key(Path repository) {
        return repository.toAbsolutePath().normalize();
    }

    public boolean exists() {
        return Files.isDirectory(dir) && next > 1;
    }

    /** Appends one record durably. */
    public void append(byte[] record) {
        try {
            OwnerOnly.createDirectories(dir);
            AtomicFiles.writeChecked(dir.resolve(String.format("%020d.json", next)), record, sealer);
            next++;
        } catch (IOException e) {
            throw new RepositoryException(
                    "cannot write the source schema history in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Every record, oldest first. */
    public List<byte[]> records() {
        List<byte[]> out = new ArrayList<>();
        for (Path f : files(dir)) {
            try {
                out.add(AtomicFiles.readChecked(f, sealer));
            } catch (IOException | IllegalArgumentException e) {
                throw new RepositoryException(
                        "the source schema history record " + f + " is damaged (" + e.getMessage()
                                + "): restore it from a copy of the repository, or start a new repository",
                        e);
            }
        }
        return out;
    }

    /** Forgets every record in {@code repository} (no key needed): a new initial snapshot writes the history again. */
    public static void clear(Path repository) {
        Path dir = repository.resolve(DIR);
        try {
            for (Path f : files(dir)) {
                Files.delete(f);
            }
        } catch (IOException e) {
            throw new RepositoryException(
                    "cannot clear the source schema history in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("\\d{20}\\.json"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new RepositoryException("cannot list the source schema history in " + dir + ": " + e.getMessage(), e);
        }
    }
}
