package dev.backtrack.repository.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TableSorterTest {

    @TempDir
    Path dir;

    /** Keys of two lengths, so that unsigned byte order is not numeric order. */
    private static byte[] key(int i) {
        return i % 3 == 0 ? new byte[] {(byte) (i >>> 8), (byte) i} : ByteBuffer.allocate(4).putInt(i * 7919).array();
    }

    private static byte[] row(byte[] key) {
        byte[] r = Arrays.copyOf(key, key.length + 5);
        r[r.length - 1] = (byte) 0xAB;
        return r;
    }

    private long runFiles(String name) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(name + ".run")).count();
        }
    }

    private List<byte[]> readKeys(Path file) {
        List<byte[]> keys = new ArrayList<>();
        try (RowFile.Reader r = new RowFile.Reader(file)) {
            while (r.next()) {
                assertArrayEquals(row(r.key), r.row, "the row travels with its key");
                keys.add(r.key);
            }
        }
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
        TableSorter sorter = new TableSorter(dir, "t", 2048);
        List<byte[]> expected = feed(sorter, 5000, 1);
        assertTrue(runFiles("t") >= 10, "a tiny budget spills many runs, got " + runFiles("t"));
        assertEquals(5000, sorter.rows());
        Path target = dir.resolve("t.rows");
        sorter.finish(target, 3);
        assertSameKeys(expected, readKeys(target));
        assertEquals(0, runFiles("t"), "runs are removed");
    }

    @Test
    void mergesWhenTheLastRunIsStillInMemory() throws IOException {
        TableSorter sorter = new TableSorter(dir, "t", 60 * 100);
        List<byte[]> expected = feed(sorter, 1050, 2);
        assertTrue(runFiles("t") >= 5, "spilled runs plus rows still buffered");
        Path target = dir.resolve("t.rows");
        sorter.finish(target, 1);
        assertSameKeys(expected, readKeys(target));
    }

    @Test
    void spillsEveryRowWhenEachOneExceedsTheBudget() throws IOException {
        TableSorter sorter = new TableSorter(dir, "t", 1);
        List<byte[]> expected = feed(sorter, 40, 3);
        assertEquals(40, runFiles("t"));
        Path target = dir.resolve("t.rows");
        sorter.finish(target, 3);
        assertSameKeys(expected, readKeys(target));
        assertEquals(0, runFiles("t"));
    }

    @Test
    void sortsInMemoryWhenEverythingFitsTheBudget() throws IOException {
        TableSorter sorter = new TableSorter(dir, "t", 64L << 20);
        List<byte[]> expected = feed(sorter, 2000, 4);
        assertEquals(0, runFiles("t"));
        Path target = dir.resolve("t.rows");
        sorter.finish(target, 3);
        assertSameKeys(expected, readKeys(target));
    }

    @Test
    void anEmptyTableGivesAnEmptyFile() throws IOException {
        TableSorter sorter = new TableSorter(dir, "t", 16);
        Path target = dir.resolve("t.rows");
        sorter.finish(target, 3);
        assertEquals(0, sorter.rows());
        assertTrue(readKeys(target).isEmpty());
    }
}
