package dev.backtrack.repository.fold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.repository.codec.RowCodec;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Unavailable;
import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.TableSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fold that spills sorted runs to disk gives exactly what the same fold gives in memory. */
class SpilledFoldTest {
    private static final List<Column> COLUMNS = List.of(
            new Column("id", "bigint", false, null, null, null, null),
            new Column("name", "text", true, null, null, null, null),
            new Column("notes", "text", true, null, null, null, null));
    private static final TableSchema KEYED = new TableSchema(1, "public", "t", COLUMNS, List.of("id"), Map.of(), 1);
    private static final TableSchema KEYLESS = new TableSchema(2, "public", "k", COLUMNS, List.of(), Map.of(), 1);

    @TempDir
    Path scratch;

    @Test
    void aKeyedTableFoldsTheSameWhetherOrNotItSpills() {
        for (int seed = 0; seed < 20; seed++) {
            compare(KEYED, seed);
        }
    }

    @Test
    void aKeylessTableFoldsTheSameWhetherOrNotItSpills() {
        for (int seed = 100; seed < 120; seed++) {
            compare(KEYLESS, seed);
        }
    }

    @Test
    void theFoldSpillsWhenItsBudgetIsExceededAndRemovesItsScratchFiles() throws Exception {
        FoldMemory memory = new FoldMemory(64 << 10, scratch);
        TableFold f = new TableFold(KEYED, memory);
        for (long id = 0; id < 5_000; id++) {
            f.apply(new RowChange(1, Op.INSERT, null, new Object[] {id, "contact " + id, "x".repeat(100)}));
            if (memory.over()) {
                f.spill();
            }
        }
        assertTrue(memory.runs() > 5, "runs: " + memory.runs());
        List<Object[]> out = new ArrayList<>();
        f.merge(Collections.emptyIterator(), out::add);
        assertEquals(5_000, out.size());
        assertEquals(5_000, out.stream().map(r -> r[0]).distinct().count(), "each key once");
        memory.close();
        try (var left = Files.list(scratch)) {
            assertEquals(0, left.count());
        }
    }

