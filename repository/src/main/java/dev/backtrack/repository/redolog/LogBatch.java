package dev.backtrack.repository.redolog;

import com.github.luben.zstd.Zstd;
import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.codec.ByteReader;
import dev.backtrack.repository.codec.ByteWriter;
import dev.backtrack.repository.codec.ChangeCodec;
import dev.backtrack.repository.crypto.Sealer;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One batch of whole transactions (version 1), or one part of a transaction too large for a batch
 * (version 2): the unit of write, fsync and checksum in a segment.
 * <pre>
 *  0 int64 baseSequence      sequence of the first transaction (the rest follow contiguously)
 *  8 int32 length            bytes after this field
 * 12 int32 crc               CRC-32C of every byte after this field
 * 16 int8  version           1 whole transactions, 2 a part of one transaction
 * 17 int8  compression       0 none, 1 zstd
 * 18 int32 count             transactions in the batch (a part: 0 while the transaction continues, 1 for its last part)
 * 22 int64 minCommitMicros   smallest commit time in the batch
 * 30 int64 maxCommitMicros   largest commit time in the batch
 * 38 int64 lastPosition      source commit position of the last transaction
 * 46 int32 payloadLength     payload size before compression
 * 50 payload                 source offset (string), then the transactions; a part: txId, then changes to the end
 * (docs/FORMAT.md)
 * </pre>
 * Thread-safe (each thread encodes into its own buffer).
 */
public final class LogBatch {
    public static final int VERSION = 1, PART_VERSION = 2;
    static final int BASE_SEQUENCE = 0,
            LENGTH = 8,
            CRC = 12,
            VERSION_AT = 16,
            COMPRESSION = 17,
            COUNT = 18,
            MIN_TIME = 22,
            MAX_TIME = 30,
            LAST_POSITION = 38,
            PAYLOAD_LENGTH = 46,
            HEADER = 50;
    static final int LENGTH_PREFIX = 12;
    static final int NONE = 0, ZSTD = 1;
    /** Flag in the compression byte: the stored payload is AES-256-GCM sealed (after compression). */
    static final int ENCRYPTED = 0x80;

    /** A decoded batch header plus its transactions. */
    public record Decoded(
            long baseSequence,
            int count,
            long minCommitMicros,
            long maxCommitMicros,
            long lastPosition,
            String sourceOffset,
            List<Transaction> transactions) {
        public long lastSequence() {
            return baseSequence + count - 1;
        }

        /** A part of a transaction that goes on in the next batch. */
        public boolean continues() {
            return count == 0;
        }
    }

    /** The payload buffer of each encoding thread, kept between batches so it does not grow anew each time. */
    private static final ThreadLocal<ByteWriter> PAYLOAD = ThreadLocal.withInitial(() -> new ByteWriter(1 << 16));
    /** A buffer that grew past this for a large batch is let go afterwards. */
    private static final int KEPT_PAYLOAD_BYTES = 8 << 20;

    private LogBatch() {}

    private static ByteWriter payload() {
        ByteWriter w = PAYLOAD.get();
        w.reset();
        return w;
    }

    private static byte[] released(byte[] frame, ByteWriter payload) {
        if (payload.array().length > KEPT_PAYLOAD_BYTES) {
            PAYLOAD.remove();
        }
        return frame;
    }

    /** Encodes transactions (sequences already assigned, contiguous) into one batch. */
    public static byte[] encode(List<Transaction> txs, String sourceOffset, int compressionLevel) {
        return encode(txs, sourceOffset, compressionLevel, null);
    }

    /** @param sealer encrypts the payload (after compression) when not null */
    public static byte[] encode(List<Transaction> txs, String sourceOffset, int compressionLevel, Sealer sealer) {
        ByteWriter payload = payload();
        payload.writeString(sourceOffset == null ? "" : sourceOffset);
        long prevTime = txs.get(0).commitMicros(), prevPos = txs.get(0).position();
        long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
        for (Transaction tx : txs) {
            payload.writeSignedVarLong(tx.commitMicros() - prevTime);
            payload.writeSignedVarLong(tx.position() - prevPos);
            prevTime = tx.commitMicros();
            prevPos = tx.position();
            min = Math.min(min, tx.commitMicros());
            max = Math.max(max, tx.commitMicros());
            payload.writeString(tx.txId());
            payload.writeVarLong(tx.changes().size());
            for (RowChange c : tx.changes()) {
                ChangeCodec.write(payload, c);
            }
        }
        return released(
                frame(
                        VERSION,
                        txs.get(0).sequence(),
                        txs.size(),
                        min,
                        max,
                        txs.get(txs.size() - 1).position(),
                        payload,
                        compressionLevel,
                        sealer),
                payload);
    }

