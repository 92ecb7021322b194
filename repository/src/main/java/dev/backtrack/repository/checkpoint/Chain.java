package dev.backtrack.repository.checkpoint;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.fold.FoldMemory;
import dev.backtrack.repository.fold.LogFold;
import dev.backtrack.repository.fold.TableFold;
import dev.backtrack.repository.schema.SchemaHistory;
import dev.backtrack.repository.schema.TableSchema;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A checkpoint and the ones it is read on top of, full first: {@code F}, {@code F ← D},
 * {@code F ← D ← I ← I}. The state at the tip is the full's rows with each delta's net states
 * laid over them in order. Immutable.
 */
public record Chain(List<Manifest> links) {

    /** The chain ending at {@code tip}; refused when a checkpoint it depends on is gone. */
    public static Chain of(List<Manifest> all, Manifest tip) {
        Map<String, Manifest> byId = all.stream().collect(Collectors.toMap(Manifest::id, m -> m, (a, b) -> a));
        List<Manifest> links = new ArrayList<>();
        Manifest m = tip;
        while (true) {
            links.add(m);
            if (!m.delta()) {
                break;
            }
            Manifest parent = byId.get(m.parent());
            if (parent == null || links.size() > all.size()) {
                throw new RepositoryException(
                        "checkpoint " + m.id() + " is read on top of " + m.parent() + ", which is missing:"
                                + " the chain is broken, run 'backtrack verify' and restore from another checkpoint");
            }
            m = parent;
        }
        Collections.reverse(links);
        return new Chain(List.copyOf(links));
    }

    public Manifest full() {
        return links.get(0);
    }

    public Manifest tip() {
        return links.get(links.size() - 1);
    }

    /** Bytes of data a restore from this chain reads. */
    public long dataBytes() {
        return links.stream().mapToLong(Manifest::bytes).sum();
    }

    public String describe() {
        return links.stream().map(Manifest::id).collect(Collectors.joining(" + "));
    }

    /** The full's table entry whose rows a fold of {@code f} merges with, or null. */
    public Manifest.TableEntry fullEntry(TableFold f) {
        return full().tables().stream()
                .filter(t -> t.schemaId() == f.base().id())
                .findFirst()
                .orElse(null);
    }

    /** The full's rows a fold of {@code f} merges with, in key order (none for a table the full lacks). */
    public Iterator<Map.Entry<byte[], Object[]>> fullRows(Repository repo, TableFold f) {
        Manifest.TableEntry entry = fullEntry(f);
        return entry == null ? Collections.emptyIterator() : ChunkReader.rows(repo.dataDir(), repo.sealer(), entry);
    }

    /**
     * One fold per table, by relation, holding the state at the tip relative to the full: each
     * delta's table moved to its versions, emptied where it replaces, then given the delta's states.
     * Tables a delta does not list were dropped before it.
     */
    public Map<String, TableFold> seed(Repository repo, FoldMemory memory) {
        SchemaHistory schemas = repo.schemas();
        Map<String, TableFold> folds = new LinkedHashMap<>();
        for (Manifest.TableEntry t : full().tables()) {
            TableSchema s = schemas.get(t.schemaId());
            folds.put(LogFold.relation(s), new TableFold(s, memory));
        }
        for (Manifest delta : links.subList(1, links.size())) {
            Map<String, TableFold> next = new LinkedHashMap<>();
            for (Manifest.TableEntry t : delta.tables()) {
                TableSchema s = schemas.get(t.schemaId());
                String relation = LogFold.relation(s);
                TableFold f = folds.get(relation);
                if (f == null) {
                    f = new TableFold(s, memory);
                } else {
                    for (int version : t.versions()) {
                        f.evolve(schemas.get(version), null);
                    }
                    if (t.replaces()) {
                        f.truncate();
                    }
                }
                if (!t.chunks().isEmpty()) {
                    f.addStates(ChunkReader.deltaStates(repo.dataDir(), repo.sealer(), t));
                }
                next.put(relation, f);
            }
            folds = next;
        }
        return folds;
    }
}
