package dev.backtrack.bench.jmh;

import dev.backtrack.capture.ChangeDecoder;
import dev.backtrack.repository.codec.ByteReader;
import dev.backtrack.repository.codec.ByteWriter;
import dev.backtrack.repository.codec.RowCodec;
import dev.backtrack.repository.schema.TableSchema;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.data.Struct;
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

/**
 * The row encoding of the log (RowCodec), one row per operation, so ops/s is rows/s; the secondary
 * {@code :mb} result is the encoded row bytes per second in MB (10^6 bytes). The rows are
 * {@code pgbench} (pgbench_accounts: three integers and a blank-padded char(84), 96 bytes encoded)
 * or {@code crm} (a 13-column contact with a ~2.5 KB text, jsonb, numeric, timestamptz, uuid: ~3 KB).
 * <ul>
 *   <li>{@code writeRow}: Object[] to bytes, into a reused buffer;</li>
 *   <li>{@code readRow}: bytes back to Object[] (what a restore or fold does per row);</li>
 *   <li>{@code key}: the primary key's bytes (RowCodec.key, per row in folds and checkpoints);</li>
 * <li>{@code structToRow}: a Debezium Connect Struct to the Object[] row (ChangeDecoder.row, the capture's
 * conversion);</li>
 *   <li>{@code structToBytes}: both, Struct to row to bytes: what a direct Connect-to-log encoder would replace.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RowEncodingBench {
    @Param({"pgbench", "crm"})
    public String row;

    private TableSchema table;
    private final Object[][] rows = new Object[Rows.POOL][];
    private final Struct[] structs = new Struct[Rows.POOL];
    private final byte[][] encoded = new byte[Rows.POOL][];
    private static final int[] KEY = {0};
    private final ByteWriter out = new ByteWriter(8192);
    private ChangeDecoder decoder;
    private int i;

    /** Encoded bytes handled, reported as MB per second beside the rows per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        private long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
        }

        public double mb() {
            return bytes / 1e6;
        }
    }

    @Setup(Level.Trial)
    public void setup() throws ChangeDecoder.SchemaMismatch {
        SplittableRandom r = new SplittableRandom(42);
        table = row.equals("pgbench") ? Rows.ACCOUNTS : Rows.CONTACTS;
        for (int n = 0; n < Rows.POOL; n++) {
            if (row.equals("pgbench")) {
                rows[n] = Rows.account(r, 10);
                structs[n] = Rows.accountStruct(rows[n]);
            } else if (row.equals("crm")) {
                Rows.Contact c = Rows.contact(r, 100_000 + n);
                rows[n] = c.row();
                structs[n] = Rows.contactStruct(c);
            } else {
                throw new IllegalArgumentException("row is pgbench or crm, not " + row);
            }
            ByteWriter w = new ByteWriter(64);
            RowCodec.writeRow(w, rows[n]);
            encoded[n] = w.toByteArray();
        }
        // the conversion under test must give the very values the row encoding gets
        decoder = new ChangeDecoder();
        for (int n = 0; n < Rows.POOL; n++) {
            if (!Arrays.deepEquals(decoder.row(table, structs[n]), rows[n])) {
                throw new IllegalStateException(
                        "ChangeDecoder makes " + Arrays.deepToString(decoder.row(table, structs[n])) + " of row "
                                + Arrays.deepToString(rows[n]));
            }
        }
        long total = 0;
        for (byte[] e : encoded) {
            total += e.length;
        }
        System.out.printf(
                "%n%s rows: %d columns, %.0f bytes encoded on average%n",
                row, rows[0].length, (double) total / Rows.POOL);
    }

    private int next() {
        return i = (i + 1) & (Rows.POOL - 1);
    }

    @Benchmark
    public int writeRow(Bytes b) {
        out.reset();
        RowCodec.writeRow(out, rows[next()]);
        b.bytes += out.size();
        return out.size();
    }

    @Benchmark
    public Object[] readRow(Bytes b) {
        byte[] e = encoded[next()];
        b.bytes += e.length;
        return RowCodec.readRow(new ByteReader(e));
    }

    @Benchmark
    public byte[] key() {
        return RowCodec.key(rows[next()], KEY);
    }

    @Benchmark
    public Object[] structToRow() throws ChangeDecoder.SchemaMismatch {
        return decoder.row(table, structs[next()]);
    }

    @Benchmark
    public int structToBytes(Bytes b) throws ChangeDecoder.SchemaMismatch {
        out.reset();
        RowCodec.writeRow(out, decoder.row(table, structs[next()]));
        b.bytes += out.size();
        return out.size();
    }
}
