package dev.backtrack.repository.gap;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Stretches of source history the log does not hold: the replication slot was dropped or recreated,
 * so changes between the last logged transaction and a fresh checkpoint were never seen. A gap is
 * recorded (open) before the new slot is made, and closed when the fresh checkpoint that starts the
 * next recoverable window is published. Kept in {@code gaps.json}. Not thread-safe.
 */
public final class Gaps {
    /** {@code endMicros}/{@code resumeSequence} are absent while the fresh checkpoint is being taken. */
    public record Gap(
            long afterSequence,
            long afterMicros,
            long afterPosition,
            String detected,
            String reason,
            Long endMicros,
            Long resumeSequence,
            String checkpoint) {
        public boolean open() {
            return endMicros == null;
        }

        /** Whether a restore to {@code micros} would need changes the log does not hold. */
        public boolean covers(long micros) {
            return micros > afterMicros && (endMicros == null || micros < endMicros);
        }
    }

    static final String FILE = "gaps.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Gaps() {}

    public static List<Gap> list(Repository repo) {
        Path f = repo.path().resolve(FILE);
        if (!Files.exists(f)) {
            return List.of();
        }
        try {
            return JSON.readValue(AtomicFiles.readChecked(f, repo.sealer()), new TypeReference<List<Gap>>() {});
        } catch (IOException e) {
            throw new RepositoryException(
                    f + " cannot be read (" + e.getMessage().split("\n")[0] + "): run 'backtrack verify'", e);
        }
    }

    /** The gap whose fresh checkpoint is not published yet, or null. */
    public static Gap open(Repository repo) {
        return list(repo).stream().filter(Gap::open).findFirst().orElse(null);
    }

    public static void record(Repository repo, Gap gap) {
        List<Gap> all = new ArrayList<>(list(repo));
        all.add(gap);
        write(repo, all);
    }

    /** Closes the open gap at the fresh checkpoint that ends it. */
    public static void close(Repository repo, long endMicros, long resumeSequence, String checkpoint) {
        List<Gap> all = new ArrayList<>();
        for (Gap g : list(repo)) {
            all.add(
                    g.open()
                            ? new Gap(
                                    g.afterSequence(),
                                    g.afterMicros(),
                                    g.afterPosition(),
                                    g.detected(),
                                    g.reason(),
                                    endMicros,
                                    resumeSequence,
                                    checkpoint)
                            : g);
        }
        write(repo, all);
    }

    private static void write(Repository repo, List<Gap> all) {
        try {
            AtomicFiles.writeChecked(
                    repo.path().resolve(FILE),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(all),
                    repo.sealer());
        } catch (IOException e) {
            throw new RepositoryException("cannot record a gap in " + repo.path() + ": " + e.getMessage(), e);
        }
    }
}
