package dev.backtrack.connectors.target;

import dev.backtrack.config.Engine;
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
    private final Engine engine;

    public SkippedObjects(ObjectSet objects, Engine targetEngine) {
        this.skipped = objects.ordered().stream()
                .filter(o -> !o.isTableEntry() && !o.kind().equals("schema"))
                .toList();
        this.engine = targetEngine;
    }

    @Override
    public void check() {}

    @Override
    public void make(String phase) {}

    @Override
    public List<String> finish() {
        return leftOut();
    }

    @Override
    public List<String> leftOut() {
        return skipped.stream()
                .map(o ->
                        "left out: " + o.describe() + " (a " + engine + " target cannot take the source's definition)")
                .toList();
    }

    @Override
    public void undo() {}

    @Override
    public Map<String, Integer> counts() {
        Map<String, Integer> out = new TreeMap<>();
        skipped.forEach(o -> out.merge("skipped " + o.kind(), 1, Integer::sum));
        return out;
    }
}
