package dev.backtrack.repository.history;

import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.io.AtomicFiles;
import dev.backtrack.repository.io.OwnerOnly;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The connector's own schema history (MariaDB/MySQL: every DDL statement with its binlog position,
 * which the connector replays to decode the binlog after a restart), kept in the repository as one
 * self-checked file per record, {@code source-history/<20-digit number>.json}, encrypted with the
 * repository. Records are opaque bytes here. Not thread-safe.
 */
public final class SourceHistory {
    public static final String DIR = "source-history";
    private final Path dir;
    private long next;

    public SourceHistory(Path repository) {
        this.dir = repository.resolve(DIR);
        this.next = files().size() + 1L;
    }

    public boolean exists() {
        return Files.isDirectory(dir) && next > 1;
    }

    /** Appends one record durably. */
    public void append(byte[] record) {
        try {
            OwnerOnly.createDirectories(dir);
            AtomicFiles.writeChecked(dir.resolve(String.format("%020d.json", next)), record);
            next++;
        } catch (IOException e) {
            throw new RepositoryException(
                    "cannot write the source schema history in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Every record, oldest first. */
    public List<byte[]> records() {
        List<byte[]> out = new ArrayList<>();
        for (Path f : files()) {
            try {
                out.add(AtomicFiles.readChecked(f));
            } catch (IOException | IllegalArgumentException e) {
                throw new RepositoryException(
                        "the source schema history record " + f + " is damaged (" + e.getMessage()
                                + "): restore it from a copy of the repository, or start a new repository",
                        e);
            }
        }
        return out;
    }

    /** Forgets every record: a new initial snapshot writes the history again from scratch. */
    public void clear() {
        try {
            for (Path f : files()) {
                Files.delete(f);
            }
            next = 1;
        } catch (IOException e) {
            throw new RepositoryException(
                    "cannot clear the source schema history in " + dir + ": " + e.getMessage(), e);
        }
    }

    private List<Path> files() {
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
