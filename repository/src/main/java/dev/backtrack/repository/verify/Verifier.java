package dev.backtrack.repository.verify;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.checkpoint.Chain;
import dev.backtrack.repository.checkpoint.Checkpoints;
import dev.backtrack.repository.checkpoint.ChunkReader;
import dev.backtrack.repository.checkpoint.DataStore;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.crypto.Sealer;
import dev.backtrack.repository.gap.Gaps;
import dev.backtrack.repository.history.SourceHistory;
import dev.backtrack.repository.mark.Marks;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.repository.redolog.LogCheck;
import dev.backtrack.repository.schema.SchemaHistory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code backtrack verify}: the repository root, schema history, every log batch (CRC, sequence
 * continuity), every checkpoint manifest (self-checksum) and data file (SHA-256, and with
 * {@code readData} every row decoded and counted), and the checkpoint-to-log coverage that proves
 * the recoverable window. Reads only; safe while the agent writes. Thread-safe (stateless).
 */
public final class Verifier {
    /** What verify proved, and what it found wrong. */
    public record Report(
            boolean ok,
            String earliest,
            String latest,
            long checkpoints,
            long logBatches,
            long firstSequence,
            long lastSequence,
            long bytes,
            List<String> problems,
            List<String> notes) {}

    private Verifier() {}

    /** @param readDataPercent share of checkpoint data files whose rows are decoded and counted (0: hashes only) */
    public static Report run(Repository repo, int readDataPercent, Consumer<String> progress) {
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        checkSmallFiles(repo, problems, notes);
        progress.accept("checking the redo log");
        LogCheck.Result log = LogCheck.run(repo.logDir(), progress);
        problems.addAll(log.problems());
        if (!log.tail().equals("clean")) {
            notes.add(log.tail());
        }
        progress.accept("checking checkpoints");
        List<Manifest> manifests = manifests(repo.checkpointsDir(), repo.sealer(), problems, notes);
        progress.accept("checking checkpoint data files");
        checkData(repo.dataDir(), repo.sealer(), manifests, readDataPercent, problems, notes);
        manifests.sort(Comparator.comparingLong(Manifest::timeMicros));
        for (Manifest m : manifests) {
            if (log.batches() > 0
                    && (m.nextSequence() < log.firstSequence() || m.nextSequence() > log.lastSequence() + 1)) {
                problems.add("checkpoint " + m.id() + " continues at log sequence " + m.nextSequence()
                        + ", outside the log's " + log.firstSequence() + ".." + log.lastSequence());
            }
        }
        if (manifests.isEmpty()) {
            problems.add("no readable checkpoint: nothing can be restored");
        }
        String earliest =
                manifests.isEmpty() ? null : Micros.format(manifests.get(0).timeMicros());
        long latestMicros = manifests.isEmpty()
                ? Long.MIN_VALUE
                : Math.max(manifests.get(manifests.size() - 1).timeMicros(), log.maxCommitMicros());
        return new Report(
                problems.isEmpty(),
                earliest,
                manifests.isEmpty() ? null : Micros.format(latestMicros),
                manifests.size(),
                log.batches(),
                log.firstSequence(),
                log.lastSequence(),
                log.bytes(),
                problems,
                notes);
    }

    /** The schema history, the binlog connector's own history, marks and gaps: each must read; gaps are noted. */
    private static void checkSmallFiles(Repository repo, List<String> problems, List<String> notes) {
        try {
            new SchemaHistory(repo.path().resolve("schemas"), repo.sealer());
        } catch (RepositoryException e) {
            problems.add(e.getMessage());
        }
        try {
            // the binlog connector's schema history: capture cannot resume without it
            new SourceHistory(repo).records();
        } catch (RepositoryException e) {
            problems.add(e.getMessage());
        }
        try {
            Marks.list(repo);
            for (Gaps.Gap g : Gaps.list(repo)) {
                notes.add("gap in the recoverable window: nothing captured after " + Micros.format(g.afterMicros())
                        + " until "
                        + (g.endMicros() == null ? "a fresh checkpoint (being taken)" : Micros.format(g.endMicros()))
                        + " (" + g.reason() + ")");
            }
        } catch (RepositoryException e) {
            problems.add(e.getMessage());
        }
    }

