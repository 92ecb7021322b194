package dev.backtrack.repository.crypto;

import dev.backtrack.repository.RepositoryException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with one key: whole small files and log batch payloads as
 * {@code "BTE1" ‖ nonce(12) ‖ ciphertext ‖ tag(16)} (the magic is authenticated too), and large
 * files as a chunked stream ({@link SealedStreams}). A random 96-bit nonce per message. Thread-safe.
 */
public final class Sealer {
    static final byte[] MAGIC = "BTE1".getBytes(StandardCharsets.US_ASCII);
    static final int NONCE = 12, TAG_BITS = 128, TAG = 16;
    private static final SecureRandom RANDOM = new SecureRandom();
    private final SecretKeySpec key;

    public Sealer(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("an AES-256 key has 32 bytes, not " + key.length);
        }
        this.key = new SecretKeySpec(key.clone(), "AES");
    }

    /** The key itself, only for wrapping it under another passphrase. */
    byte[] keyBytes() {
        return key.getEncoded();
    }

    /** A sealer with a fresh random key, for scratch files no one else reads. */
    public static Sealer ephemeral() {
        return new Sealer(randomBytes(32));
    }

    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    public static boolean isSealed(byte[] bytes) {
        return bytes.length >= MAGIC.length + NONCE + TAG
                && Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    public byte[] seal(byte[] plain) {
        byte[] nonce = randomBytes(NONCE);
        byte[] body = crypt(Cipher.ENCRYPT_MODE, nonce, MAGIC, plain, 0, plain.length);
        return ByteBuffer.allocate(MAGIC.length + NONCE + body.length)
                .put(MAGIC)
                .put(nonce)
                .put(body)
                .array();
    }

    /** @param what names the file or batch in the error (wrong key or damaged) */
    public byte[] open(byte[] sealed, String what) {
        if (!isSealed(sealed)) {
            throw new RepositoryException(what
                    + " is not encrypted, but the repository is: a plain file in an encrypted repository is refused;"
                    + " run 'backtrack verify' and restore from an intact copy");
        }
        try {
            return crypt(
                    Cipher.DECRYPT_MODE,
                    Arrays.copyOfRange(sealed, MAGIC.length, MAGIC.length + NONCE),
                    MAGIC,
                    sealed,
                    MAGIC.length + NONCE,
                    sealed.length - MAGIC.length - NONCE);
        } catch (WrongKey e) {
            throw new RepositoryException(what
                    + " does not decrypt with this key: the passphrase is wrong, or the file is "
                    + "damaged (run 'backtrack verify')");
        }
    }

    /** Like {@link #open} but signals a wrong key with {@link WrongKey}, for trying several keys. */
    byte[] unwrap(byte[] sealed) {
        if (!isSealed(sealed)) {
            throw new WrongKey();
        }
        return crypt(
                Cipher.DECRYPT_MODE,
                Arrays.copyOfRange(sealed, MAGIC.length, MAGIC.length + NONCE),
                MAGIC,
                sealed,
                MAGIC.length + NONCE,
                sealed.length - MAGIC.length - NONCE);
    }

    /** Thrown when authentication fails: wrong key, or changed bytes. */
    static final class WrongKey extends RuntimeException {
        WrongKey() {
            super(null, null, false, false);
        }
    }

    byte[] crypt(int mode, byte[] nonce, byte[] aad, byte[] in, int off, int len) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad);
            return c.doFinal(in, off, len);
        } catch (AEADBadTagException e) {
            throw new WrongKey();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this JVM: " + e.getMessage(), e);
        }
    }
}