    /**
     * Encodes one part of a large transaction: its changes from {@code changes} until the payload
     * reaches {@code maxPayloadBytes}. The part is the last one (count 1) when {@code changes} is then
     * exhausted, else it continues (count 0).
     */
    public static byte[] encodePart(
            Transaction tx,
            Iterator<RowChange> changes,
            int maxPayloadBytes,
            String sourceOffset,
            int compressionLevel) {
        return encodePart(tx, changes, maxPayloadBytes, sourceOffset, compressionLevel, null);
    }

    public static byte[] encodePart(
            Transaction tx,
            Iterator<RowChange> changes,
            int maxPayloadBytes,
            String sourceOffset,
            int compressionLevel,
            Sealer sealer) {
        ByteWriter payload = payload();
        payload.writeString(sourceOffset == null ? "" : sourceOffset);
        payload.writeString(tx.txId());
        while (changes.hasNext() && payload.size() < maxPayloadBytes) {
            ChangeCodec.write(payload, changes.next());
        }
        int count = changes.hasNext() ? 0 : 1;
        return released(
                frame(
                        PART_VERSION,
                        tx.sequence(),
                        count,
                        tx.commitMicros(),
                        tx.commitMicros(),
                        tx.position(),
                        payload,
                        compressionLevel,
                        sealer),
                payload);
    }

    private static byte[] frame(
            int version,
            long baseSequence,
            int count,
            long min,
            long max,
            long lastPosition,
            ByteWriter payload,
            int compressionLevel,
            Sealer sealer) {
        byte[] frame;
        int stored;
        int compression;
        if (compressionLevel > 0 && sealer == null) {
            // the batch the agent writes: compressed straight into the frame, without copying the payload or the
            // compressed bytes
            frame = new byte[HEADER + (int) Zstd.compressBound(payload.size())];
            long n = Zstd.compressByteArray(
                    frame, HEADER, frame.length - HEADER, payload.array(), 0, payload.size(), compressionLevel);
            if (Zstd.isError(n)) {
                throw new IllegalStateException("zstd could not compress a log batch: " + Zstd.getErrorName(n));
            }
            stored = (int) n;
            compression = ZSTD;
        } else {
            byte[] bytes = compressionLevel > 0
                    ? Zstd.compress(Arrays.copyOf(payload.array(), payload.size()), compressionLevel)
                    : payload.toByteArray();
            compression = compressionLevel > 0 ? ZSTD : NONE;
            if (sealer != null) {
                bytes = sealer.seal(bytes);
                compression |= ENCRYPTED;
            }
            frame = new byte[HEADER + bytes.length];
            System.arraycopy(bytes, 0, frame, HEADER, bytes.length);
            stored = bytes.length;
        }
        ByteBuffer header = ByteBuffer.wrap(frame);
        header.putLong(baseSequence);
        header.putInt(HEADER - LENGTH_PREFIX + stored);
        header.putInt(0);
        header.put((byte) version);
        header.put((byte) compression);
        header.putInt(count);
        header.putLong(min);
        header.putLong(max);
        header.putLong(lastPosition);
        header.putInt(payload.size());
        byte[] bytes = frame.length == HEADER + stored ? frame : Arrays.copyOf(frame, HEADER + stored);
        CRC32C crc = new CRC32C();
        crc.update(bytes, VERSION_AT, bytes.length - VERSION_AT);
        ByteBuffer.wrap(bytes).putInt(CRC, (int) crc.getValue());
        return bytes;
    }

