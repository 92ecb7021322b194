package dev.backtrack.repository.retention;

import dev.backtrack.repository.ReadLease;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.checkpoint.Chain;
import dev.backtrack.repository.checkpoint.Checkpoints;
import dev.backtrack.repository.checkpoint.DataStore;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.io.AtomicFiles;
import dev.backtrack.repository.mark.Marks;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Which checkpoints, log segments and marks a repository no longer needs, and their removal.
 * Kept: the newest {@code keep} checkpoints; every checkpoint inside the window and the newest one
 * before it (restoring to the window's start needs it, as in pgBackRest); always the newest. The log
 * is kept from the oldest kept checkpoint on; a kept differential or incremental keeps the checkpoints
 * it is read on top of. Apply only while holding the writer's lock.
 */
public final class Retention {
    /** What goes, and the oldest checkpoint that stays (from which the log is kept). */
    public record Plan(
            List<Manifest> checkpoints,
            List<Path> segments,
            List<String> marks,
            long bytes,
            Manifest oldestKept,
            String earliestAfter) {
        public boolean isEmpty() {
            return checkpoints.isEmpty() && segments.isEmpty() && marks.isEmpty();
        }
    }

    private Retention() {}

    /** @param window zero for no window rule; {@code keep} zero for no count rule; both zero keeps everything */
    public static Plan plan(Repository repo, int keep, Duration window, long nowMicros) {
        List<Manifest> all = repo.checkpoints();
        if (all.isEmpty() || (keep == 0 && window.isZero())) {
            return new Plan(
                    List.of(),
                    List.of(),
                    List.of(),
                    0,
                    all.isEmpty() ? null : all.get(0),
                    all.isEmpty() ? null : all.get(0).time());
        }
        Set<String> keptIds = keptIds(all, oldestKept(all, keep, window, nowMicros));
        List<Manifest> expired =
                all.stream().filter(m -> !keptIds.contains(m.id())).toList();
        Manifest kept = all.stream()
                .filter(m -> keptIds.contains(m.id()))
                .min(Comparator.comparingLong(Manifest::nextSequence))
                .orElseThrow();
        long bytes = expiredChunkBytes(all, expired, keptIds);
        List<Path> segments = expiredSegments(repo, kept);
        for (Path log : segments) {
            bytes += log.toFile().length();
        }
        List<String> marks = expiredMarks(repo, kept);
        Manifest earliest =
                all.stream().filter(m -> keptIds.contains(m.id())).findFirst().orElseThrow();
        return new Plan(expired, segments, marks, bytes, kept, earliest.time());
    }

    /** The index in {@code all} of the oldest checkpoint the count and window rules keep. */
    private static int oldestKept(List<Manifest> all, int keep, Duration window, long nowMicros) {
        int oldestKept = all.size() - 1;
        if (keep > 0) {
            oldestKept = Math.min(oldestKept, Math.max(0, all.size() - keep));
        }
        if (!window.isZero()) {
            long start = nowMicros - window.toNanos() / 1000;
            // the newest checkpoint at or before the window's start: a restore to that start begins there
            int needed = 0;
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).timeMicros() <= start) {
                    needed = i;
                }
            }
            oldestKept = Math.min(oldestKept, needed);
        }
        return oldestKept;
    }

    /** The checkpoints from {@code oldestKept} on, and every checkpoint a kept delta is read on top of. */
    private static Set<String> keptIds(List<Manifest> all, int oldestKept) {
        Set<String> keptIds = new HashSet<>();
        for (Manifest m : all.subList(oldestKept, all.size())) {
            Chain.of(all, m).links().forEach(l -> keptIds.add(l.id()));
        }
        return keptIds;
    }

    /** The bytes of the expired checkpoints' data files that no kept checkpoint shares, each counted once. */
    private static long expiredChunkBytes(List<Manifest> all, List<Manifest> expired, Set<String> keptIds) {
        Set<String> keptChunks =
                chunks(all.stream().filter(m -> keptIds.contains(m.id())).toList());
        long bytes = 0;
        Set<String> counted = new HashSet<>();
        for (Manifest m : expired) {
            for (Manifest.Chunk c : m.dataFiles()) {
                if (!keptChunks.contains(c.sha256()) && counted.add(c.sha256())) {
                    bytes += c.bytes();
                }
            }
        }
        return bytes;
    }

    /** The log segments wholly before the oldest kept checkpoint's next sequence (never the newest segment). */
    private static List<Path> expiredSegments(Repository repo, Manifest kept) {
        List<Path> segments = new ArrayList<>();
        List<Long> bases = segmentBases(repo.logDir());
        for (int i = 0; i + 1 < bases.size(); i++) {
            // every sequence of segment i is below the next segment's base
            if (bases.get(i + 1) <= kept.nextSequence()) {
                segments.add(repo.logDir().resolve(String.format("%020d.log", bases.get(i))));
            }
        }
        return segments;
    }

    /** The marks at sequences below the last one the oldest kept checkpoint holds. */
    private static List<String> expiredMarks(Repository repo, Manifest kept) {
        List<String> marks = new ArrayList<>();
        for (Marks.Mark m : Marks.list(repo)) {
            if (m.sequence() < kept.nextSequence() - 1) {
                marks.add(m.name());
            }
        }
        return marks;
    }

    /**
     * Removes what the plan lists: checkpoints first (each renamed out of sight in one step, then
     * deleted), then log segments oldest first, then marks. A crash at any point leaves a valid
     * repository whose window starts at the oldest checkpoint still listed.
     */
    public static void apply(Repository repo, Plan plan) {
        // no restore or verify reads what goes, and no checkpoint is being written while unnamed data files are swept
        try (ReadLease lease = ReadLease.expirer(repo.path());
                FileChannel building = repo.lockForCheckpoint()) {
            for (Manifest m : plan.checkpoints()) {
                Path dir = repo.checkpointsDir().resolve(m.id());
                Path gone = repo.checkpointsDir().resolve(".partial-expired-" + m.id());
                AtomicFiles.move(dir, gone);
                Checkpoints.deleteTree(gone);
            }
            // data files no remaining manifest names: the expired checkpoints' own, and those of checkpoints a crash
            // cut short
            DataStore.sweep(repo.dataDir(), chunks(Checkpoints.list(repo.checkpointsDir(), repo.sealer(), true)));
            for (Path log : plan.segments()) {
                Files.deleteIfExists(log);
                Files.deleteIfExists(
                        log.resolveSibling(log.getFileName().toString().replace(".log", ".index")));
            }
            if (!plan.segments().isEmpty()) {
                AtomicFiles.syncDirectory(repo.logDir());
            }
            for (String name : plan.marks()) {
                Files.deleteIfExists(repo.path().resolve("marks").resolve(name + ".json"));
            }
        } catch (IOException e) {
            throw new RepositoryException(
                    "cannot expire from " + repo.path() + ": " + e.getMessage()
                            + " (what was removed is consistent; run 'backtrack verify')",
                    e);
        }
    }

    private static Set<String> chunks(List<Manifest> manifests) {
        Set<String> out = new HashSet<>();
        for (Manifest m : manifests) {
            m.dataFiles().forEach(c -> out.add(c.sha256()));
        }
        return out;
    }

    /** One line for a log: what went and where the window now begins. */
    public static String summary(Plan plan, boolean dryRun) {
        if (plan.isEmpty()) {
            return "retention: nothing to expire; the recoverable window starts at " + plan.earliestAfter();
        }
        return "retention: " + (dryRun ? "would expire " : "expired ")
                + plan.checkpoints().size() + " checkpoints, " + plan.segments().size()
                + " log segments and " + plan.marks().size() + " marks (" + plan.bytes() / (1 << 20)
                + " MiB); the recoverable window "
                + (dryRun ? "would start" : "starts") + " at " + plan.earliestAfter();
    }

    private static List<Long> segmentBases(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("\\d{20}\\.log"))
                    .map(n -> Long.parseLong(n.substring(0, 20)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new RepositoryException("cannot list the redo log in " + dir + ": " + e.getMessage(), e);
        }
    }
}
