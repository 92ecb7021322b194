package dev.backtrack.repository.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.repository.RepositoryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaHistoryTest {

    @TempDir
    Path dir;

    private static Column col(String name, String type) {
        return new Column(name, type, true, null, null, null, null);
    }

    private static TableSchema deals(List<Column> columns) {
        return new TableSchema(
                0, "public", "deals", columns, List.of("id"), Map.of("public.stage", List.of("lead", "won")), 0);
    }

    private static final List<Column> V1 = List.of(
            new Column("id", "bigint", false, null, null, "always", null),
            col("amount", "numeric(12,2)"),
            col("stage", "public.stage"));

    @Test
    void registeringTheSameShapeAgainReturnsTheSameVersion() {
        SchemaHistory h = new SchemaHistory(dir, null);
        TableSchema first = h.register(deals(V1), 1);
        assertEquals(1, first.id());
        assertEquals(1, first.fromSequence());
        TableSchema again = h.register(deals(List.copyOf(V1)).withIdentity(77, 500), 500);
        assertEquals(first, again);
        assertEquals(1, h.all().size());
    }

    @Test
    void aChangedShapeGetsANewVersionValidFromItsSequence() {
        SchemaHistory h = new SchemaHistory(dir, null);
        TableSchema v1 = h.register(deals(V1), 1);
        TableSchema v2 = h.register(deals(List.of(V1.get(0), col("amount", "numeric(14,2)"), V1.get(2))), 40);
        assertNotEquals(v1.id(), v2.id());
        assertEquals(2, v2.id());
        assertEquals(40, v2.fromSequence());
        TableSchema other = h.register(
                new TableSchema(0, "public", "contacts", List.of(col("id", "bigint")), List.of(), Map.of(), 0), 41);
        assertEquals(3, other.id());
        TableSchema enumsChanged = h.register(
                new TableSchema(
                        0,
                        "public",
                        "deals",
                        v2.columns(),
                        List.of("id"),
                        Map.of("public.stage", List.of("lead", "lost", "won")),
                        0),
                50);
        assertEquals(4, enumsChanged.id(), "a new enum label is a new shape");
        TableSchema keyChanged = h.register(
                new TableSchema(0, "public", "deals", v2.columns(), List.of("id", "stage"), enumsChanged.enums(), 0),
                60);
        assertEquals(5, keyChanged.id(), "a new primary key is a new shape");
        TableSchema back = h.register(deals(V1), 70);
        assertEquals(6, back.id(), "returning to an old shape is still a change from the latest");
        assertEquals(back, h.latest().get("public.deals"));
        assertEquals(other, h.latest().get("public.contacts"));
        assertEquals(v1, h.get(1));
        assertEquals(List.of(v2, v1), h.tablesAt(List.of(2, 1)));
    }

    @Test
    void versionsSurviveReopening() throws IOException {
        SchemaHistory h = new SchemaHistory(dir, null);
        TableSchema v1 = h.register(deals(V1), 1);
        TableSchema v2 = h.register(deals(V1.subList(0, 2)), 9);
        SchemaHistory reopened = new SchemaHistory(dir, null);
        assertEquals(List.of(v1, v2), List.copyOf(reopened.all()));
        assertEquals(v2, reopened.latest().get("public.deals"));
        assertSame(
                reopened.get(2),
                reopened.register(deals(V1.subList(0, 2)), 100),
                "same shape after reopening: no new version");
        assertEquals(3, reopened.register(deals(V1), 101).id(), "ids continue after the highest one on disk");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(
                    List.of("00000001.json", "00000002.json", "00000003.json"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(3, new SchemaHistory(dir, null).all().size());
    }

    @Test
    void aMissingVersionIsReportedAsDamage() {
        SchemaHistory h = new SchemaHistory(dir, null);
        RepositoryException e = assertThrows(RepositoryException.class, () -> h.get(9));
        assertTrue(e.getMessage().contains("9") && e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void anUnreadableVersionFileIsRefusedOnOpen() throws IOException {
        new SchemaHistory(dir, null).register(deals(V1), 1);
        Files.writeString(dir.resolve("00000002.json"), "{ broken");
        RepositoryException e = assertThrows(RepositoryException.class, () -> new SchemaHistory(dir, null));
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }
}
