package dev.backtrack.repository.checkpoint;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.crypto.SealedStreams;
import dev.backtrack.repository.crypto.Sealer;
import dev.backtrack.repository.io.OwnerOnly;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * A zstd stream of records, for checkpoint data files and sort runs. Full: int32 key length, key,
 * int32 row length, row. Delta: int32 key length, key, int32 copies, int32 row length (-1: the key
 * was deleted, no row), row. Not thread-safe.
 */
final class RowFile {
    private RowFile() {}

    /** @param sealer encrypts the file; null for a plain repository */
    static DataOutputStream create(Path file, int level, Sealer sealer) throws IOException {
        OutputStream raw = Channels.newOutputStream(FileChannel.open(
                file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OwnerOnly.file()));
        // compressed, then encrypted: ciphertext does not compress
        raw = SealedStreams.sealingIf(sealer, raw);
        return new DataOutputStream(new BufferedOutputStream(new ZstdOutputStream(raw, level), 1 << 16));
    }

    static void write(DataOutputStream out, byte[] key, byte[] row) throws IOException {
        out.writeInt(key.length);
        out.write(key);
        out.writeInt(row.length);
        out.write(row);
    }

    static void writeDelta(DataOutputStream out, byte[] key, int copies, byte[] row) throws IOException {
        out.writeInt(key.length);
        out.write(key);
        out.writeInt(copies);
        out.writeInt(row == null ? -1 : row.length);
        if (row != null) {
            out.write(row);
        }
    }

    /** Sequential reader; {@link #next()} returns false at the end. */
    static final class Reader implements AutoCloseable {
        private final Path file;
        private final DataInputStream in;
        private final boolean delta;
        byte[] key;
        byte[] row;
        int copies;

        Reader(Path file, Sealer sealer) {
            this(file, sealer, false);
        }

        Reader(Path file, Sealer sealer, boolean delta) {
            this.file = file;
            this.delta = delta;
            try {
                InputStream raw =
                        SealedStreams.openingIf(sealer, Files.newInputStream(file), "checkpoint data file " + file);
                this.in = new DataInputStream(new BufferedInputStream(new ZstdInputStream(raw), 1 << 16));
            } catch (IOException e) {
                throw new RepositoryException("cannot open checkpoint data file " + file + ": " + e.getMessage(), e);
            }
        }

        boolean next() {
            try {
                int k;
                try {
                    k = in.readInt();
                } catch (EOFException e) {
                    return false;
                }
                key = in.readNBytes(k);
                copies = delta ? in.readInt() : 0;
                int r = in.readInt();
                row = r < 0 && delta ? null : in.readNBytes(r);
                if (key.length != k || (row != null && row.length != r)) {
                    throw new EOFException("record cut short");
                }
                return true;
            } catch (IOException e) {
                throw new RepositoryException(
                        "checkpoint data file " + file + " is damaged (" + e.getMessage()
                                + "): run 'backtrack verify' and restore from another checkpoint",
                        e);
            }
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException ignored) {
                // read-only
            }
        }
    }
}
