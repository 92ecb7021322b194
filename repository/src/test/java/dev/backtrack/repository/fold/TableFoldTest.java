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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TableFoldTest {
    private static final List<Column> COLUMNS = List.of(
            new Column("id", "bigint", false, null, null, null, null),
            new Column("name", "text", true, null, null, null, null),
            new Column("notes", "text", true, null, null, null, null));
    private static final TableSchema KEYED = new TableSchema(1, "public", "t", COLUMNS, List.of("id"), Map.of(), 1);
    private static final TableSchema KEYLESS = new TableSchema(2, "public", "k", COLUMNS, List.of(), Map.of(), 1);

    private static Object[] row(long id, String name, Object notes) {
        return new Object[] {id, name, notes};
    }

    private static List<Map.Entry<byte[], Object[]>> checkpoint(TableSchema s, Object[]... rows) {
        List<Map.Entry<byte[], Object[]>> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(Map.entry(RowCodec.key(r, s.keyColumns()), r));
        }
        out.sort(Comparator.comparing(Map.Entry::getKey, Arrays::compareUnsigned));
        return out;
    }

    private static List<String> merged(TableFold fold, List<Map.Entry<byte[], Object[]>> cp) {
        List<String> out = new ArrayList<>();
        fold.merge(cp.iterator(), r -> out.add(Arrays.toString(r)));
        out.sort(String::compareTo);
        return out;
    }

    @Test
    void keepsOnlyTheLastImageOfEachKeyAndDropsDeletedRows() {
        TableFold f = new TableFold(KEYED);
        f.apply(new RowChange(1, Op.INSERT, null, row(3, "c", "x")));
        f.apply(new RowChange(1, Op.UPDATE, null, row(1, "a2", "y")));
        f.apply(new RowChange(1, Op.UPDATE, null, row(1, "a3", "y")));
        f.apply(new RowChange(1, Op.DELETE, row(2, "b", "z"), null));
        f.apply(new RowChange(1, Op.INSERT, null, row(4, "d", null)));
        f.apply(new RowChange(1, Op.DELETE, row(4, "d", null), null));
        assertEquals(
                List.of("[1, a3, y]", "[3, c, x]"), merged(f, checkpoint(KEYED, row(1, "a", "n"), row(2, "b", "z"))));
    }

    @Test
    void resolvesAnUnchangedToastValueFromTheCheckpointOrAnEarlierChange() {
        TableFold f = new TableFold(KEYED);
        f.apply(new RowChange(1, Op.UPDATE, null, row(1, "renamed", Unavailable.VALUE)));
        f.apply(new RowChange(1, Op.INSERT, null, row(5, "new", "big text")));
        f.apply(new RowChange(1, Op.UPDATE, null, row(5, "newer", Unavailable.VALUE)));
        assertEquals(
                List.of("[1, renamed, big checkpoint text]", "[5, newer, big text]"),
                merged(f, checkpoint(KEYED, row(1, "a", "big checkpoint text"))));
    }

    @Test
    void refusesAPlaceholderWhoseValueIsNowhere() {
        TableFold f = new TableFold(KEYED);
        f.apply(new RowChange(1, Op.UPDATE, null, row(9, "ghost", Unavailable.VALUE)));
        FoldException e = assertThrows(FoldException.class, () -> merged(f, checkpoint(KEYED)));
        assertTrue(e.getMessage().contains("public.t.notes"), e.getMessage());
    }

    @Test
    void aPrimaryKeyChangeMovesTheRow() {
        TableFold f = new TableFold(KEYED);
        f.apply(new RowChange(1, Op.UPDATE, row(1, "a", "n"), row(7, "a", "n")));
        assertEquals(List.of("[7, a, n]"), merged(f, checkpoint(KEYED, row(1, "a", "n"))));
    }

    @Test
    void truncateDiscardsTheCheckpointRowsButKeepsLaterInserts() {
        TableFold f = new TableFold(KEYED);
        f.apply(new RowChange(1, Op.INSERT, null, row(8, "before", null)));
        f.apply(new RowChange(1, Op.TRUNCATE, null, null));
        f.apply(new RowChange(1, Op.INSERT, null, row(9, "after", null)));
        assertEquals(List.of("[9, after, null]"), merged(f, checkpoint(KEYED, row(1, "a", "n"), row(2, "b", "m"))));
    }

    @Test
    void aKeylessTableIsAMultisetOfWholeRows() {
        TableFold f = new TableFold(KEYLESS);
        f.apply(new RowChange(2, Op.DELETE, row(1, "dup", null), null));
        f.apply(new RowChange(2, Op.INSERT, null, row(2, "x", null)));
        f.apply(new RowChange(2, Op.INSERT, null, row(2, "x", null)));
        f.apply(new RowChange(2, Op.UPDATE, row(3, "y", "long"), row(3, "y2", Unavailable.VALUE)));
        assertEquals(
                List.of("[1, dup, null]", "[2, x, null]", "[2, x, null]", "[3, y2, long]"),
                merged(f, checkpoint(KEYLESS, row(1, "dup", null), row(1, "dup", null), row(3, "y", "long"))));
    }

    @Test
    void mergingLeavesTheFoldAsItWasSoItMayBeMergedAgain() {
        for (TableSchema schema : List.of(KEYED, KEYLESS)) {
            TableFold f = new TableFold(schema);
            f.apply(new RowChange(schema.id(), Op.DELETE, row(1, "gone", null), null));
            f.apply(new RowChange(schema.id(), Op.INSERT, null, row(2, "new", null)));
            List<Map.Entry<byte[], Object[]>> cp = checkpoint(schema, row(1, "gone", null), row(3, "kept", null));
            List<String> once = merged(f, cp);
            assertEquals(List.of("[2, new, null]", "[3, kept, null]"), once, schema.table());
            assertEquals(
                    once, merged(f, cp), schema.table() + ", merged again (the foreign key rules read a table first)");
        }
    }
}
