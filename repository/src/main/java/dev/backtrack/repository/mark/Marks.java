package dev.backtrack.repository.mark;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.io.AtomicFiles;
import dev.backtrack.repository.io.OwnerOnly;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.redolog.LogCursor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Named restore points. The mark itself is a message in a logged transaction; {@code marks/NAME.json}
 * is an index to it, written just before the transaction is appended, so a mark may briefly (or, when
 * capture stopped between the two and never resumed there, for good) name a transaction the log does
 * not hold: {@link #isLogged} tells. Thread-safe (stateless).
 */
public final class Marks {
    public static final String PREFIX = "backtrack.mark";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where a mark sits in the log. */
    public record Mark(String name, long sequence, long commitMicros, long position, String time) {}

    private Marks() {}

    /** Refuses names that could not be a file name or a command-line word. */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("mark name '" + name
                    + "' is not valid: use 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        return name;
    }

    public static void record(Repository repo, Mark mark) {
        Path dir = repo.path().resolve("marks");
        try {
            OwnerOnly.createDirectories(dir);
            AtomicFiles.writeChecked(dir.resolve(mark.name() + ".json"), JSON.writeValueAsBytes(mark), repo.sealer());
        } catch (IOException e) {
            throw new RepositoryException(
                    "cannot record mark " + mark.name() + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    public static List<Mark> list(Repository repo) {
        Path dir = repo.path().resolve("marks");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Mark> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .toList()) {
                out.add(JSON.readValue(AtomicFiles.readChecked(f, repo.sealer()), Mark.class));
            }
        } catch (IOException e) {
            throw new RepositoryException("cannot read the marks in " + dir + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparingLong(Mark::sequence));
        return out;
    }

    /** Whether the repository's log holds the mark's transaction at its sequence. */
    public static boolean isLogged(Repository repo, Mark mark) {
        try (LogCursor cursor = repo.readLog(mark.sequence())) {
            if (!cursor.hasNext()) {
                return false;
            }
            Transaction tx = cursor.next();
            return tx.sequence() == mark.sequence() && tx.position() == mark.position();
        }
    }

    public static Mark find(Repository repo, String name) {
        return list(repo).stream()
                .filter(m -> m.name().equals(name))
                .findFirst()
                .orElse(null);
    }
}
