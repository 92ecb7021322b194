package dev.backtrack.repository.crypto;

import dev.backtrack.repository.RepositoryException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.Cipher;

/**
 * Large files as a chunked AES-256-GCM stream, so neither side holds a whole file:
 * {@code "BTS1" ‖ noncePrefix(8)}, then chunks of {@code int32 length ‖ ciphertext ‖ tag}, each of at
 * most 64 KiB of plaintext with nonce {@code prefix ‖ chunk number} and the last chunk marked in its
 * associated data, so reordered, dropped or cut-off chunks fail to decrypt. Not thread-safe.
 */
public final class SealedStreams {
    static final byte[] MAGIC = "BTS1".getBytes(StandardCharsets.US_ASCII);
    static final int CHUNK = 64 << 10, PREFIX = 8;
    private static final byte[] MIDDLE = {0}, LAST = {1};

    private SealedStreams() {}

    /** {@code raw} sealed with {@code sealer}, or {@code raw} itself when there is no key (a plain repository). */
    public static OutputStream sealingIf(Sealer sealer, OutputStream raw) throws IOException {
        return sealer == null ? raw : sealing(sealer, new BufferedOutputStream(raw, 1 << 16));
    }

    /**
     * {@code raw} opened with {@code sealer}, or {@code raw} itself when there is no key; {@code what} names the file
     * in errors.
     */
    public static InputStream openingIf(Sealer sealer, InputStream raw, String what) throws IOException {
        return sealer == null ? raw : opening(sealer, new BufferedInputStream(raw, 1 << 16), what);
    }

    public static OutputStream sealing(Sealer sealer, OutputStream raw) throws IOException {
        byte[] prefix = Sealer.randomBytes(PREFIX);
        raw.write(MAGIC);
        raw.write(prefix);
        return new FilterOutputStream(raw) {
            private final byte[] buf = new byte[CHUNK];
            private int n;
            private int chunk;
            private boolean closed;

            @Override
            public void write(int b) throws IOException {
                if (n == CHUNK) {
                    flushChunk(false);
                }
                buf[n++] = (byte) b;
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                while (len > 0) {
                    if (n == CHUNK) {
                        flushChunk(false);
                    }
                    int k = Math.min(len, CHUNK - n);
                    System.arraycopy(b, off, buf, n, k);
                    n += k;
                    off += k;
                    len -= k;
                }
            }

            private void flushChunk(boolean last) throws IOException {
                byte[] sealed =
                        sealer.crypt(Cipher.ENCRYPT_MODE, nonce(prefix, chunk++), last ? LAST : MIDDLE, buf, 0, n);
                out.write(ByteBuffer.allocate(4).putInt(sealed.length).array());
                out.write(sealed);
                n = 0;
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                if (closed) {
                    return;
                }
                closed = true;
                flushChunk(true);
                out.close();
            }
        };
    }

    /** @param what names the file in errors */
    public static InputStream opening(Sealer sealer, InputStream raw, String what) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        byte[] magic = in.readNBytes(MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new RepositoryException(what
                    + " is not encrypted, but the repository is: a plain file in an encrypted repository is refused;"
                    + " run 'backtrack verify'");
        }
        byte[] prefix = in.readNBytes(PREFIX);
        return new Opened(sealer, in, what, prefix);
    }

    /** The plaintext of a sealed stream, decrypted a chunk at a time as it is read. */
    private static final class Opened extends InputStream {
        private final Sealer sealer;
        private final DataInputStream in;
        private final String what;
        private final byte[] prefix;
        private byte[] plain = new byte[0];
        private int pos;
        private int chunk;
        private boolean ended;

        Opened(Sealer sealer, DataInputStream in, String what, byte[] prefix) {
            this.sealer = sealer;
            this.in = in;
            this.what = what;
            this.prefix = prefix;
        }

        private boolean fill() throws IOException {
            while (pos == plain.length) {
                if (ended) {
                    return false;
                }
                byte[] sealed = nextSealedChunk();
                plain = decrypt(sealed);
                pos = 0;
            }
            return true;
        }

        /** The next chunk's ciphertext and tag, refused when its length is damaged or the file ends early. */
        private byte[] nextSealedChunk() throws IOException {
            int len;
            try {
                len = in.readInt();
            } catch (EOFException e) {
                throw new RepositoryException(
                        what + " ends before its last encrypted chunk: the file was cut short, run 'backtrack verify'");
            }
            if (len < Sealer.TAG || len > CHUNK + Sealer.TAG) {
                throw new RepositoryException(
                        what + " has a damaged encrypted chunk (length " + len + "): run 'backtrack verify'");
            }
            byte[] sealed = in.readNBytes(len);
            if (sealed.length != len) {
                throw new RepositoryException(
                        what + " ends inside an encrypted chunk: the file was cut short, run 'backtrack verify'");
            }
            return sealed;
        }

        /** Tried as a middle chunk, then as the last one (which ends the stream). */
        private byte[] decrypt(byte[] sealed) {
            byte[] n = nonce(prefix, chunk++);
            try {
                return sealer.crypt(Cipher.DECRYPT_MODE, n, MIDDLE, sealed, 0, sealed.length);
            } catch (Sealer.WrongKey middle) {
                try {
                    byte[] last = sealer.crypt(Cipher.DECRYPT_MODE, n, LAST, sealed, 0, sealed.length);
                    ended = true;
                    return last;
                } catch (Sealer.WrongKey neither) {
                    throw new RepositoryException(what
                            + " does not decrypt with this key: the passphrase is wrong, or the file "
                            + "is damaged (run 'backtrack verify')");
                }
            }
        }

        @Override
        public int read() throws IOException {
            return fill() ? plain[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int k = Math.min(len, plain.length - pos);
            System.arraycopy(plain, pos, b, off, k);
            pos += k;
            return k;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    private static byte[] nonce(byte[] prefix, int chunk) {
        return ByteBuffer.allocate(Sealer.NONCE).put(prefix).putInt(chunk).array();
    }
}
