package dev.backtrack.repository.redolog;

import dev.backtrack.repository.RepositoryException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Walks every batch of every segment, checking length, CRC-32C, format version and the continuity
 * of sequences, without decoding rows. Thread-safe (stateless).
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

    private LogCheck() {}

    public static Result run(Path dir, Consumer<String> progress) {
        List<Long> bases = RedoLog.segmentBases(dir);
        List<String> problems = new ArrayList<>();
        long first = bases.isEmpty() ? 1 : bases.get(0),
                expected = first,
                batches = 0,
                bytes = 0,
                maxTime = Long.MIN_VALUE;
        String tail = "clean";
        for (int i = 0; i < bases.size(); i++) {
            Path file = SegmentName.log(dir, bases.get(i));
            bytes += file.toFile().length();
            if (bases.get(i) != expected) {
                problems.add("gap in the redo log: " + file + " begins at sequence " + bases.get(i) + " but " + expected
                        + " was expected");
                expected = bases.get(i);
            }
            try (SegmentScanner scan = new SegmentScanner(file, 0)) {
                byte[] batch;
                while (true) {
                    long at = scan.position();
                    batch = scan.next();
                    if (batch == null) {
                        if (scan.end() == SegmentScanner.End.TORN) {
                            String what = file + " ends in a partial batch at offset " + scan.position();
                            if (i == bases.size() - 1) {
                                tail = what
                                        + " (a write in progress, or one a crash cut short: the agent truncates it on start)";
                            } else {
                                problems.add(what + ", and it is not the last segment");
                            }
                        }
                        break;
                    }
                    ByteBuffer h = ByteBuffer.wrap(batch);
                    if (h.get(LogBatch.VERSION_AT) != LogBatch.VERSION
                            && h.get(LogBatch.VERSION_AT) != LogBatch.PART_VERSION) {
                        problems.add(file + " offset " + at + ": batch format version " + h.get(LogBatch.VERSION_AT)
                                + " is unknown");
                    }
                    long base = h.getLong(LogBatch.BASE_SEQUENCE);
                    if (base != expected) {
                        problems.add(
                                file + " offset " + at + ": sequence " + base + " where " + expected + " was expected");
                    }
                    expected = base + h.getInt(LogBatch.COUNT);
                    maxTime = Math.max(maxTime, h.getLong(LogBatch.MAX_TIME));
                    batches++;
                    if (batches % 10_000 == 0) {
                        progress.accept("  checked " + batches + " log batches");
                    }
                }
            } catch (RepositoryException e) {
                problems.add(e.getMessage());
            }
        }
        return new Result(first, expected - 1, batches, bytes, maxTime, problems, tail);
    }
}
