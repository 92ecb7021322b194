package dev.backtrack.repository.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.repository.RepositoryException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SealerTest {
    private static final byte[] SECRET = "contact: ann@example.com".getBytes(StandardCharsets.UTF_8);

    @Test
    void sealsAndOpensAndRefusesAnyChangedByteOrAnotherKey() {
        Sealer s = Sealer.ephemeral();
        byte[] sealed = s.seal(SECRET);
        assertTrue(Sealer.isSealed(sealed));
        assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains("ann@example.com"));
        assertArrayEquals(SECRET, s.open(sealed, "f"));
        assertFalse(Arrays.equals(sealed, s.seal(SECRET)), "a fresh nonce each time");
        for (int i = 0; i < sealed.length; i += 7) {
            byte[] bad = sealed.clone();
            bad[i] ^= 1;
            assertThrows(RepositoryException.class, () -> s.open(bad, "f"), "byte " + i);
        }
        RepositoryException e =
                assertThrows(RepositoryException.class, () -> Sealer.ephemeral().open(sealed, "manifest.json"));
        assertTrue(
                e.getMessage().contains("manifest.json") && e.getMessage().contains("passphrase is wrong"),
                e.getMessage());
        assertTrue(assertThrows(RepositoryException.class, () -> s.open(SECRET, "plain.json"))
                .getMessage()
                .contains("not encrypted"));
    }

    @Test
    void streamsOfEverySizeRoundTripAndACutStreamIsRefused() throws Exception {
        Sealer s = Sealer.ephemeral();
        Random random = new Random(1);
        for (int size : new int[] {
            0, 1, SealedStreams.CHUNK - 1, SealedStreams.CHUNK, SealedStreams.CHUNK + 1, 3 * SealedStreams.CHUNK + 17
        }) {
            byte[] data = new byte[size];
            random.nextBytes(data);
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            try (OutputStream out = SealedStreams.sealing(s, sink)) {
                out.write(data, 0, size / 2);
                for (int i = size / 2; i < size; i++) {
                    out.write(data[i]);
                }
            }
            byte[] sealed = sink.toByteArray();
            try (InputStream in = SealedStreams.opening(s, new ByteArrayInputStream(sealed), "f")) {
                assertArrayEquals(data, in.readAllBytes(), "size " + size);
            }
            byte[] cut = Arrays.copyOf(sealed, sealed.length - 1);
            assertThrows(
                    RepositoryException.class,
                    () -> SealedStreams.opening(s, new ByteArrayInputStream(cut), "f")
                            .readAllBytes(),
                    "cut, size " + size);
            if (size > SealedStreams.CHUNK) {
                // drop the last chunk whole: the stream then ends on a chunk not marked last
                int lastLength = ByteBuffer.wrap(sealed, sealed.length - lastChunkBytes(sealed), 4)
                        .getInt();
                byte[] dropped = Arrays.copyOf(sealed, sealed.length - 4 - lastLength);
                assertThrows(
                        RepositoryException.class,
                        () -> SealedStreams.opening(s, new ByteArrayInputStream(dropped), "f")
                                .readAllBytes());
            }
            assertThrows(
                    RepositoryException.class,
                    () -> SealedStreams.opening(Sealer.ephemeral(), new ByteArrayInputStream(sealed), "f")
                            .readAllBytes());
        }
    }

    /** Bytes of the last chunk (length field included), found by walking the chunks. */
    private static int lastChunkBytes(byte[] sealed) {
        int at = SealedStreams.MAGIC.length + SealedStreams.PREFIX, last = 0;
        while (at < sealed.length) {
            int len = ByteBuffer.wrap(sealed, at, 4).getInt();
            last = 4 + len;
            at += last;
        }
        return last;
    }

    @Test
    void aPassphraseUnwrapsTheMasterKeyAndASecondPassphraseOpensTheSameKey(@TempDir Path repo) {
        Sealer created = RepositoryKeys.create(repo, "first passphrase".toCharArray());
        byte[] sealed = created.seal(SECRET);
        assertArrayEquals(
                SECRET,
                RepositoryKeys.unlock(repo, "first passphrase".toCharArray()).open(sealed, "f"));
        RepositoryException wrong =
                assertThrows(RepositoryException.class, () -> RepositoryKeys.unlock(repo, "guess".toCharArray()));
        assertTrue(wrong.getMessage().contains("does not open"), wrong.getMessage());
        assertThrows(RepositoryException.class, () -> RepositoryKeys.create(repo.resolve("x"), new char[0]));
        assertNotEquals(null, created);
    }
}
