package dev.backtrack.bench.jmh;

import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.redolog.LogBatch;
import dev.backtrack.repository.redolog.RedoLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The redo log's append path, one call per operation (ops/s is appends, i.e. fsyncs, per second),
 * with the secondary results {@code :txs}, {@code :changes} (row changes), {@code :rawMB} (the
 * batch payload before compression) and {@code :logMB} (the batch bytes written to the segment) per second.
 * <ul>
 * <li>{@code append}: RedoLog.append, the agent's durable group commit: encoding, zstd, CRC, write, fsync, index
 * entry;</li>
 *   <li>{@code encode}: LogBatch.encode alone, the CPU part of an append without any I/O.</li>
 * </ul>
 * {@code tx}: {@code pgbench} (tpcb-like: 3 updates and a history insert, ~40 bytes of payload per
 * change) or {@code crm} (a new contact with a ~2.5 KB note, 3 activities, an account update: ~780
 * bytes per change). The setup prints the payload and log bytes per change of the batches.
 * {@code txPerAppend}: 1 is a trickle (every transaction its own fsync); 300 is a full engine batch of
 * a backlog (max.batch.size 2048 records: about 340 pgbench or 290 CRM transactions with their BEGIN
 * and END). {@code compressionLevel} 3 is the repository default (0: none).
 * The log goes to a fresh directory under {@code -Dbench.logdir} (default java.io.tmpdir) each
 * iteration: put it on the disk the repository would use, fsync cost is the point.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LogAppendBench {
    @Param({"pgbench", "crm"})
    public String tx;

    @Param({"1", "300"})
    public int txPerAppend;

    @Param({"3"})
    public int compressionLevel;

    /** The agent's segment size (repository.segment-size-mb default). */
    static final long SEGMENT_BYTES = 64L << 20;

    static final String OFFSET_PREFIX =
            "{\"lsn_proc\":%d,\"messageType\":\"COMMIT\",\"lsn_commit\":%d,\"lsn\":%d,\"txId\":%d,\"ts_usec\":%d}";

    private List<List<Transaction>> batches;
    private long[] rawBytes, logBytes;
    private String[] offsets;
    private int changesPerTx;
    private int i;
    private Path dir;
    private RedoLog log;

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long txs, changes;
        private long raw, logged;

        @Setup(Level.Iteration)
        public void reset() {
            txs = changes = raw = logged = 0;
        }

        public double rawMB() {
            return raw / 1e6;
        }

        public double logMB() {
            return logged / 1e6;
        }
    }

    @Setup(Level.Trial)
    public void setup() {
        SplittableRandom r = new SplittableRandom(7);
        // enough different batches that a trickle does not append the same transaction over and over
        int count = Math.max(4, 1024 / txPerAppend);
        batches = new ArrayList<>(count);
        rawBytes = new long[count];
        logBytes = new long[count];
        offsets = new String[count];
        int n = 0;
        for (int b = 0; b < count; b++) {
            List<Transaction> batch = new ArrayList<>(txPerAppend);
            for (int t = 0; t < txPerAppend; t++, n++) {
                Transaction x = switch (tx) {
                    case "pgbench" -> Rows.pgbenchTx(r, n);
                    case "crm" -> Rows.crmTx(r, n);
                    default -> throw new IllegalArgumentException("tx is pgbench or crm, not " + tx);
                };
                batch.add(x.withSequence(1 + n));
            }
            Transaction last = batch.get(batch.size() - 1);
            offsets[b] = String.format(
                    OFFSET_PREFIX,
                    last.position() + 8,
                    last.position(),
                    last.position() + 8,
                    Long.parseLong(last.txId()),
                    last.commitMicros());
            batches.add(batch);
            // LogBatch's header is 50 bytes
            rawBytes[b] = LogBatch.encode(batch, offsets[b], 0).length - 50;
            logBytes[b] = LogBatch.encode(batch, offsets[b], compressionLevel).length;
        }
        changesPerTx = batches.get(0).get(0).changes().size();
        long raw = 0, logged = 0, changes = 0;
        for (int b = 0; b < count; b++) {
            raw += rawBytes[b];
            logged += logBytes[b];
            for (Transaction t : batches.get(b)) {
                changes += t.changes().size();
            }
        }
        System.out.printf(
                "%n%s, %d per append: %.0f payload bytes per row change, %.0f in the log (zstd level %d, %.1fx)%n",
                tx,
                txPerAppend,
                (double) raw / changes,
                (double) logged / changes,
                compressionLevel,
                (double) raw / logged);
    }

    @Setup(Level.Iteration)
    public void openLog() throws IOException {
        Path base = Path.of(System.getProperty("bench.logdir", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(base);
        dir = Files.createTempDirectory(base, "backtrack-jmh-log");
        log = RedoLog.openForAppend(dir, null, SEGMENT_BYTES, compressionLevel);
    }

    @TearDown(Level.Iteration)
    public void closeLog() throws IOException {
        log.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private int next(Counters c) {
        i = (i + 1) % batches.size();
        c.txs += txPerAppend;
        c.changes += (long) txPerAppend * changesPerTx;
        c.raw += rawBytes[i];
        c.logged += logBytes[i];
        return i;
    }

    @Benchmark
    public List<Transaction> append(Counters c) {
        int b = next(c);
        return log.append(batches.get(b), offsets[b]);
    }

    @Benchmark
    public byte[] encode(Counters c) {
        int b = next(c);
        return LogBatch.encode(batches.get(b), offsets[b], compressionLevel);
    }
}
