package dev.backtrack.repository.fold;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backtrack.config.Engine;
import dev.backtrack.repository.codec.RowCodec;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.redolog.RedoLog;
import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.Constraint;
import dev.backtrack.repository.schema.SchemaHistory;
import dev.backtrack.repository.schema.TableSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rows InnoDB's foreign key rules changed without a binlog row are derived in the fold, in log order. */
class CascadesTest {
    @TempDir
    Path dir;

    private SchemaHistory schemas;
    private TableSchema account, contact, note, category;
    private final Map<String, Map<Long, Object[]>> full = new LinkedHashMap<>();
    private final List<Transaction> log = new ArrayList<>();
    private int restores;

    @BeforeEach
    void tables() {
        schemas = new SchemaHistory(dir.resolve("schemas"), null);
        account = table("account", List.of());
        contact = table("contact", List.of(fk("contact_account", "account_id", "account", "CASCADE", "CASCADE")));
        note = table("note", List.of(fk("note_contact", "contact_id", "contact", "SET NULL", "RESTRICT")));
        category = table("category", List.of(fk("category_parent", "parent_id", "category", "CASCADE", "RESTRICT")));
    }

    private static Constraint fk(String name, String column, String parent, String onDelete, String onUpdate) {
        return new Constraint(
                name,
                "f",
                "FOREIGN KEY (`" + column + "`) REFERENCES `" + parent + "` (`id`) ON DELETE " + onDelete
                        + " ON UPDATE " + onUpdate);
    }

    private TableSchema table(String name, List<Constraint> fks) {
        return table(name, fks, List.of("id"));
    }

    private TableSchema table(String name, List<Constraint> fks, List<String> primaryKey) {
        List<Column> columns = new ArrayList<>(List.of(new Column("id", "bigint", false, null, null, null, null)));
        for (Constraint fk : fks) {
            columns.add(new Column(fk.definition().split("`")[1], "bigint", true, null, null, null, null));
        }
        return schemas.register(
                new TableSchema(
                        0,
                        0,
                        "crm",
                        name,
                        columns,
                        primaryKey,
                        primaryKey.isEmpty() ? null : "PRIMARY",
                        Map.of(),
                        Map.of(),
                        List.of(),
                        fks,
                        false,
                        1),
                1);
    }

    private void row(TableSchema t, Object... values) {
        full.computeIfAbsent(t.qualifiedName(), k -> new TreeMap<>()).put((Long) values[0], values);
    }

    private void tx(RowChange... changes) {
        log.add(new Transaction(0, 1_000_000L * (log.size() + 1), log.size() + 1, "tx" + log.size(), List.of(changes)));
    }

    private static RowChange insert(TableSchema t, Object... after) {
        return new RowChange(t.id(), Op.INSERT, null, after);
    }

    private static RowChange delete(TableSchema t, Object... before) {
        return new RowChange(t.id(), Op.DELETE, before, null);
    }

    private static RowChange update(TableSchema t, Object[] before, Object[] after) {
        return new RowChange(t.id(), Op.UPDATE, before, after);
    }

