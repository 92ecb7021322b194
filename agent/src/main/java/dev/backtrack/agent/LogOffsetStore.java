package dev.backtrack.agent;

import dev.backtrack.capture.postgres.ResumeOffset;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.OffsetBackingStore;
import org.apache.kafka.connect.util.Callback;

/**
 * The engine's offset store, backed by the repository: the offset to resume from is the one stored
 * with the last durable log batch (or the checkpoint's), so offset and log can never disagree.
 * Offsets the engine commits are kept in memory only; they matter during the first snapshot, which
 * is restarted from scratch after a crash anyway. Thread-safe.
 */
public final class LogOffsetStore implements OffsetBackingStore {
    private final Map<ByteBuffer, ByteBuffer> staged = new ConcurrentHashMap<>();
    private String repository;

    @Override
    public void configure(WorkerConfig config) {
        repository = config.originalsStrings().get("offset.storage.file.filename");
    }

    @Override
    public void start() {}

    @Override
    public void stop() {}

    @Override
    public Future<Map<ByteBuffer, ByteBuffer>> get(Collection<ByteBuffer> keys) {
        String durable = ResumeOffset.of(DurableOffsets.of(repository));
        Map<ByteBuffer, ByteBuffer> out = new HashMap<>();
        for (ByteBuffer key : keys) {
            if (!durable.isEmpty()) {
                out.put(key, ByteBuffer.wrap(durable.getBytes(StandardCharsets.UTF_8)));
            } else if (staged.containsKey(key)) {
                out.put(key, staged.get(key));
            }
        }
        return CompletableFuture.completedFuture(out);
    }

    @Override
    public Future<Void> set(Map<ByteBuffer, ByteBuffer> values, Callback<Void> callback) {
        staged.putAll(values);
        if (callback != null) {
            callback.onCompletion(null, null);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public Set<Map<String, Object>> connectorPartitions(String connectorName) {
        return Set.of();
    }
}
