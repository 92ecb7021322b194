package dev.backtrack.repository.schema;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.crypto.Sealer;
import dev.backtrack.repository.io.AtomicFiles;
import dev.backtrack.repository.io.OwnerOnly;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Versioned table schemas, one JSON file per version under {@code schemas/}, named by id. A version
 * is written (durably) before any log record or checkpoint refers to it. Thread-safe.
 */
public final class SchemaHistory {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;
    private final Sealer sealer;
    private final TreeMap<Integer, TableSchema> versions = new TreeMap<>();

    /** @param sealer the repository's key, or null for a plain repository */
    public SchemaHistory(Path dir, Sealer sealer) {
        this.dir = dir;
        this.sealer = sealer;
        try {
            OwnerOnly.createDirectories(dir);
        } catch (IOException e) {
            throw new RepositoryException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        load();
    }

    /** Reads the versions not read yet (a reader following the agent finds the ones it wrote since). */
    private void load() {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .toList()) {
                if (!versions.containsKey(idOf(f))) {
                    TableSchema s = JSON.readValue(AtomicFiles.readChecked(f, sealer), TableSchema.class);
                    versions.put(s.id(), s);
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new RepositoryException(
                    "cannot read schema history in " + dir + ": " + e.getMessage()
                            + " (run 'backtrack verify' to find the damaged file)",
                    e);
        }
    }

    private static int idOf(Path file) {
        String name = file.getFileName().toString();
        return Integer.parseInt(name.substring(0, name.length() - ".json".length()));
    }

    public synchronized TableSchema get(int id) {
        TableSchema s = versions.get(id);
        if (s == null) {
            load();
            s = versions.get(id);
        }
        if (s == null) {
            throw new RepositoryException("schema version " + id + " is missing from " + dir
                    + ": the repository is damaged, run 'backtrack verify'");
        }
        return s;
    }

    public synchronized Collection<TableSchema> all() {
        return List.copyOf(versions.values());
    }

    /** The newest version of each table. */
    public synchronized Map<String, TableSchema> latest() {
        Map<String, TableSchema> out = new TreeMap<>();
        for (TableSchema s : versions.values()) {
            out.put(s.qualifiedName(), s);
        }
        return out;
    }

    /**
     * Returns the current version when {@code candidate} has its shape, or writes a new version valid
     * from {@code fromSequence}.
     */
    public synchronized TableSchema register(TableSchema candidate, long fromSequence) {
        TableSchema current = latest().get(candidate.qualifiedName());
        if (current != null && current.sameShape(candidate)) {
            return current;
        }
        int id = versions.isEmpty() ? 1 : versions.lastKey() + 1;
        TableSchema version = candidate.withIdentity(id, fromSequence);
        try {
            AtomicFiles.writeChecked(
                    dir.resolve(String.format("%08d.json", id)),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(version),
                    sealer);
        } catch (IOException e) {
            throw new RepositoryException("cannot write schema version " + id + ": " + e.getMessage(), e);
        }
        versions.put(id, version);
        return version;
    }

    public synchronized List<TableSchema> tablesAt(Collection<Integer> ids) {
        List<TableSchema> out = new ArrayList<>();
        for (int id : ids) {
            out.add(get(id));
        }
        return out;
    }
}
