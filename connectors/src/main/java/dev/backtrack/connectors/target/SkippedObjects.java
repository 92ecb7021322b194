package dev.backtrack.connectors.target;

import dev.backtrack.repository.objects.ObjectDefinition;
import dev.backtrack.repository.objects.ObjectSet;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The objects a target of another engine cannot take (written in the source's dialect): none is
 * made, each is listed in the report so nothing is dropped silently. A table's own entry (options,
 * ownership) is not listed: its table is restored. Not thread-safe.
 */
public final class SkippedObjects implements ObjectRestore {
    private final List<ObjectDefinition> skipped;
    private final String engine;
    private final boolean strict;

    /** @param strict refuse the restore, before anything is written, when something would be left out */
    public SkippedObjects(ObjectSet objects, String targetEngine, boolean strict) {
        this.skipped = objects.ordered().stream().filter(o -> !o.isTableEntry() && !o.kind().equals("schema")).toList();
        this.engine = targetEngine;
        this.strict = strict;
    }

    @Override
    public void check() {
        if (strict && !skipped.isEmpty()) {
            throw new dev.backtrack.connectors.postgres.SourceException("--strict: a " + engine + " target cannot take " + skipped.size()
                    + " objects written in the source's dialect (" + skipped.stream().limit(5).map(ObjectDefinition::describe)
                    .collect(java.util.stream.Collectors.joining(", ")) + (skipped.size() > 5 ? ", ..." : "")
                    + "): restore into the source's engine, or leave --strict out to restore without them");
        }
    }

    @Override
    public void make(String phase) {
    }

    @Override
    public List<String> finish() {
        return skipped.stream().map(o -> "left out: " + o.describe() + " (a " + engine + " target cannot take the source's definition)").toList();
    }

    @Override
    public void undo() {
    }

    @Override
    public Map<String, Integer> counts() {
        Map<String, Integer> out = new TreeMap<>();
        skipped.forEach(o -> out.merge("skipped " + o.kind(), 1, Integer::sum));
        return out;
    }
}
