package dev.backtrack.agent;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Where {@link LogOffsetStore} finds the offset that is durable in a repository: the running agent
 * registers a supplier under the repository path (the engine instantiates the store itself, so it
 * cannot be handed one). Thread-safe.
 */
final class DurableOffsets {
    private static final Map<String, Supplier<String>> SOURCES = new ConcurrentHashMap<>();

    private DurableOffsets() {}

    static void register(String repository, Supplier<String> offsetJson) {
        SOURCES.put(repository, offsetJson);
    }

    static void unregister(String repository) {
        SOURCES.remove(repository);
    }

    /** The durable offset as JSON, or "" when there is none yet. */
    static String of(String repository) {
        Supplier<String> s = SOURCES.get(repository);
        return s == null ? "" : s.get();
    }
}
