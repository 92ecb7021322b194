package dev.backtrack.connectors.target;

import dev.backtrack.config.Engine;
import dev.backtrack.connectors.SourceException;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Unavailable;
import dev.backtrack.repository.schema.TableSchema;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A target of another engine than the repository's source: every table version and row goes
 * through the type map on its way in. A value the target cannot hold exactly stops the restore with
 * its table, column and key. Not thread-safe, like the target it wraps.
 */
public final class CrossEngine implements TargetDatabase {
    private final TargetDatabase target;
    private final Translation translation;
    private final Map<TableSchema, TableSchema> translated;

    private CrossEngine(TargetDatabase target, Translation translation, Map<TableSchema, TableSchema> translated) {
        this.target = target;
        this.translation = translation;
        this.translated = translated;
    }

    /**
     * {@code target} itself when it is of the source's engine, else the target behind the type map from {@code
     * sourceEngine}.
     */
    public static TargetDatabase of(Engine sourceEngine, TargetDatabase target) {
        if (sourceEngine.binlog() == target.engine().binlog()) {
            return target;
        }
        Translation t = !sourceEngine.binlog()
                ? new PostgresToMariaDb(target.engine())
                : new MariaDbToPostgres(hasPostgis(target));
        return new CrossEngine(target, t, new IdentityHashMap<>());
    }

    /** Whether the PostgreSQL target database has PostGIS, which MariaDB's spatial columns become. */
    private static boolean hasPostgis(TargetDatabase target) {
        try (Statement st = target.jdbc().createStatement();
                ResultSet rs = st.executeQuery("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")) {
            return rs.next();
        } catch (SQLException e) {
            throw new SourceException("cannot read the target's extensions: " + e.getMessage());
        }
    }

    private TableSchema map(TableSchema source) {
        synchronized (translated) {
            return translated.computeIfAbsent(source, s -> {
                try {
                    return translation.table(s);
                } catch (Translation.Unrepresentable e) {
                    throw new SourceException(e.getMessage());
                }
            });
        }
    }

    private List<TableSchema> map(Collection<TableSchema> sources) {
        List<TableSchema> out = new ArrayList<>(sources.size());
        sources.forEach(s -> out.add(map(s)));
        return out;
    }

    @Override
    public Engine engine() {
        return target.engine();
    }

    @Override
    public TargetDatabase another() {
        // the same translated versions, so every connection creates and loads the same tables
        return new CrossEngine(target.another(), translation, translated);
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
    public List<String> plan(Collection<TableSchema> tables) {
        map(tables);
        return List.copyOf(translation.notes());
    }

    @Override
    public void createTables(Collection<TableSchema> tables, Map<String, String> sequences) {
        target.createTables(map(tables), Map.of());
    }

    @Override
    public void dropRestored(Collection<TableSchema> tables, Map<String, String> sequences) {
        target.dropRestored(map(tables), Map.of());
    }

    @Override
    public RowLoader load(TableSchema table) {
        List<UnaryOperator<Object>> values = translation.values(table);
        RowLoader inner = target.load(map(table));
        return new RowLoader() {
            @Override
            public void add(Object[] row) {
                inner.add(convert(table, values, row, "restore"));
            }

            @Override
            public void cancel() {
                inner.cancel();
            }

            @Override
            public long finish() {
                return inner.finish();
            }
        };
    }

    private static String keyText(TableSchema table, int[] key, Object[] row) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < key.length && i < 4; i++) {
            s.append(i == 0 ? "" : ", ")
                    .append(table.columns().get(key[i]).name())
                    .append('=')
                    .append(row[key[i]] instanceof byte[] ? "<bytes>" : row[key[i]]);
        }
        return s.append(key.length > 4 ? ", ...)" : ")").toString();
    }

    @Override
    public void addKeys(Collection<TableSchema> tables) {
        target.addKeys(map(tables));
    }

    @Override
    public void addIndexes(Collection<TableSchema> tables) {
        target.addIndexes(map(tables));
    }

    /** The foreign keys, and the translation's notes (this is called once per restore). */
    @Override
    public List<String> addForeignKeys(Collection<TableSchema> tables) {
        List<String> notes = new ArrayList<>(translation.notes());
        notes.addAll(target.addForeignKeys(map(tables)));
        return notes;
    }

    @Override
    public void setSequences(Collection<TableSchema> tables, Map<String, Long> captured) {
        target.setSequences(map(tables), translation.sequences(tables, captured));
    }

    @Override
    public void analyze(Collection<TableSchema> tables) {
        target.analyze(map(tables));
    }

    @Override
    public String sqlName(TableSchema table) {
        return target.sqlName(map(table));
    }

    @Override
    public Connection jdbc() {
        return target.jdbc();
    }

    @Override
    public ChangeApplier changes() {
        ChangeApplier inner = target.changes();
        return new ChangeApplier() {
            @Override
            public void apply(TableSchema table, RowChange change) {
                List<UnaryOperator<Object>> values = translation.values(table);
                inner.apply(
                        map(table),
                        new RowChange(
                                change.schemaId(),
                                change.op(),
                                convert(table, values, change.before(), "apply a change to"),
                                convert(table, values, change.after(), "apply a change to")));
            }

            @Override
            public void execute(String statement) {
                throw new SourceException("a statement of the source's engine cannot run on a " + target.engine()
                        + " target: " + statement.split("\n")[0]);
            }

            @Override
            public String asReplica() {
                return inner.asReplica();
            }

            @Override
            public String withForeignKeyRules() {
                return inner.withForeignKeyRules();
            }

            @Override
            public void prepareState() {
                inner.prepareState();
            }

            @Override
            public Map<String, String> state() {
                return inner.state();
            }

            @Override
            public void saveState(Map<String, String> state) {
                inner.saveState(state);
            }
        };
    }

    /** The row's values through the type map; a value that does not fit stops with its table, column and key. */
    private Object[] convert(TableSchema table, List<UnaryOperator<Object>> values, Object[] row, String verb) {
        if (row == null) {
            return null;
        }
        Object[] out = new Object[row.length];
        for (int i = 0; i < row.length; i++) {
            try {
                out[i] = row[i] instanceof Unavailable ? row[i] : values.get(i).apply(row[i]);
            } catch (Translation.Unrepresentable e) {
                throw new SourceException("cannot " + verb + " " + table.qualifiedName() + "."
                        + table.columns().get(i).name() + " of the row with key "
                        + keyText(table, table.keyColumns(), row) + " into " + target.engine() + ": " + e.getMessage()
                        + "; restore into the source's engine, or change the value at the source");
            }
        }
        return out;
    }

    @Override
    public void close() {
        target.close();
    }
}
