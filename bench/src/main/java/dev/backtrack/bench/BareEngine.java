package dev.backtrack.bench;

import dev.backtrack.capture.postgres.CaptureSettings;
import dev.backtrack.config.SourceConfig;
import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The Debezium engine with a consumer that only counts and acknowledges row changes: what capture
 * costs before the agent does anything with a change, the anchor of a drain. Started on its own
 * thread, it streams until {@link #close}; {@link #awaitEnd} waits for the change that ends the drain.
 * Not thread-safe (one caller).
 */
final class BareEngine implements AutoCloseable {
    private final DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine;
    private final Thread thread;
    private final String slot;
    private final long started;
    private final AtomicLong rows = new AtomicLong();
    private final AtomicLong first = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CountDownLatch finished = new CountDownLatch(1);

    private BareEngine(Properties p, Predicate<Struct> end) {
        slot = p.getProperty("slot.name");
        started = System.nanoTime();
        engine = DebeziumEngine.create(Connect.class)
                .using(p)
                .notifying((records, committer) -> {
                    for (ChangeEvent<SourceRecord, SourceRecord> r : records) {
                        if (r.value().value() instanceof Struct v && v.schema().field("op") != null) {
                            if (rows.incrementAndGet() == 1) {
                                first.set(System.nanoTime());
                            }
                            if (done.get() == 0 && end.test(v)) {
                                done.set(System.nanoTime());
                            }
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

    /**
     * The agent's connector properties for {@code tables} as the 5-argument {@link CaptureSettings#of}
     * gives them (what an agent with {@code source.capture-ddl: off} uses), with only the slot, the
     * name, the offset store (in memory) and {@code snapshot.mode=no_data} changed: it streams from
     * the slot's position.
     */
    static Properties properties(SourceConfig c, List<String> tables, Path repo, int maxBatchSize, String slot) {
        SourceConfig mine = new SourceConfig(
                c.url(),
                c.user(),
                c.password(),
                c.tablesInclude(),
                c.tablesExclude(),
                slot,
                c.publication(),
                c.captureDdl(),
                c.heartbeatInterval());
        Properties p = CaptureSettings.of(
                mine, tables, repo, "org.apache.kafka.connect.storage.MemoryOffsetBackingStore", maxBatchSize);
        p.setProperty("snapshot.mode", "no_data");
        return p;
    }

    /** The properties of {@code p} that differ from {@code agent}'s, as "agent's -> this", for the report. */
    static Map<String, String> differences(Properties agent, Properties p) {
        Map<String, String> changed = new LinkedHashMap<>();
        for (String k : p.stringPropertyNames()) {
            if (!p.getProperty(k).equals(agent.getProperty(k))) {
                changed.put(k, agent.getProperty(k) + " -> " + p.getProperty(k));
            }
        }
        return changed;
    }

    /** Starts the engine; the first row change {@code end} accepts (a Debezium envelope) ends the drain. */
    static BareEngine start(Properties p, Predicate<Struct> end) {
        BareEngine e = new BareEngine(p, end);
        e.thread.start();
        return e;
    }

    /** Waits until the ending change was seen; fails when the engine stopped or {@code waitNanos} passed. */
    void awaitEnd(long waitNanos) throws InterruptedException {
        long deadline = System.nanoTime() + waitNanos;
        while (done.get() == 0) {
            if (finished.getCount() == 0 || System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "the bare engine on slot " + slot + " stopped or timed out after " + rows.get()
                                + " row changes",
                        failure.get());
            }
            Thread.sleep(5);
        }
    }

    /** Row changes seen so far (the drain's and any after it). */
    long rowChanges() {
        return rows.get();
    }

    /** From the start to the ending change. */
    double seconds() {
        return (done.get() - started) / 1e9;
    }

    /** From the first row change to the ending one. */
    double secondsAfterFirst() {
        return (done.get() - first.get()) / 1e9;
    }

    @Override
    public void close() throws Exception {
        engine.close();
        thread.join(TimeUnit.MINUTES.toMillis(1));
    }
}
