package dev.backtrack.repository.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableSorterTest {

    @TempDir
    Path dir;

    /** Keys of two lengths, so that unsigned byte order is not numeric order. */
    private static byte[] key(int i) {
        return i % 3 == 0
                ? new byte[] {(byte) (i >>> 8), (byte) i}
                : ByteBuffer.allocate(4).putInt(i * 7919).array();
    }

    private static byte[] row(byte[] key) {
        byte[] r = Arrays.copyOf(key, key.length + 5);
        r[r.length - 1] = (byte) 0xAB;
        return r;
    }

    private long runFiles(String name) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(name + ".run"))
                    .count();
        }
    }

    /**
     * Sorts into chunks of about 4 KiB, so the larger cases span several; returns the keys read back from them in
     * order.
     */
    private List<byte[]> finishAndRead(TableSorter sorter, int level) throws IOException {
        System.setProperty("backtrack.chunk-bytes", "4096");
        List<Manifest.Chunk> chunks;
        try {
            ChunkSink sink = new ChunkSink(dir.resolve("t"), dir.resolve("data"), level, null);
            sorter.finish(sink);
            chunks = sink.finish();
        } finally {
            System.clearProperty("backtrack.chunk-bytes");
        }
        List<byte[]> keys = new ArrayList<>();
        for (Manifest.Chunk c : chunks) {
            DataStore.check(dir.resolve("data"), c);
            try (RowFile.Reader r = new RowFile.Reader(DataStore.file(dir.resolve("data"), c.sha256()), null)) {
                long n = 0;
                while (r.next()) {
                    assertArrayEquals(row(r.key), r.row, "the row travels with its key");
                    keys.add(r.key);
                    n++;
                }
                assertEquals(c.rows(), n);
            }
        }
        assertTrue(keys.size() < 1000 || chunks.size() > 1, "a large table spans several chunks");
        return keys;
    }

    /** Distinct keys 0..n-1 in random order; returns them sorted as unsigned bytes. */
    private static List<byte[]> feed(TableSorter sorter, int n, long seed) {
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(key(i));
        }
        assertEquals(n, keys.stream().map(Arrays::toString).distinct().count(), "test keys are distinct");
        Collections.shuffle(keys, new Random(seed));
        keys.forEach(k -> sorter.add(k, row(k)));
        List<byte[]> sorted = new ArrayList<>(keys);
        sorted.sort(Arrays::compareUnsigned);
        return sorted;
    }

    private static void assertSameKeys(List<byte[]> expected, List<byte[]> actual) {
        assertEquals(expected.size(), actual.size(), "row count");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "key at " + i);
        }
    }

    @Test
    void mergesManySpilledRunsIntoOneSortedFile() throws IOException {
        TableSorter sorter = new TableSorter(dir, "t", 2048, null);
        List<byte[]> expected = feed(sorter, 5000, 1);
        assertTrue(runFiles("t") >= 10, "a tiny budget spills many runs, got " + runFiles("t"));
        assertEquals(5000, sorter.rows());
        List<byte[]> actual = finishAndRead(sorter, 3);
        assertSameKeys(expected, actual);
        assertEquals(0, runFiles("t"), "runs are removed");
    }

    @Test
    void mergesWhenTheLastRunIsStillInMemory() throws IOException {
        TableSorter sorter = new TableSorter(dir, "t", 60 * 100, null);
        List<byte[]> expected = feed(sorter, 1050, 2);
        assertTrue(runFiles("t") >= 5, "spilled runs plus rows still buffered");
        List<byte[]> actual = finishAndRead(sorter, 1);
        assertSameKeys(expected, actual);
    }

    @Test
    void spillsEveryRowWhenEachOneExceedsTheBudget() throws IOException {
        TableSorter sorter = new TableSorter(dir, "t", 1, null);
        List<byte[]> expected = feed(sorter, 40, 3);
        assertEquals(40, runFiles("t"));
        List<byte[]> actual = finishAndRead(sorter, 3);
        assertSameKeys(expected, actual);
        assertEquals(0, runFiles("t"));
    }

    @Test
    void sortsInMemoryWhenEverythingFitsTheBudget() throws IOException {
        TableSorter sorter = new TableSorter(dir, "t", 64L << 20, null);
        List<byte[]> expected = feed(sorter, 2000, 4);
        assertEquals(0, runFiles("t"));
        List<byte[]> actual = finishAndRead(sorter, 3);
        assertSameKeys(expected, actual);
    }

    @Test
    void anEmptyTableGivesAnEmptyFile() throws IOException {
        TableSorter sorter = new TableSorter(dir, "t", 16, null);
        List<byte[]> actual = finishAndRead(sorter, 3);
        assertEquals(0, sorter.rows());
        assertTrue(actual.isEmpty());
    }
}
