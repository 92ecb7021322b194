package dev.backtrack.bench;

import static dev.backtrack.bench.Figures.round;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.repository.position.BinlogPosition;
import dev.backtrack.testkit.MariaDbServer;
import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The bare Debezium MariaDB engine, the anchor of the agent's drain: on its own thread, a consumer that only marks
 * records processed.
 */
final class BinlogBareEngine {
    /** bench_marker ids of the sync rows written before the start positions: above the end-of-backlog marker's. */
    private static final int SYNC_ID = 1000;

    /** A data change the bare engine saw: its table, op and (marker table) id. */
    record Seen(String table, String op, Long id) {}

    private final DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CountDownLatch finished = new CountDownLatch(1);

    private BinlogBareEngine(Properties p, Consumer<Seen> seen) {
        engine = DebeziumEngine.create(Connect.class)
                .using(p)
                .notifying((records, committer) -> {
                    for (ChangeEvent<SourceRecord, SourceRecord> r : records) {
                        if (r.value().value() instanceof Struct v && v.schema().field("op") != null) {
                            Struct source = v.getStruct("source");
                            String table = source == null ? null : source.getString("table");
                            Long id = null;
                            if ("bench_marker".equals(table)) {
                                Struct row =
                                        v.getStruct("after") != null ? v.getStruct("after") : v.getStruct("before");
                                id = row == null ? null : ((Number) row.get("id")).longValue();
                            }
                            seen.accept(new Seen(table, v.getString("op"), id));
                        }
                        committer.markProcessed(r);
                    }
                    committer.markBatchFinished();
                })
                .using((success, message, error) -> {
                    if (!success) {
                        failure.set(error != null ? error : new IllegalStateException(message));
                    }
                    finished.countDown();
                })
                .build();
        thread = new Thread(engine, "bench-bare-engine");
    }

    static BinlogBareEngine start(Properties p, Consumer<Seen> seen) {
        BinlogBareEngine e = new BinlogBareEngine(p, seen);
        e.thread.start();
        return e;
    }

    /**
     * Runs the bare engine until it streams (a sync row committed after its snapshot reaches it), stops
     * it and returns the binlog position its kept offset resumes from.
     */
    static long startPosition(MariaDbServer my, MariaDbSource s) throws Exception {
        Set<Integer> seen = ConcurrentHashMap.newKeySet();
        BinlogBareEngine e = start(s.bareProperties(), r -> {
            if ("bench_marker".equals(r.table) && r.id != null) {
                seen.add(r.id.intValue());
            }
        });
        int last = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        // the snapshot records its position at some moment after the start: a sync row written before that is not
        // streamed
        while (seen.isEmpty()) {
            e.check("the bare engine's first start");
            if (System.nanoTime() > deadline) {
                e.close();
                throw new IllegalStateException("the bare engine saw no sync row within 120 s");
            }
            last++;
            my.execute(
                    s.db, "INSERT INTO bench_marker (id, note, at) VALUES (" + (SYNC_ID + last) + ", 'sync', NOW(6))");
            for (int i = 0; i < 50 && seen.isEmpty(); i++) {
                Thread.sleep(20);
            }
        }
        while (!seen.contains(SYNC_ID + last)) {
            e.check("the bare engine's first start");
            Thread.sleep(20);
        }
        e.close();
        if (KeptOffsets.KEPT.size() != 1) {
            throw new IllegalStateException("the bare engine kept " + KeptOffsets.KEPT.size() + " offsets, not 1");
        }
        JsonNode offset = new ObjectMapper()
                .readTree(StandardCharsets.UTF_8
                        .decode(KeptOffsets.KEPT.values().iterator().next().duplicate())
                        .toString());
        if (offset.path("snapshot").asBoolean(false) || offset.path("file").isMissingNode()) {
            throw new IllegalStateException("the bare engine's kept offset is not a streaming position: " + offset);
        }
        return BinlogPosition.of(offset.get("file").asText(), offset.get("pos").asLong());
    }

    /**
     * Resumes on the backlog and times the engine until it sees the marker transaction committed after it, with the CPU
     * a probe from {@code probes} saw.
     */
    static Map<String, Object> drain(MariaDbSource s, long rowChanges, Supplier<MariaDbProbe> probes) throws Exception {
        AtomicLong rows = new AtomicLong();
        AtomicLong first = new AtomicLong();
        AtomicLong done = new AtomicLong();
        MariaDbProbe probe = probes.get();
        long t0 = System.nanoTime();
        BinlogBareEngine e = start(s.bareProperties(), r -> {
            if (rows.incrementAndGet() == 1) {
                first.set(System.nanoTime());
            }
            if ("bench_marker".equals(r.table) && r.id != null && r.id == MariaDbBench.MARKER_ID && "c".equals(r.op)) {
                done.set(System.nanoTime());
            }
        });
        long deadline = System.nanoTime() + MariaDbBench.WAIT_NANOS;
        while (done.get() == 0) {
            e.check("the bare engine's drain");
            if (System.nanoTime() > deadline) {
                e.close();
                throw new IllegalStateException("the bare engine did not see the marker within 10 minutes ("
                        + rows.get() + " row changes seen)");
            }
            Thread.sleep(5);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        double seconds = (done.get() - t0) / 1e9;
        double afterFirst = (done.get() - first.get()) / 1e9;
        m.put("seconds", round(seconds, 2));
        m.put("row_changes", rowChanges);
        m.put("row_changes_seen", rows.get());
        m.put("rows_per_s", Math.round(rowChanges / seconds));
        m.put("rows_per_s_after_first", Math.round(rowChanges / afterFirst));
        m.put("startup_seconds", round(seconds - afterFirst, 2));
        m.putAll(probe.stop(rowChanges));
        e.close();
        m.put("properties_changed_from_mariadb_settings", s.bareChanges());
        return m;
    }

    void check(String what) {
        if (finished.getCount() == 0) {
            throw new IllegalStateException(what + ": the engine stopped: " + failure.get(), failure.get());
        }
    }

    void close() throws IOException, InterruptedException {
        engine.close();
        thread.join(TimeUnit.MINUTES.toMillis(1));
    }
}