    /** Checks the CRC of a whole batch held in {@code bytes}. */
    public static boolean crcMatches(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, VERSION_AT, bytes.length - VERSION_AT);
        return (int) crc.getValue() == ByteBuffer.wrap(bytes).getInt(CRC);
    }

    /** Decodes a whole plain batch whose CRC was checked. */
    public static Decoded decode(byte[] bytes) {
        return decode(bytes, null, "a log batch");
    }

    /**
     * Decodes a whole batch whose CRC was checked.
     *
     * @param sealer the repository's key, or null for a plain repository; a mismatch is refused
     * @param where  names the batch (file and offset) in errors
     */
    public static Decoded decode(byte[] bytes, Sealer sealer, String where) {
        ByteBuffer h = ByteBuffer.wrap(bytes);
        int version = h.get(VERSION_AT);
        if (version != VERSION && version != PART_VERSION) {
            throw new IllegalStateException("batch format version " + version
                    + " is not supported by this build (supports " + VERSION + " and " + PART_VERSION + ")");
        }
        long base = h.getLong(BASE_SEQUENCE);
        int count = h.getInt(COUNT);
        int payloadLength = h.getInt(PAYLOAD_LENGTH);
        int compression = h.get(COMPRESSION) & 0xff;
        boolean encrypted = (compression & ENCRYPTED) != 0;
        if (encrypted && sealer == null) {
            throw new RepositoryException(where
                    + " is encrypted: give the repository's passphrase (BACKTRACK_PASSPHRASE or --passphrase-file)");
        }
        if (!encrypted && sealer != null) {
            throw new RepositoryException(where
                    + " is not encrypted, but the repository is: a plain batch in an encrypted log is "
                    + "refused; run 'backtrack verify'");
        }
        byte[] stored = Arrays.copyOfRange(bytes, HEADER, bytes.length);
        if (encrypted) {
            stored = sealer.open(stored, where);
        }
        byte[] payload = (compression & ~ENCRYPTED) == ZSTD ? Zstd.decompress(stored, payloadLength) : stored;
        ByteReader in = new ByteReader(payload);
        String offset = in.readString();
        if (version == PART_VERSION) {
            String txId = in.readString();
            List<RowChange> changes = new ArrayList<>();
            while (in.hasRemaining()) {
                changes.add(ChangeCodec.read(in));
            }
            Transaction part =
                    new Transaction(base, h.getLong(MIN_TIME), h.getLong(LAST_POSITION), txId, changes, count == 0);
            return new Decoded(
                    base,
                    count,
                    h.getLong(MIN_TIME),
                    h.getLong(MAX_TIME),
                    h.getLong(LAST_POSITION),
                    offset,
                    List.of(part));
        }
        List<Transaction> txs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long dt = in.readSignedVarLong();
            long dp = in.readSignedVarLong();
            txs.add(readTransaction(in, base + i, dt, dp));
        }
        return rebase(new Decoded(
                base, count, h.getLong(MIN_TIME), h.getLong(MAX_TIME), h.getLong(LAST_POSITION), offset, txs));
    }

    private static Transaction readTransaction(ByteReader in, long sequence, long timeDelta, long positionDelta) {
        String txId = in.readString();
        int n = in.readLength();
        List<RowChange> changes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            changes.add(ChangeCodec.read(in));
        }
        // time and position hold deltas here; rebase() turns them into absolute values
        return new Transaction(sequence, timeDelta, positionDelta, txId, changes);
    }

    /** Deltas are relative to the previous transaction; the first one's absolute values come from the header. */
    private static Decoded rebase(Decoded d) {
        List<Transaction> raw = d.transactions();
        long[] times = new long[raw.size()];
        long[] positions = new long[raw.size()];
        long t = 0, p = 0;
        for (int i = 0; i < raw.size(); i++) {
            t += raw.get(i).commitMicros();
            p += raw.get(i).position();
            times[i] = t;
            positions[i] = p;
        }
        // the header's last position anchors positions; the first commit time is recovered the same way
        long positionShift = d.lastPosition() - positions[positions.length - 1];
        long minRelative = Long.MAX_VALUE;
        for (long x : times) {
            minRelative = Math.min(minRelative, x);
        }
        long timeShift = d.minCommitMicros() - minRelative;
        List<Transaction> out = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            Transaction r = raw.get(i);
            out.add(new Transaction(
                    r.sequence(), times[i] + timeShift, positions[i] + positionShift, r.txId(), r.changes()));
        }
        return new Decoded(
                d.baseSequence(),
                d.count(),
                d.minCommitMicros(),
                d.maxCommitMicros(),
                d.lastPosition(),
                d.sourceOffset(),
                out);
    }
}