    /** Folds the log over the full with the rules applied; each table's rows by id. */
    private Map<String, Map<Long, List<Object>>> restore(Engine engine, TableSchema... more) {
        Path logDir = dir.resolve("log" + restores++);
        try (RedoLog redo = RedoLog.openForAppend(logDir, null, 1 << 20, 3)) {
            redo.append(log, "end");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, TableSchema> initial = new LinkedHashMap<>();
        List<TableSchema> tables = new ArrayList<>(List.of(account, contact, note, category));
        tables.addAll(List.of(more));
        for (TableSchema t : tables) {
            initial.put(t.qualifiedName(), t);
        }
        Map<String, Map<Long, List<Object>>> out = new TreeMap<>();
        try (LogFold.Result fold = LogFold.fold(
                new LogSource(logDir, null, schemas, engine), 1, initial, FoldMemory.ofHeap(), t -> false, n -> {})) {
            Cascades.resolve(fold.actions(), fold.tables(), this::fullRows, (t, c) -> {});
            fold.tables().forEach((name, f) -> {
                Map<Long, List<Object>> rows = new TreeMap<>();
                f.merge(fullRows(f), r -> rows.put((Long) r[0], Arrays.asList(r)));
                out.put(name.substring(4), rows);
            });
        }
        return out;
    }

    private Iterator<Map.Entry<byte[], Object[]>> fullRows(TableFold f) {
        List<Map.Entry<byte[], Object[]>> rows = new ArrayList<>();
        full.getOrDefault(f.schema().qualifiedName(), Map.of())
                .values()
                .forEach(r -> rows.add(
                        new AbstractMap.SimpleEntry<>(RowCodec.key(r, f.base().keyColumns()), r)));
        return rows.iterator();
    }

    @Test
    void aParentsDeleteAndKeyChangeReachChildrenAndGrandchildren() {
        row(account, 1L);
        row(account, 2L);
        row(contact, 10L, 1L);
        row(contact, 11L, 2L);
        row(note, 100L, 10L);
        row(note, 101L, 11L);
        tx(delete(account, 1L));
        tx(update(account, new Object[] {2L}, new Object[] {3L}));
        Map<String, Map<Long, List<Object>>> rows = restore(Engine.MARIADB);
        assertEquals(Map.of(3L, List.of(3L)), rows.get("account"));
        assertEquals(
                Map.of(11L, List.of(11L, 3L)),
                rows.get("contact"),
                "10 went with account 1; 11 follows account 2's new key");
        assertEquals(
                Map.of(100L, Arrays.asList(100L, null), 101L, List.of(101L, 11L)),
                rows.get("note"),
                "the note of the deleted contact 10 lost it");
    }

    /**
     * A deal of a contact (SET NULL) and of a team (CASCADE), both of which go with their account
     * (CASCADE): deleting the account sets the deal's contact to null and deletes the deal, whichever
     * rule the fold reads first. The rules' own hits share the account delete's place in the log.
     */
    @Test
    void aRowTwoRulesOfOneDeleteReachGoesWhicheverIsReadFirst() {
        // names vary the order the fold reads the tables and rules in
        for (int n = 0; n < 40; n++) {
            log.clear();
            full.clear();
            TableSchema team = table(
                    "team_" + n, List.of(fk("team_" + n + "_account", "account_id", "account", "CASCADE", "CASCADE")));
            TableSchema deal = table(
                    "deal_" + n,
                    List.of(
                            fk("deal_" + n + "_contact", "contact_id", "contact", "SET NULL", "SET NULL"),
                            fk("deal_" + n + "_team", "team_id", team.table(), "CASCADE", "CASCADE")));
            row(account, 1L);
            row(account, 2L);
            row(contact, 10L, 1L);
            row(contact, 11L, 2L);
            row(team, 20L, 1L);
            row(team, 21L, 2L);
            row(deal, 50L, 10L, 20L);
            row(deal, 51L, 10L, 21L);
            row(deal, 52L, 11L, 21L);
            tx(delete(account, 1L));
            Map<String, Map<Long, List<Object>>> rows = restore(Engine.MARIADB, team, deal);
            assertEquals(
                    Map.of(51L, Arrays.asList(51L, null, 21L), 52L, List.of(52L, 11L, 21L)),
                    rows.get(deal.table()),
                    deal.table() + ": 50 went with team 20, 51 (another team's) lost its deleted contact");
        }
    }

    /** The rules read a child table once before it is loaded: a keyless one's rows the log deleted stay deleted. */
    @Test
    void aRowTheLogDeletedFromAKeylessChildStaysDeletedAfterTheRulesReadIt() {
        TableSchema audit = table(
                "audit", List.of(fk("audit_account", "account_id", "account", "SET NULL", "RESTRICT")), List.of());
        row(account, 1L);
        row(account, 2L);
        row(audit, 10L, 1L);
        row(audit, 11L, 2L);
        tx(delete(audit, 10L, 1L));
        tx(delete(account, 2L));
        assertEquals(
                Map.of(11L, Arrays.asList(11L, null)),
                restore(Engine.MARIADB, audit).get("audit"),
                "10 was deleted by the log, 11 lost its account to the rule");
    }

    @Test
    void aChildWrittenAfterItsParentKeyCameBackStays() {
        row(account, 1L);
        row(contact, 10L, 1L);
        tx(delete(account, 1L));
        tx(insert(account, 1L), insert(contact, 12L, 1L));
        Map<String, Map<Long, List<Object>>> rows = restore(Engine.MARIADB);
        assertEquals(
                Map.of(12L, List.of(12L, 1L)), rows.get("contact"), "10 referenced the first account 1, 12 the second");
    }

    @Test
    void aChildChangedBeforeTheDeleteInTheSameTransactionGoesWithIt() {
        row(account, 1L);
        tx(insert(contact, 10L, 1L), delete(account, 1L));
        assertEquals(Map.of(), restore(Engine.MARIADB).get("contact"));
    }

    @Test
    void aTreeDeletedAtItsRootGoesWholeWhateverTheKeyOrder() {
        row(category, 5L, 9L);
        row(category, 7L, null);
        row(category, 9L, 7L);
        row(category, 8L, null);
        tx(delete(category, 7L, null));
        assertEquals(
                Map.of(8L, Arrays.asList(8L, null)), restore(Engine.MARIADB).get("category"));
    }

    @Test
    void aPostgresqlSourceLogsWhatItsRulesChangedSoNothingIsAdded() {
        row(account, 1L);
        row(contact, 10L, 1L);
        tx(delete(account, 1L));
        assertEquals(Map.of(10L, List.of(10L, 1L)), restore(Engine.POSTGRESQL).get("contact"));
    }
}
