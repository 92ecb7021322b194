package dev.backtrack.repository.fold;

import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.codec.ByteReader;
import dev.backtrack.repository.codec.ByteWriter;
import dev.backtrack.repository.codec.RowCodec;
import dev.backtrack.repository.crypto.SealedStreams;
import dev.backtrack.repository.crypto.Sealer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * A table's fold state at one point, spilled to a scratch file sorted by key (unsigned bytes, the
 * checkpoints' order). Each record: int32 length, then varint key length, key, int8 deleted,
 * svarint copies, and the row when there is one. Immutable once written.
 */
final class FoldRun implements NetStates {

    final Path file;
    private final Sealer sealer;

    private FoldRun(Path file, Sealer sealer) {
        this.file = file;
        this.sealer = sealer;
    }

    /** Writes states, which must already be in key order; encrypted with {@code sealer} when it is not null. */
    static FoldRun write(Path file, List<NetState> sorted, Sealer sealer) {
        return write(file, sorted.iterator(), sealer);
    }

    /** Like {@link #write(Path, List, Sealer)}, streaming: memory holds one state at a time. */
    static FoldRun write(Path file, Iterator<NetState> sorted, Sealer sealer) {
        ByteWriter scratch = new ByteWriter(1024);
        try (DataOutputStream out = new DataOutputStream(
                new BufferedOutputStream(SealedStreams.sealingIf(sealer, Files.newOutputStream(file)), 1 << 16))) {
            while (sorted.hasNext()) {
                NetState s = sorted.next();
                scratch.reset();
                scratch.writeVarLong(s.key().length);
                scratch.writeBytes(s.key());
                scratch.writeByte(s.deleted() ? 1 : 0);
                scratch.writeSignedVarLong(s.copies());
                scratch.writeByte(s.row() != null ? 1 : 0);
                if (s.row() != null) {
                    RowCodec.writeRow(scratch, s.row());
                }
                out.writeInt(scratch.size());
                out.write(scratch.array(), 0, scratch.size());
            }
        } catch (IOException e) {
            throw new RepositoryException(
                    "cannot write the fold's scratch file " + file + ": " + e.getMessage()
                            + " (set -Djava.io.tmpdir to a directory with free space)",
                    e);
        }
        return new FoldRun(file, sealer);
    }

    static List<NetState> sort(List<NetState> states) {
        List<NetState> out = new ArrayList<>(states);
        out.sort((a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
        return out;
    }

    /** Reads the states back in key order. */
    @Override
    public Iterator<NetState> read() {
        DataInputStream in;
        try {
            InputStream raw = SealedStreams.openingIf(sealer, Files.newInputStream(file), "fold scratch file " + file);
            in = new DataInputStream(new BufferedInputStream(raw, 1 << 16));
        } catch (IOException e) {
            throw new RepositoryException("cannot read the fold's scratch file " + file + ": " + e.getMessage(), e);
        }
        return new LookAhead<>() {
            @Override
            protected NetState advance() {
                try {
                    int n;
                    try {
                        n = in.readInt();
                    } catch (EOFException end) {
                        in.close();
                        return null;
                    }
                    byte[] b = new byte[n];
                    in.readFully(b);
                    ByteReader r = new ByteReader(b);
                    byte[] key = r.readBytes(r.readLength());
                    boolean deleted = r.readByte() == 1;
                    int copies = (int) r.readSignedVarLong();
                    Object[] row = r.readByte() == 1 ? RowCodec.readRow(r) : null;
                    return new NetState(key, row, deleted, copies);
                } catch (IOException e) {
                    throw new RepositoryException(
                            "cannot read the fold's scratch file " + file + ": " + e.getMessage(), e);
                }
            }
        };
    }

    @Override
    public void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the scratch directory goes as a whole at the end
        }
    }
}
