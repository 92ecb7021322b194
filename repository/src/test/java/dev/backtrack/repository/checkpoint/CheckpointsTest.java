package dev.backtrack.repository.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.codec.RowCodec;
import dev.backtrack.repository.fold.NetState;
import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.TableSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {
    private static final TableSchema CONTACTS = new TableSchema(
            1,
            "public",
            "contacts",
            List.of(
                    new Column(
                            "id",
                            "bigint",
                            false,
                            "nextval('contacts_id_seq'::regclass)",
                            "public.contacts_id_seq",
                            null,
                            null),
                    new Column("name", "text", true, null, null, null, null),
                    new Column("stage", "public.stage", true, null, null, null, null)),
            List.of("id"),
            Map.of("public.stage", List.of("lead", "won")),
            1);
    private static final TableSchema EMPTY = new TableSchema(
            2,
            "crm",
            "audit log",
            List.of(new Column("at", "timestamp with time zone", false, null, null, null, null)),
            List.of(),
            Map.of(),
            1);

    @TempDir
    Path dir;

    /** Writes checkpoint {@code id} with {@code n} contacts added in random order and an empty table. */
    private Manifest checkpoint(String id, int n, long timeMicros) {
        List<Object[]> rows = new ArrayList<>();
        for (long i = 1; i <= n; i++) {
            rows.add(new Object[] {i * 37 - 500, "contact " + i, i % 2 == 0 ? "won" : null});
        }
        Collections.shuffle(rows, new Random(n));
        CheckpointWriter w = new CheckpointWriter(dir, null, id, 3);
        w.declareTable(EMPTY);
        rows.forEach(r -> w.addRow(CONTACTS, r));
        assertEquals(n, w.rows(CONTACTS));
        assertEquals(0, w.rows(EMPTY));
        return w.finishFull(CheckpointAt.of(timeMicros, 0x1234, "0/1234", 42)
                .withTime("2025-01-01T00:00:00Z")
                .withOffset("{\"lsn\":4660}")
                .withSequences(Map.of("public.contacts_id_seq", 99L), Map.of()));
    }

    private static Manifest.TableEntry table(Manifest m, String name) {
        return m.tables().stream()
                .filter(t -> t.table().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private List<Object[]> read(Manifest m, String table) {
        List<Object[]> out = new ArrayList<>();
        List<byte[]> keys = new ArrayList<>();
        ChunkReader.readRows(dir.resolveSibling("data"), null, table(m, table), (k, r) -> {
            keys.add(k);
            out.add(r);
        });
        for (int i = 1; i < keys.size(); i++) {
            assertTrue(Arrays.compareUnsigned(keys.get(i - 1), keys.get(i)) < 0, "keys strictly ascending at " + i);
        }
        return out;
    }

    @Test
    void rowsAddedInRandomOrderComeBackSortedByKey() {
        Manifest m = checkpoint("c1", 500, 10);
        List<Object[]> rows = read(m, "public.contacts");
        assertEquals(500, rows.size());
        for (Object[] r : rows) {
            assertEquals(3, r.length);
            long i = ((Long) r[0] + 500) / 37;
            assertEquals("contact " + i, r[1]);
            assertEquals(i % 2 == 0 ? "won" : null, r[2]);
        }
        List<byte[]> expected = new ArrayList<>();
        for (Object[] r : rows) {
            expected.add(RowCodec.key(r, CONTACTS.keyColumns()));
        }
        List<byte[]> sorted = new ArrayList<>(expected);
        sorted.sort(Arrays::compareUnsigned);
        for (int i = 0; i < sorted.size(); i++) {
            assertArrayEquals(sorted.get(i), expected.get(i));
        }
    }

    @Test
    void tablesShareOneSortBudgetSoATableReadEarlierIsSpilledInsteadOfKeptUntilTheEnd() throws IOException {
        TableSchema other = new TableSchema(
                3,
                "public",
                "notes",
                CONTACTS.columns(),
                List.of("id"),
                Map.of("public.stage", List.of("lead", "won")),
                1);
        CheckpointWriter w = new CheckpointWriter(dir, null, "budget", 1);
        String body = "x".repeat(4000);
        // 40 MB into contacts (under the 64 MiB budget on its own), then 40 MB into notes: together past it
        for (long i = 1; i <= 10_000; i++) {
            w.addRow(CONTACTS, new Object[] {i, body, null});
        }
        try (var files = Files.list(dir.resolve(".partial-budget"))) {
            assertFalse(
                    files.anyMatch(f -> f.getFileName().toString().contains(".run")), "contacts spilled on its own");
        }
        for (long i = 1; i <= 10_000; i++) {
            w.addRow(other, new Object[] {i, body, "won"});
        }
        try (var files = Files.list(dir.resolve(".partial-budget"))) {
            assertTrue(
                    files.anyMatch(f -> f.getFileName().toString().contains(".run")),
                    "the tables held more than the budget together without spilling");
        }
        Manifest m = w.finishFull(CheckpointAt.of(10, 0x1234, "0/1234", 42)
                .withTime("2025-01-01T00:00:00Z")
                .withOffset("{\"lsn\":4660}"));
        assertEquals(10_000, read(m, "public.contacts").size());
        assertEquals(10_000, read(m, "public.notes").size());
    }

    @Test
    void aDeclaredTableWithoutRowsIsListedWithZeroRows() {
        Manifest m = checkpoint("c1", 3, 10);
        Manifest.TableEntry empty = table(m, "crm.audit log");
        assertEquals(0, empty.rows());
        assertEquals(2, empty.schemaId());
        assertTrue(empty.chunks().isEmpty(), "no rows, no data file");
        assertTrue(read(m, "crm.audit log").isEmpty());
    }

    @Test
    void listReadsBackTheManifestWithItsChecksumVerified() {
        Manifest written = checkpoint("c1", 20, 10);
        List<Manifest> listed = Checkpoints.list(dir, null, false);
        assertEquals(List.of(written), listed);
        Manifest m = listed.get(0);
        assertEquals(Checkpoints.checksum(m), m.checksum());
        assertEquals(64, m.checksum().length());
        assertEquals("full", m.kind());
        assertEquals(42, m.nextSequence());
        assertEquals(0x1234, m.position());
        assertEquals("{\"lsn\":4660}", m.sourceOffset());
        assertEquals(Map.of("public.contacts_id_seq", 99L), m.sequences());
        assertEquals(20, table(m, "public.contacts").rows());
        assertFalse(Files.exists(dir.resolve(".partial-c1")), "the work directory is renamed away");
    }

    @Test
    void listsCheckpointsOldestFirst() {
        checkpoint("b", 1, 300);
        checkpoint("a", 1, 200);
        checkpoint("c", 1, 100);
        assertEquals(
                List.of("c", "a", "b"),
                Checkpoints.list(dir, null, false).stream().map(Manifest::id).toList());
        assertTrue(Checkpoints.list(dir.resolve("missing"), null, false).isEmpty());
    }

    @Test
    void aFlippedByteAnywhereInTheManifestIsReadFromItsCopyAndRefusedWhenBothAreDamaged() throws IOException {
        Manifest written = checkpoint("c1", 5, 10);
        Path file = dir.resolve("c1").resolve(Checkpoints.MANIFEST);
        Path copy = dir.resolve("c1").resolve(Checkpoints.MANIFEST_COPY);
        byte[] good = Files.readAllBytes(file);
        assertArrayEquals(good, Files.readAllBytes(copy));
        for (int at = 0; at < good.length; at++) {
            byte[] bad = good.clone();
            bad[at] ^= (byte) 0xFF;
            Files.write(file, bad);
            assertEquals(written, Checkpoints.list(dir, null, false).get(0), "the copy stands in, flip at " + at);
            RepositoryException e = assertThrows(
                    RepositoryException.class, () -> Checkpoints.readManifestFile(file, null), "flip at " + at);
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            Files.write(copy, bad);
            e = assertThrows(
                    RepositoryException.class, () -> Checkpoints.list(dir, null, false), "both flipped at " + at);
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            Files.write(copy, good);
        }
    }

    @Test
    void aChangedValueInTheManifestFailsItsChecksum() throws IOException {
        checkpoint("c1", 5, 10);
        Path file = dir.resolve("c1").resolve(Checkpoints.MANIFEST);
        String json = Files.readString(file);
        assertTrue(json.contains("\"nextSequence\" : 42"), json);
        Files.writeString(file, json.replace("\"nextSequence\" : 42", "\"nextSequence\" : 43"));
        Files.writeString(
                file.resolveSibling(Checkpoints.MANIFEST_COPY),
                json.replace("\"nextSequence\" : 42", "\"nextSequence\" : 43"));
        RepositoryException e = assertThrows(RepositoryException.class, () -> Checkpoints.list(dir, null, false));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void aFlippedByteInARowsFileIsRefusedNamingTheFile() throws IOException {
        Manifest m = checkpoint("c1", 50, 10);
        Manifest.TableEntry contacts = table(m, "public.contacts");
        assertEquals(1, contacts.chunks().size());
        Manifest.Chunk chunk = contacts.chunks().get(0);
        Path file = DataStore.file(dir.resolveSibling("data"), chunk.sha256());
        assertEquals(chunk.sha256(), DataStore.sha256(file), "a data file is named by its SHA-256");
        assertEquals(Files.size(file), contacts.bytes());
        byte[] good = Files.readAllBytes(file);
        for (int at : new int[] {0, good.length / 2, good.length - 1}) {
            byte[] bad = good.clone();
            bad[at] ^= 0x01;
            Files.write(file, bad);
            RepositoryException e =
                    assertThrows(RepositoryException.class, () -> read(m, "public.contacts"), "flip at " + at);
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        }
        Files.write(file, good);
        assertEquals(50, read(m, "public.contacts").size());
    }

    @Test
    void aPartialDirectoryIsIgnoredAndRemovedOnlyWhenCleaning() throws IOException {
        checkpoint("c1", 2, 10);
        CheckpointWriter abandoned = new CheckpointWriter(dir, null, "c2", 3);
        abandoned.addRow(CONTACTS, new Object[] {1L, "x", null});
        Path partial = dir.resolve(".partial-c2");
        Files.writeString(partial.resolve(Checkpoints.MANIFEST), "{ not json");
        assertEquals(
                List.of("c1"),
                Checkpoints.list(dir, null, false).stream().map(Manifest::id).toList());
        assertTrue(Files.isDirectory(partial));
        assertEquals(
                List.of("c1"),
                Checkpoints.list(dir, null, true).stream().map(Manifest::id).toList());
        assertFalse(Files.exists(partial));
    }

    @Test
    void abandonRemovesTheWorkDirectory() {
        CheckpointWriter w = new CheckpointWriter(dir, null, "c9", 3);
        w.addRow(CONTACTS, new Object[] {1L, "x", null});
        assertTrue(Files.isDirectory(dir.resolve(".partial-c9")));
        w.abandon();
        assertFalse(Files.exists(dir.resolve(".partial-c9")));
        assertTrue(Checkpoints.list(dir, null, false).isEmpty());
    }

    /** Net states of {@code n} rows of {@code table}, in key order. */
    private static Iterator<NetState> states(TableSchema table, int n, String value) {
        TreeMap<byte[], Object[]> rows = new TreeMap<>(Arrays::compareUnsigned);
        for (long i = 1; i <= n; i++) {
            Object[] row = table == CONTACTS ? new Object[] {i, value + i, null} : new Object[] {value + i};
            rows.put(RowCodec.key(row, table.keyColumns()), row);
        }
        return rows.entrySet().stream()
                .map(e -> new NetState(e.getKey(), e.getValue(), false, 1))
                .iterator();
    }

    @Test
    void anAbandonedCheckpointRemovesTheDataFilesItStoredAnewAndKeepsTheOnesOthersName() {
        Path checkpoints = dir.resolve("repo").resolve("checkpoints");
        Path data = checkpoints.resolveSibling("data");
        CheckpointWriter first = new CheckpointWriter(checkpoints, null, "c1", 3);
        first.addStates(CONTACTS, states(CONTACTS, 200, "contact "), List.of(), true);
        Manifest kept = first.finish(
                "incr", "c0", CheckpointAt.of(10, 0x1234, "0/1234", 42).withTime("2025-01-01T00:00:00Z"));
        Set<String> keptFiles = DataStore.stored(data).keySet();
        assertEquals(1, keptFiles.size());

        // the same contacts (the same bytes: c1's file is shared, not stored again) and a table whose file is new
        CheckpointWriter second = new CheckpointWriter(checkpoints, null, "c2", 3);
        second.addStates(CONTACTS, states(CONTACTS, 200, "contact "), List.of(), true);
        second.addStates(EMPTY, states(EMPTY, 50, "2025-01-02 00:00:00+00 #"), List.of(), true);
        assertEquals(2, DataStore.stored(data).size());
        second.abandon();

        assertEquals(keptFiles, DataStore.stored(data).keySet());
        assertFalse(Files.exists(checkpoints.resolve(".partial-c2")));
        assertEquals(
                List.of("c1"),
                Checkpoints.list(checkpoints, null, false).stream()
                        .map(Manifest::id)
                        .toList());
        table(kept, "public.contacts").chunks().forEach(c -> DataStore.check(data, c));

        // once published, abandoning (a failure after the rename) removes nothing
        CheckpointWriter third = new CheckpointWriter(checkpoints, null, "c3", 3);
        third.addStates(EMPTY, states(EMPTY, 60, "2025-01-03 00:00:00+00 #"), List.of(), true);
        third.finish("incr", "c1", CheckpointAt.of(20, 0x1235, "0/1235", 43).withTime("2025-01-01T00:00:01Z"));
        third.abandon();
        assertEquals(2, DataStore.stored(data).size());
        assertEquals(
                List.of("c1", "c3"),
                Checkpoints.list(checkpoints, null, false).stream()
                        .map(Manifest::id)
                        .toList());
    }
}
