package dev.backtrack.repository.redolog;

import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.crypto.Sealer;
import dev.backtrack.repository.io.AtomicFiles;
import dev.backtrack.repository.io.OwnerOnly;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The redo log: segments of batches of whole transactions in commit order. {@link #append} is for a
 * single writer (the agent) and is durable when it returns; {@link #read} may be called from any
 * thread or process, also while the writer appends.
 */
public final class RedoLog implements AutoCloseable {
    private final Path dir;
    private final long segmentBytes;
    private final int compressionLevel;
    private final Sealer sealer;
    private FileChannel active;
    private FileChannel activeIndex;
    private long activeBase;
    // read by the checkpointer thread: only sequences below it are durable
    private volatile long nextSequence = 1;
    private long lastPosition = -1;
    private long maxCommitMicros = Long.MIN_VALUE;
    private long segmentMaxTime = Long.MIN_VALUE;
    private String lastSourceOffset = "";
    /** Set when a failed append could not be undone: the next one first recovers the tail from the file. */
    private boolean reopen;

    private RedoLog(Path dir, Sealer sealer, long segmentBytes, int compressionLevel) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.compressionLevel = compressionLevel;
        this.sealer = sealer;
    }

    /**
     * Opens for appending: validates the tail of the last segment and truncates a torn last batch.
     *
     * @param sealer the repository's key, or null for a plain repository
     */
    public static RedoLog openForAppend(Path dir, Sealer sealer, long segmentBytes, int compressionLevel) {
        RedoLog log = new RedoLog(dir, sealer, segmentBytes, compressionLevel);
        try {
            OwnerOnly.createDirectories(dir);
            log.recover();
        } catch (IOException e) {
            throw new RepositoryException("cannot open the redo log in " + dir + ": " + e.getMessage(), e);
        }
        return log;
    }

    private void recover() throws IOException {
        List<Long> bases = segmentBases(dir);
        if (bases.isEmpty()) {
            return;
        }
        long base = bases.get(bases.size() - 1);
        Path file = SegmentName.log(dir, base);
        Tail tail = scanTail(file, base);
        if (tail.entries().isEmpty() && bases.size() > 1) {
            // an empty last segment: the state comes from the one before
            Files.delete(file);
            Files.deleteIfExists(SegmentName.index(dir, base));
            long sealed = bases.get(bases.size() - 2);
            resumeAfter(scanTail(SegmentName.log(dir, sealed), sealed));
            return;
        }
        resumeAfter(tail);
        segmentMaxTime = tail.maxTime();
        activeBase = base;
        active = FileChannel.open(file, StandardOpenOption.WRITE);
        if (active.size() > tail.validEnd()) {
            active.truncate(tail.validEnd());
            active.force(true);
        }
        active.position(tail.validEnd());
        SegmentIndex.write(SegmentName.index(dir, base), tail.entries());
        activeIndex =
                FileChannel.open(SegmentName.index(dir, base), StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    /** A segment up to its last whole transaction: its index entries, where it ends, and the state after it. */
    private record Tail(
            List<SegmentIndex.Entry> entries,
            long validEnd,
            long nextSequence,
            long lastPosition,
            String lastSourceOffset,
            long maxTime) {}

    /**
     * Reads a segment up to its last whole transaction; a torn last batch, or a large transaction
     * whose last part never reached the disk, was never acknowledged and lies past {@code validEnd}.
     */
    private Tail scanTail(Path file, long base) {
        List<SegmentIndex.Entry> entries = new ArrayList<>();
        long position = lastPosition, segTime = Long.MIN_VALUE;
        String offset = lastSourceOffset;
        try (SegmentWalk walk = new SegmentWalk(file, 0, base)) {
            for (SegmentBatch batch = walk.next(); batch != null; batch = walk.next()) {
                LogBatch.Decoded d = batch.decode(sealer, file + " offset " + batch.position());
                if (!batch.inSequence()) {
                    throw new RepositoryException("log segment " + file + " has sequence " + d.baseSequence()
                            + " at offset " + batch.position() + " where " + batch.expectedSequence()
                            + " was expected: the log has a gap, run 'backtrack verify'");
                }
                if (batch.beginsTransaction()) {
                    entries.add(new SegmentIndex.Entry(
                            d.baseSequence(), batch.position(), Math.max(segTime, d.maxCommitMicros())));
                }
                if (!d.continues()) {
                    position = d.lastPosition();
                    offset = d.sourceOffset();
                    segTime = Math.max(segTime, d.maxCommitMicros());
                }
            }
            long validEnd = walk.transactionsEnd();
            entries.removeIf(e -> e.filePosition() >= validEnd);
            return new Tail(entries, validEnd, walk.expectedSequence(), position, offset, segTime);
        }
    }

    private void resumeAfter(Tail tail) {
        nextSequence = tail.nextSequence();
        lastPosition = tail.lastPosition();
        lastSourceOffset = tail.lastSourceOffset();
        maxCommitMicros = tail.maxTime();
    }

    /** Next sequence to be assigned; 1 for an empty log. */
    public long nextSequence() {
        return nextSequence;
    }

    /** Commit position of the last logged transaction, or -1. */
    public long lastPosition() {
        return lastPosition;
    }

    /** The source offset stored with the last batch ("" when none). */
    public String lastSourceOffset() {
        return lastSourceOffset;
    }

    /**
     * Appends transactions, assigning their sequences, and fsyncs once before returning (group
     * commit). Ordinary transactions share a batch; a large one (spilled, or more than
     * {@link #PART_CHANGES} changes) is written as a run of parts of about {@link #PART_BYTES} each.
     * The source offset goes with the call's last batch. Returns the transactions with their sequences.
     */
    public List<Transaction> append(List<Transaction> txs, String sourceOffset) {
        if (txs.isEmpty()) {
            return txs;
        }
        List<Transaction> numbered = new ArrayList<>(txs.size());
        long seq = nextSequence;
        for (Transaction tx : txs) {
            numbered.add(tx.withSequence(seq++));
        }
        long at = -1, indexAt = -1;
        try {
            if (reopen) {
                // an earlier failed append could not cut its partial batch off: cut it as a restart would
                recover();
                reopen = false;
            }
            // a call never spans segments, so a run of parts is always within one segment
            if (active == null || active.size() >= segmentBytes) {
                roll(nextSequence);
            }
            at = active.position();
            indexAt = activeIndex.size();
            List<Transaction> group = new ArrayList<>();
            for (int i = 0; i < numbered.size(); i++) {
                Transaction tx = numbered.get(i);
                boolean last = i == numbered.size() - 1;
                if (isLarge(tx)) {
                    writeBatch(group, "");
                    group.clear();
                    writeRun(tx, last ? sourceOffset : "");
                } else {
                    group.add(tx);
                }
            }
            writeBatch(group, sourceOffset);
            active.force(false);
            for (Transaction tx : numbered) {
                segmentMaxTime = Math.max(segmentMaxTime, tx.commitMicros());
            }
            SegmentIndex.append(
                    activeIndex, new SegmentIndex.Entry(numbered.get(0).sequence(), at, segmentMaxTime));
        } catch (IOException | RuntimeException e) {
            undo(at, indexAt);
            throw new RepositoryException(
                    "cannot append to the redo log in " + dir + ": " + e.getMessage()
                            + " (check free space; nothing was acknowledged to the source)",
                    e);
        }
        nextSequence = seq;
        lastPosition = numbered.get(numbered.size() - 1).position();
        maxCommitMicros = Math.max(maxCommitMicros, segmentMaxTime);
        lastSourceOffset = sourceOffset == null ? "" : sourceOffset;
        return numbered;
    }

    /** Changes in one batch part of a large transaction, and the payload size a part is cut at. */
    static final int PART_CHANGES = 50_000, PART_BYTES = 4 << 20;

    private static boolean isLarge(Transaction tx) {
        return tx.changes() instanceof ChangeSpill.Changes || tx.changes().size() > PART_CHANGES;
    }

    private void writeBatch(List<Transaction> group, String sourceOffset) throws IOException {
        if (!group.isEmpty()) {
            write(LogBatch.encode(group, sourceOffset, compressionLevel, sealer));
        }
    }

    /** Every part carries the offset; readers take it only from the last one, where the run is whole. */
    private void writeRun(Transaction tx, String sourceOffset) throws IOException {
        Iterator<RowChange> changes = tx.changes().iterator();
        do {
            write(LogBatch.encodePart(tx, changes, PART_BYTES, sourceOffset, compressionLevel, sealer));
        } while (changes.hasNext());
    }

    private void write(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            active.write(b);
        }
    }

    /**
     * Cuts a partly written batch and its index entry off, so a later append cannot land after them;
     * if even that fails, closes the segment and has the next append recover the tail from the file.
     */
    private void undo(long at, long indexAt) {
        if (active == null || at < 0) {
            return;
        }
        try {
            active.truncate(at);
            active.position(at);
            if (indexAt >= 0) {
                activeIndex.truncate(indexAt);
            }
        } catch (IOException | RuntimeException e) {
            try {
                close();
            } catch (IOException ignored) {
                // closed either way
            }
            reopen = true;
        }
    }

    private void roll(long base) throws IOException {
        close();
        Path file = SegmentName.log(dir, base);
        Path index = SegmentName.index(dir, base);
        try {
            active = FileChannel.open(
                    file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OwnerOnly.file());
            Files.deleteIfExists(index);
            activeIndex = FileChannel.open(
                    index, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OwnerOnly.file());
            AtomicFiles.syncDirectory(dir);
        } catch (IOException | RuntimeException e) {
            // no half-made segment stays behind: the next append rolls again (a full disk fails here)
            close();
            Files.deleteIfExists(file);
            Files.deleteIfExists(index);
            throw e;
        }
        activeBase = base;
        segmentMaxTime = Long.MIN_VALUE;
    }

    /**
     * Reads transactions with sequence ≥ {@code fromSequence}, up to what is durable now.
     *
     * @param sealer the repository's key, or null for a plain repository
     */
    public static LogCursor read(Path dir, Sealer sealer, long fromSequence) {
        return new LogCursor(dir, sealer, segmentBases(dir), fromSequence);
    }

    static List<Long> segmentBases(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(SegmentName::baseOf)
                    .filter(b -> b >= 0)
                    .sorted()
                    .boxed()
                    .toList();
        } catch (IOException e) {
            throw new RepositoryException("cannot list the redo log in " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        FileChannel log = active, index = activeIndex;
        active = null;
        activeIndex = null;
        // both are closed even when the fsync fails
        try (index) {
            if (log != null) {
                try (log) {
                    // an interrupt during the last append closes the channel; that batch was never acknowledged
                    if (log.isOpen()) {
                        log.force(true);
                    }
                }
            }
        }
    }

    long activeBase() {
        return activeBase;
    }
}
