package dev.backtrack.repository.objects;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.repository.RepositoryException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The source's object definitions as of one log position, by key. A checkpoint stores the whole set
 * (a data file); the log carries changes as messages {@link #PREFIX}: {@code {"full": true|false,
 * "query": the DDL statement or null, "objects": [definition...], "dropped": [{"key", "kind", "name",
 * "drop"}...]}} — a full message
 * replaces the set, another one changes and removes what it names. Not thread-safe.
 */
public final class ObjectSet {
    /** The message prefix under which object definitions travel in the log. */
    public static final String PREFIX = "backtrack.objects";

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private final TreeMap<String, ObjectDefinition> byKey = new TreeMap<>();

    public ObjectSet() {}

    public ObjectSet(Collection<ObjectDefinition> objects) {
        objects.forEach(o -> byKey.put(o.key(), o));
    }

    public ObjectSet copy() {
        return new ObjectSet(byKey.values());
    }

    public int size() {
        return byKey.size();
    }

    public ObjectDefinition get(String key) {
        return byKey.get(key);
    }

    /** Every definition, in the order a restore makes them: by phase, rank, then name. */
    public List<ObjectDefinition> ordered() {
        List<ObjectDefinition> out = new ArrayList<>(byKey.values());
        out.sort(Comparator.comparingInt((ObjectDefinition o) -> phaseOrder(o.phase()))
                .thenComparingInt(ObjectDefinition::rank)
                .thenComparing(ObjectDefinition::name));
        return out;
    }

    static int phaseOrder(String phase) {
        return switch (phase) {
            case ObjectDefinition.PRE -> 0;
            case ObjectDefinition.TABLE -> 1;
            default -> 2;
        };
    }

    /**
     * The set at a checkpoint (null when it was written before definitions were kept) with the
     * logged changes after it applied in order; null while no full set is known.
     */
    public static ObjectSet asOf(ObjectSet checkpoint, List<String> changes) {
        ObjectSet set = checkpoint == null ? null : checkpoint.copy();
        for (String c : changes) {
            if (set == null && change(c).full()) {
                set = new ObjectSet();
            }
            if (set != null) {
                set.apply(c);
            }
        }
        return set;
    }

    /**
     * One logged change message, read: whether it replaces the whole set, the statement that made
     * the change (null when the agent read the definitions itself), the definitions it carries, and
     * the objects it drops (key, kind, name and drop statement only).
     */
    public record Change(boolean full, String query, List<ObjectDefinition> objects, List<ObjectDefinition> dropped) {
        /** "kind name" of every object the change makes, changes or drops. */
        public Set<String> touched() {
            Set<String> out = new HashSet<>();
            objects.forEach(o -> out.add(o.describe()));
            dropped.forEach(o -> out.add(o.describe()));
            return out;
        }
    }

    public static Change change(String message) {
        JsonNode root = parse(message);
        List<ObjectDefinition> objects = new ArrayList<>();
        root.path("objects").forEach(o -> objects.add(JSON.convertValue(o, ObjectDefinition.class)));
        List<ObjectDefinition> dropped = new ArrayList<>();
        root.path("dropped").forEach(o -> dropped.add(JSON.convertValue(o, ObjectDefinition.class)));
        return new Change(
                root.path("full").asBoolean(),
                root.path("query").isTextual() ? root.path("query").asText() : null,
                objects,
                dropped);
    }

    /** Applies one logged change message (see the class comment). */
    public void apply(String message) {
        Change c = change(message);
        if (c.full()) {
            byKey.clear();
        }
        c.objects().forEach(d -> byKey.put(d.key(), d));
        c.dropped().forEach(d -> byKey.remove(d.key()));
    }

    /** Each partition's partitioned table, by qualified name (schema.table). */
    public Map<String, String> partitionParents() {
        Map<String, String> out = new TreeMap<>();
        byKey.values().stream()
                .filter(o -> o.isTableEntry() && o.parent() != null)
                .forEach(o -> out.put(o.table(), o.parent()));
        return out;
    }

    /** Every definition, by key. */
    public Collection<ObjectDefinition> all() {
        return byKey.values();
    }

    public static byte[] toJson(ObjectDefinition d) {
        try {
            return JSON.writeValueAsBytes(d);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectDefinition fromJson(byte[] json, String where) {
        try {
            return JSON.readValue(json, ObjectDefinition.class);
        } catch (IOException e) {
            throw new RepositoryException("an object definition in " + where + " cannot be read ("
                    + e.getMessage().split("\n")[0] + "): the repository is damaged, run 'backtrack verify'");
        }
    }

    /**
     * The change message that turns {@code before} into {@code after}: the whole set when
     * {@code before} is null, else what changed and what went; null when nothing did.
     */
    public static String changeMessage(ObjectSet before, ObjectSet after) {
        return changeMessage(before, after, null);
    }

    /** The same, carrying the DDL statement that made the change (null: unknown), for a migration to replay. */
    public static String changeMessage(ObjectSet before, ObjectSet after, String query) {
        if (before == null) {
            return message(true, after.all(), List.of(), query);
        }
        List<ObjectDefinition> changed =
                after.all().stream().filter(d -> !d.equals(before.get(d.key()))).toList();
        List<Map<String, String>> dropped = new ArrayList<>();
        for (ObjectDefinition d : before.all()) {
            if (after.get(d.key()) == null) {
                Map<String, String> gone = new LinkedHashMap<>();
                gone.put("key", d.key());
                gone.put("kind", d.kind());
                gone.put("name", d.name());
                gone.put("drop", d.drop());
                dropped.add(gone);
            }
        }
        if (changed.isEmpty() && dropped.isEmpty()) {
            // the definitions were read after a later statement had changed them already: the statement alone, for a
            // migration to replay
            return query == null ? null : message(false, changed, dropped, query);
        }
        return message(false, changed, dropped, query);
    }

    private static String message(
            boolean full, Collection<ObjectDefinition> objects, List<Map<String, String>> dropped, String query) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("full", full);
        if (query != null) {
            m.put("query", query);
        }
        m.put("objects", objects);
        m.put("dropped", dropped);
        try {
            return JSON.writeValueAsString(m);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String message) {
        try {
            return JSON.readTree(message);
        } catch (IOException e) {
            throw new RepositoryException("a logged object definition change cannot be read ("
                    + e.getMessage().split("\n")[0] + "): the log is damaged, run 'backtrack verify'");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectSet other && other.byKey.equals(byKey);
    }

    @Override
    public int hashCode() {
        return byKey.hashCode();
    }
}
