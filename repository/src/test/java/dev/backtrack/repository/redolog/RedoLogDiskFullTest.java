package dev.backtrack.repository.redolog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.testkit.SmallFileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log on a 1 MiB file system that fills up: every failed append (mid-batch, or while rolling to a
 * new segment) leaves the log and its indexes as they were, and once space returns appending goes
 * on with the next sequence, in the same process and after a reopen.
 */
class RedoLogDiskFullTest {
    private final Random random = new Random(7);
    private long n;

    @Test
    void aFullDiskFailsAppendsWithoutDamageAndAppendingResumesWhenSpaceReturns(@TempDir Path dir) throws Exception {
        assumeTrue(SmallFileSystem.possible(), "mounting a small file system needs root (CI runs as root)");
        try (SmallFileSystem fs = SmallFileSystem.mount(dir.resolve("fs"), 1 << 20)) {
            fs.occupy(512 << 10);
            Path logDir = fs.dir().resolve("log");
            List<Transaction> logged = new ArrayList<>();
            int failures = 0;
            try (RedoLog log = RedoLog.openForAppend(logDir, null, 64 << 10, 3)) {
                // large and single-transaction batches in turn, until five have found the disk full
                for (int i = 0; failures < 5 && i < 10_000; i++) {
                    List<Transaction> batch = batch(i % 2 == 0 ? 12 : 1);
                    long next = log.nextSequence();
                    try {
                        logged.addAll(log.append(batch, "offset-" + i));
                    } catch (RepositoryException full) {
                        assertTrue(
                                full.getMessage().contains("No space left on device")
                                        && full.getMessage().contains("nothing was acknowledged"),
                                full.getMessage());
                        assertEquals(next, log.nextSequence(), "a failed append assigns no sequence");
                        failures++;
                    }
                }
                assertEquals(5, failures, "the file system never filled up");
                assertIntact(logDir, logged);

                fs.free();
                for (int i = 0; i < 10; i++) {
                    logged.addAll(log.append(batch(6), "after-" + i));
                }
                assertIntact(logDir, logged);
            }
            try (RedoLog reopened = RedoLog.openForAppend(logDir, null, 64 << 10, 3)) {
                assertEquals(logged.size() + 1, reopened.nextSequence());
                assertEquals("after-9", reopened.lastSourceOffset());
            }
            assertIntact(logDir, logged);
        }
    }

    /** The log reads back exactly what was acknowledged, checks clean, and every segment's index fits it. */
    private static void assertIntact(Path logDir, List<Transaction> logged) throws Exception {
        Txs.assertSameTransactions(logged, Txs.readAll(logDir, 1));
        LogCheck.Result check = LogCheck.run(logDir, line -> {});
        assertEquals(List.of(), check.problems());
        assertEquals("clean", check.tail());
        assertEquals(logged.size(), check.lastSequence());
        for (long base : RedoLog.segmentBases(logDir)) {
            assertNotNull(
                    SegmentIndex.read(SegmentName.index(logDir, base), Files.size(SegmentName.log(logDir, base))),
                    "the index of segment " + base + " fits it");
        }
    }

    /** Transactions of one insert with 3 KB that zstd cannot shrink much. */
    private List<Transaction> batch(int count) {
        List<Transaction> out = new ArrayList<>();
        for (int i = 0; i < count; i++, n++) {
            byte[] noise = new byte[2304];
            random.nextBytes(noise);
            out.add(new Transaction(
                    0,
                    Txs.T0 + n * 1000,
                    0x1000_0000L + n * 64,
                    "tx" + n,
                    List.of(new RowChange(1, Op.INSERT, null, new Object[] {
                        n, Base64.getEncoder().encodeToString(noise)
                    }))));
        }
        return out;
    }
}
