package dev.backtrack.repository.redolog;

import dev.backtrack.repository.crypto.Sealer;
import java.nio.ByteBuffer;

/**
 * One whole, CRC-checked batch as a {@link SegmentWalk} found it: where it begins in its segment,
 * its bytes, and its header fields (read in the clear, so without the key). Whether it is in
 * sequence and whether it begins a transaction are the walk's view at that point; what to do about
 * a batch out of sequence is the reader's policy. Immutable (the bytes are not copied).
 *
 * @param position where the batch begins in its segment
 * @param expectedSequence the sequence the walk expected this batch to begin with
 * @param beginsTransaction false for a part of a large transaction after its first part
 */
record SegmentBatch(long position, byte[] bytes, long expectedSequence, boolean beginsTransaction) {

    /** Where the next batch begins. */
    long end() {
        return position + bytes.length;
    }

    long baseSequence() {
        return header().getLong(LogBatch.BASE_SEQUENCE);
    }

    /** Transactions the batch ends: 0 for a part of a large transaction that goes on in the next batch. */
    int count() {
        return header().getInt(LogBatch.COUNT);
    }

    int version() {
        return header().get(LogBatch.VERSION_AT);
    }

    long maxCommitMicros() {
        return header().getLong(LogBatch.MAX_TIME);
    }

    long lastPosition() {
        return header().getLong(LogBatch.LAST_POSITION);
    }

    boolean knownVersion() {
        return version() == LogBatch.VERSION || version() == LogBatch.PART_VERSION;
    }

    boolean inSequence() {
        return baseSequence() == expectedSequence;
    }

    /** A part of a large transaction that goes on in the next batch. */
    boolean continues() {
        return count() == 0;
    }

    /** The sequence the batch after this one begins with. */
    long nextSequence() {
        return baseSequence() + count();
    }

    /**
     * The batch's transactions. A sealed (encrypted) payload is opened with {@code sealer}; a batch
     * whose sealing does not match the repository's is refused.
     *
     * @param where names the batch (file and offset) in errors
     */
    LogBatch.Decoded decode(Sealer sealer, String where) {
        return LogBatch.decode(bytes, sealer, where);
    }

    private ByteBuffer header() {
        return ByteBuffer.wrap(bytes);
    }
}