    /** The published checkpoints that read (partial directories are noted), each one's chain checked. */
    private static List<Manifest> manifests(
            Path checkpointsDir, Sealer sealer, List<String> problems, List<String> notes) {
        List<Manifest> manifests = new ArrayList<>();
        try (Stream<Path> dirs = Files.isDirectory(checkpointsDir) ? Files.list(checkpointsDir) : Stream.empty()) {
            for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                if (dir.getFileName().toString().startsWith(".partial-")) {
                    notes.add("checkpoint being written or left by a crash: " + dir + " (ignored)");
                    continue;
                }
                Manifest m = manifestAndCopy(dir, sealer, problems);
                if (m != null) {
                    manifests.add(m);
                }
            }
        } catch (IOException e) {
            problems.add("cannot list " + checkpointsDir + ": " + e.getMessage());
        }
        for (Manifest m : manifests) {
            try {
                Chain.of(manifests, m);
            } catch (RepositoryException e) {
                problems.add(e.getMessage());
            }
        }
        return manifests;
    }

    /** Both copies of a checkpoint's manifest; each damaged one is a problem, the checkpoint counts if either reads. */
    private static Manifest manifestAndCopy(Path dir, Sealer sealer, List<String> problems) {
        Manifest main = null, copy = null;
        try {
            main = Checkpoints.readManifestFile(dir.resolve(Checkpoints.MANIFEST), sealer);
        } catch (RepositoryException e) {
            problems.add(e.getMessage());
        }
        try {
            copy = Checkpoints.readManifestFile(dir.resolve(Checkpoints.MANIFEST_COPY), sealer);
        } catch (RepositoryException e) {
            problems.add(e.getMessage() + (main != null ? " (the manifest itself is intact)" : ""));
        }
        if (main != null && copy != null && !main.checksum().equals(copy.checksum())) {
            problems.add("checkpoint " + dir + ": " + Checkpoints.MANIFEST + " and " + Checkpoints.MANIFEST_COPY
                    + " differ");
        }
        return main != null ? main : copy;
    }

    /**
     * Every data file a checkpoint names, once: size and SHA-256 (its name); for {@code readDataPercent}
     * of them, chosen at random, every record decoded and counted too. Data files no checkpoint
     * names are a note: an interrupted checkpoint left them, and the next expire removes them.
     */
    private static void checkData(
            Path dataDir,
            Sealer sealer,
            List<Manifest> manifests,
            int readDataPercent,
            List<String> problems,
            List<String> notes) {
        Map<String, Manifest.Chunk> chunks = new LinkedHashMap<>();
        Map<String, Boolean> delta = new HashMap<>();
        Set<String> objects = new HashSet<>();
        for (Manifest m : manifests) {
            for (Manifest.TableEntry t : m.tables()) {
                for (Manifest.Chunk c : t.chunks()) {
                    chunks.putIfAbsent(c.sha256(), c);
                    delta.putIfAbsent(c.sha256(), m.delta());
                }
            }
            if (m.objects() != null) {
                chunks.putIfAbsent(m.objects().sha256(), m.objects());
                objects.add(m.objects().sha256());
            }
        }
        Random pick = new Random();
        for (Manifest.Chunk c : chunks.values()) {
            try {
                boolean deep = readDataPercent > 0 && pick.nextInt(100) < readDataPercent;
                if (deep && objects.contains(c.sha256())) {
                    ChunkReader.objects(dataDir, sealer, c);
                } else if (deep) {
                    ChunkReader.decodeChunk(dataDir, sealer, c, delta.get(c.sha256()));
                } else {
                    DataStore.check(dataDir, c);
                }
            } catch (RuntimeException e) {
                problems.add(
                        e instanceof RepositoryException
                                ? e.getMessage()
                                : "checkpoint data file " + DataStore.file(dataDir, c.sha256()) + " does not decode ("
                                        + e + "): the checkpoint is damaged");
            }
        }
        long unused = DataStore.stored(dataDir).keySet().stream()
                .filter(n -> !chunks.containsKey(n))
                .count();
        if (unused > 0) {
            notes.add(unused + " data files in " + dataDir
                    + " belong to no checkpoint (left by an interrupted checkpoint or expire; the next "
                    + "expire removes them)");
        }
    }
}
