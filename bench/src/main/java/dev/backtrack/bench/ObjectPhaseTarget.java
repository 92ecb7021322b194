package dev.backtrack.bench;

import dev.backtrack.config.Engine;
import dev.backtrack.connectors.target.ChangeApplier;
import dev.backtrack.connectors.target.ObjectRestore;
import dev.backtrack.connectors.target.TargetDatabase;
import dev.backtrack.repository.objects.ObjectSet;
import dev.backtrack.repository.schema.TableSchema;
import java.sql.Connection;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A restore's target that times the restore's object phases (check, pre, table, post, finish: what
 * {@link ObjectRestore} does), or with {@code withObjects} false makes none of the objects: the
 * restore then runs as from a checkpoint written before definitions were kept ({@link
 * ObjectRestore#NONE}), rows, keys, indexes, constraints and sequences alone. Everything else is the
 * wrapped target's. The restore calls the object phases on one thread; read {@link #seconds} after it.
 */
final class ObjectPhaseTarget implements TargetDatabase {
    private final TargetDatabase target;
    private final boolean withObjects;
    private final Map<String, Long> nanos = new LinkedHashMap<>();

    ObjectPhaseTarget(TargetDatabase target, boolean withObjects) {
        this.target = target;
        this.withObjects = withObjects;
    }

    /** Seconds spent in each object phase, in the order they ran, and their total under "total". */
    Map<String, Double> seconds() {
        Map<String, Double> m = new LinkedHashMap<>();
        nanos.forEach((k, v) -> m.put(k, Figures.round(v / 1e9, 3)));
        m.put(
                "total",
                Figures.round(nanos.values().stream().mapToLong(Long::longValue).sum() / 1e9, 3));
        return m;
    }

    @Override
    public ObjectRestore objects(ObjectSet objects, ObjectRestore.Options options, ObjectRestore.Scope scope) {
        if (!withObjects) {
            return ObjectRestore.NONE;
        }
        ObjectRestore inner = target.objects(objects, options, scope);
        return new ObjectRestore() {
            public void check() {
                long t0 = System.nanoTime();
                inner.check();
                nanos.merge("check", System.nanoTime() - t0, Long::sum);
            }

            public void make(String phase) {
                long t0 = System.nanoTime();
                inner.make(phase);
                nanos.merge(phase, System.nanoTime() - t0, Long::sum);
            }

            public List<String> finish() {
                long t0 = System.nanoTime();
                List<String> notes = inner.finish();
                nanos.merge("finish", System.nanoTime() - t0, Long::sum);
                return notes;
            }

            public void undo() {
                inner.undo();
            }

            public Map<String, Integer> counts() {
                return inner.counts();
            }
        };
    }

    @Override
    public Engine engine() {
        return target.engine();
    }

    @Override
    public TargetDatabase another() {
        return target.another();
    }

    @Override
    public void checkEmpty() {
        target.checkEmpty();
    }

    @Override
    public void begin() {
        target.begin();
    }

    @Override
    public void commit() {
        target.commit();
    }

    @Override
    public void rollback() {
        target.rollback();
    }

    @Override
    public void createTables(Collection<TableSchema> tables, Map<String, String> sequences) {
        target.createTables(tables, sequences);
    }

    @Override
    public void dropRestored(Collection<TableSchema> tables, Map<String, String> sequences) {
        target.dropRestored(tables, sequences);
    }

    @Override
    public List<String> syncObjects(ObjectSet source, Predicate<String> wanted) {
        return target.syncObjects(source, wanted);
    }

    @Override
    public List<String> objectDifferences(ObjectSet source, Predicate<String> wanted) {
        return target.objectDifferences(source, wanted);
    }

    @Override
    public RowLoader load(TableSchema table) {
        return target.load(table);
    }

    @Override
    public void addKeys(Collection<TableSchema> tables) {
        target.addKeys(tables);
    }

    @Override
    public List<String> addIndexesAndConstraints(Collection<TableSchema> tables) {
        return target.addIndexesAndConstraints(tables);
    }

    @Override
    public void addIndexes(Collection<TableSchema> tables) {
        target.addIndexes(tables);
    }

    @Override
    public List<String> addForeignKeys(Collection<TableSchema> tables) {
        return target.addForeignKeys(tables);
    }

    @Override
    public void setSequences(Collection<TableSchema> tables, Map<String, Long> captured) {
        target.setSequences(tables, captured);
    }

    @Override
    public void analyze(Collection<TableSchema> tables) {
        target.analyze(tables);
    }

    @Override
    public String sqlName(TableSchema table) {
        return target.sqlName(table);
    }

    @Override
    public Connection jdbc() {
        return target.jdbc();
    }

    @Override
    public ChangeApplier changes() {
        return target.changes();
    }

    @Override
    public void close() {
        target.close();
    }
}
