package dev.backtrack.repository.redolog;

import dev.backtrack.repository.RepositoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Walks every batch of every segment ({@link SegmentWalk}), checking length, CRC-32C, format
 * version and the continuity of sequences, without decoding rows; every problem is reported, none
 * stops the check. Thread-safe (each run keeps its own tally).
 */
public final class LogCheck {
    /** What the walk found: problems name the file and offset. */
    public record Result(
            long firstSequence,
            long lastSequence,
            long batches,
            long bytes,
            long maxCommitMicros,
            List<String> problems,
            String tail) {}

    private final Consumer<String> progress;
    private final long first;
    private final List<String> problems = new ArrayList<>();
    private long expected, batches, bytes, maxTime = Long.MIN_VALUE;
    private String tail = "clean";

    private LogCheck(long first, Consumer<String> progress) {
        this.first = first;
        this.expected = first;
        this.progress = progress;
    }

    public static Result run(Path dir, Consumer<String> progress) {
        List<Long> bases = RedoLog.segmentBases(dir);
        LogCheck check = new LogCheck(bases.isEmpty() ? 1 : bases.get(0), progress);
        for (int i = 0; i < bases.size(); i++) {
            check.segment(SegmentName.log(dir, bases.get(i)), bases.get(i), i == bases.size() - 1);
        }
        return new Result(
                check.first, check.expected - 1, check.batches, check.bytes, check.maxTime, check.problems, check.tail);
    }

    private void segment(Path file, long base, boolean last) {
        bytes += file.toFile().length();
        if (base != expected) {
            problems.add("gap in the redo log: " + file + " begins at sequence " + base + " but " + expected
                    + " was expected");
            expected = base;
        }
        try (SegmentWalk walk = new SegmentWalk(file, 0, base)) {
            for (SegmentBatch batch = walk.next(); batch != null; batch = walk.next()) {
                batch(file, batch);
            }
            if (walk.end() == SegmentWalk.End.TORN) {
                String what = file + " ends in a partial batch at offset " + walk.position();
                if (last) {
                    tail = what + " (a write in progress, or one a crash cut short: the agent truncates it on start)";
                } else {
                    problems.add(what + ", and it is not the last segment");
                }
            }
        } catch (RepositoryException e) {
            problems.add(e.getMessage());
        }
    }

    private void batch(Path file, SegmentBatch batch) {
        if (!batch.knownVersion()) {
            problems.add(
                    file + " offset " + batch.position() + ": batch format version " + batch.version() + " is unknown");
        }
        if (!batch.inSequence()) {
            problems.add(file + " offset " + batch.position() + ": sequence " + batch.baseSequence() + " where "
                    + expected + " was expected");
        }
        expected = batch.nextSequence();
        maxTime = Math.max(maxTime, batch.maxCommitMicros());
        batches++;
        if (batches % 10_000 == 0) {
            progress.accept("  checked " + batches + " log batches");
        }
    }
}
