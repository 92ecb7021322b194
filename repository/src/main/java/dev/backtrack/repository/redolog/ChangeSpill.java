package dev.backtrack.repository.redolog;

import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.codec.ByteReader;
import dev.backtrack.repository.codec.ByteWriter;
import dev.backtrack.repository.codec.ChangeCodec;
import dev.backtrack.repository.crypto.SealedStreams;
import dev.backtrack.repository.crypto.Sealer;
import dev.backtrack.repository.io.OwnerOnly;
import dev.backtrack.repository.model.RowChange;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.AbstractList;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The changes of one open transaction, written to a scratch file once they outgrow memory, so a
 * transaction larger than the heap passes through. Each change is stored as int32 length + its log
 * encoding. Nothing here is durable: an unacknowledged transaction is delivered again after a crash,
 * and the agent empties the spill directory on start. Not thread-safe.
 */
public final class ChangeSpill implements AutoCloseable {
    private final Path file;
    private final Sealer sealer;
    private final DataOutputStream out;
    private final ByteWriter scratch = new ByteWriter(1024);
    private int count;

    private ChangeSpill(Path file, Sealer sealer, DataOutputStream out) {
        this.file = file;
        this.sealer = sealer;
        this.out = out;
    }

    /**
     * Starts a spill file in {@code dir} (created when missing).
     *
     * @param sealer the repository's key, or null for a plain repository
     */
    public static ChangeSpill create(Path dir, String name, Sealer sealer) {
        try {
            OwnerOnly.createDirectories(dir);
            Path file = dir.resolve(name.replaceAll("[^A-Za-z0-9._-]", "_") + ".spill");
            var channel = Files.newByteChannel(
                    file,
                    Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE),
                    OwnerOnly.file());
            OutputStream raw = SealedStreams.sealingIf(sealer, Channels.newOutputStream(channel));
            return new ChangeSpill(file, sealer, new DataOutputStream(new BufferedOutputStream(raw, 1 << 16)));
        } catch (IOException e) {
            throw new RepositoryException(
                    "cannot create a spill file for a large transaction in " + dir + ": " + e.getMessage()
                            + " (check free space)",
                    e);
        }
    }

    /** Removes every spill file left in {@code dir} by an earlier run. */
    public static void clear(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new RepositoryException("cannot empty the spill directory " + dir + ": " + e.getMessage(), e);
        }
    }

    public void add(RowChange change) {
        scratch.reset();
        ChangeCodec.write(scratch, change);
        try {
            out.writeInt(scratch.size());
            out.write(scratch.array(), 0, scratch.size());
        } catch (IOException e) {
            throw new RepositoryException(
                    "cannot write to the spill file " + file + ": " + e.getMessage() + " (check free space)", e);
        }
        count++;
    }

    /** Closes the file for writing; the list reads it back, in order, each time it is iterated. */
    public Changes finish() {
        try {
            out.close();
        } catch (IOException e) {
            throw new RepositoryException(
                    "cannot write to the spill file " + file + ": " + e.getMessage() + " (check free space)", e);
        }
        return new Changes(file, sealer, count);
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException ignored) {
            // only scratch data
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // removed on the next start
        }
    }

    /** Spilled changes as a list that can only be iterated (no random access). */
    public static final class Changes extends AbstractList<RowChange> {
        private final Path file;
        private final Sealer sealer;
        private final int size;

        Changes(Path file, Sealer sealer, int size) {
            this.file = file;
            this.sealer = sealer;
            this.size = size;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public RowChange get(int index) {
            throw new UnsupportedOperationException("spilled changes are read in order only");
        }

        @Override
        public Iterator<RowChange> iterator() {
            DataInputStream in;
            try {
                InputStream raw = SealedStreams.openingIf(sealer, Files.newInputStream(file), "spill file " + file);
                in = new DataInputStream(new BufferedInputStream(raw, 1 << 16));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the spill file " + file, e);
            }
            return new Iterator<>() {
                private int read;

                @Override
                public boolean hasNext() {
                    if (read < size) {
                        return true;
                    }
                    try {
                        in.close();
                    } catch (IOException ignored) {
                        // read to the end already
                    }
                    return false;
                }

                @Override
                public RowChange next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    try {
                        byte[] b = new byte[in.readInt()];
                        in.readFully(b);
                        read++;
                        return ChangeCodec.read(new ByteReader(b));
                    } catch (EOFException e) {
                        throw new RepositoryException(
                                "the spill file " + file + " ends after " + read + " of " + size + " changes", e);
                    } catch (IOException e) {
                        throw new RepositoryException("cannot read the spill file " + file + ": " + e.getMessage(), e);
                    }
                }
            };
        }

        /** Deletes the file behind the list. */
        public void delete() {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // removed on the next start
            }
        }
    }
}