    private void compare(TableSchema schema, int seed) {
        Random random = new Random(seed);
        List<Object[]> checkpointRows = new ArrayList<>();
        Map<Long, Object[]> current = new HashMap<>();
        for (long id = 0; id < 40; id++) {
            Object[] r = {id, "n" + id, "notes " + id};
            checkpointRows.add(r);
            current.put(id, r);
            if (schema == KEYLESS && id % 7 == 0) {
                checkpointRows.add(r.clone());
            }
        }
        List<RowChange> changes = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            long id = random.nextInt(60);
            Object[] now = current.get(id);
            int what = random.nextInt(schema == KEYED ? 10 : 8);
            if (now == null) {
                Object[] r = {id, "i" + i, "text " + i};
                changes.add(new RowChange(schema.id(), Op.INSERT, null, r));
                current.put(id, r);
            } else if (what < 4) {
                // an update that leaves the TOASTed notes untouched: the placeholder must come back as the old value
                Object[] after = {id, "u" + i, Unavailable.VALUE};
                changes.add(new RowChange(schema.id(), Op.UPDATE, schema == KEYLESS ? now : null, after));
                current.put(id, new Object[] {id, "u" + i, now[2]});
            } else if (what < 6) {
                changes.add(new RowChange(schema.id(), Op.DELETE, now, null));
                current.remove(id);
            } else if (what < 8) {
                Object[] after = {id, "v" + i, "new notes " + i};
                changes.add(new RowChange(schema.id(), Op.UPDATE, schema == KEYLESS ? now : null, after));
                current.put(id, after);
            } else {
                long moved = 100 + i;
                Object[] after = {moved, now[1], now[2]};
                changes.add(new RowChange(schema.id(), Op.UPDATE, now, after));
                current.remove(id);
                current.put(moved, after);
            }
            if (i == 250 && seed % 5 == 0) {
                changes.add(new RowChange(schema.id(), Op.TRUNCATE, null, null));
                current.clear();
            }
        }
        TableFold inMemory = new TableFold(schema);
        FoldMemory memory = new FoldMemory(1, scratch);
        TableFold spilled = new TableFold(schema, memory);
        int every = 1 + random.nextInt(40);
        for (int i = 0; i < changes.size(); i++) {
            inMemory.apply(changes.get(i));
            spilled.apply(changes.get(i));
            if (i % every == every - 1) {
                spilled.spill();
            }
        }
        assertEquals(merged(inMemory, schema, checkpointRows), merged(spilled, schema, checkpointRows), "seed " + seed);
        memory.close();
    }

    private static List<String> merged(TableFold fold, TableSchema schema, List<Object[]> rows) {
        List<Map.Entry<byte[], Object[]>> cp = new ArrayList<>();
        for (Object[] r : rows) {
            cp.add(Map.entry(RowCodec.key(r, schema.keyColumns()), r));
        }
        cp.sort(Comparator.comparing(Map.Entry::getKey, Arrays::compareUnsigned));
        List<String> out = new ArrayList<>();
        fold.merge(cp.iterator(), r -> out.add(Arrays.toString(r)));
        out.sort(String::compareTo);
        return out;
    }

    private static final List<Column> NUMBERED = List.of(
            new Column(1, "id", "bigint", false, null, null, null, null, null),
            new Column(2, "name", "text", true, null, null, null, null, null),
            new Column(3, "notes", "text", true, null, null, null, null, null));
    private static final TableSchema KEYED_BY_ID =
            new TableSchema(1, "public", "t", NUMBERED, List.of("id"), Map.of(), 1);
    /** The table's key moves from id to name: checkpoint rows, sorted by id, then come out of key order. */
    private static final TableSchema KEYED_BY_NAME =
            new TableSchema(3, "public", "t", NUMBERED, List.of("name"), Map.of(), 1);

    private static TableFold rekeyed(FoldMemory memory) {
        TableFold f = new TableFold(KEYED_BY_ID, memory);
        f.apply(new RowChange(1, Op.UPDATE, null, new Object[] {2L, "b", "changed"}));
        f.evolve(KEYED_BY_NAME, "ALTER TABLE t DROP CONSTRAINT t_pkey, ADD PRIMARY KEY (name)");
        f.apply(new RowChange(3, Op.DELETE, new Object[] {1L, "c", "x"}, null));
        f.apply(new RowChange(3, Op.INSERT, null, new Object[] {9L, "d", "new"}));
        return f;
    }

    private static List<Map.Entry<byte[], Object[]>> byId() {
        List<Map.Entry<byte[], Object[]>> cp = new ArrayList<>();
        for (Object[] r :
                List.of(new Object[] {1L, "c", "x"}, new Object[] {2L, "b", "y"}, new Object[] {3L, "a", "z"})) {
            cp.add(Map.entry(RowCodec.key(r, KEYED_BY_ID.keyColumns()), r));
        }
        return cp;
    }

    @Test
    void inMemoryTheCheckpointRowsMayComeInAnyKeyOrderAfterTheKeyChanged() {
        List<String> out = new ArrayList<>();
        rekeyed(new FoldMemory(Long.MAX_VALUE, scratch)).merge(byId().iterator(), r -> out.add(Arrays.toString(r)));
        out.sort(String::compareTo);
        assertEquals(List.of("[2, b, changed]", "[3, a, z]", "[9, d, new]"), out);
    }

    @Test
    void spilledTheCheckpointRowsMustKeepKeyOrderAndAreRefusedOtherwise() {
        FoldMemory memory = new FoldMemory(1, scratch);
        TableFold f = rekeyed(memory);
        f.spill();
        FoldException e = assertThrows(FoldException.class, () -> f.merge(byId().iterator(), r -> {}));
        assertEquals(
                "the rows of public.t are out of key order after a type change of its key: restore to a checkpoint"
                        + " taken after that change, or give the restore more heap (-Xmx)",
                e.getMessage());
        memory.close();
    }
}
