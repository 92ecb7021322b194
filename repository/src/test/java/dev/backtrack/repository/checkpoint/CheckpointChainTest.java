package dev.backtrack.repository.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.config.Engine;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.fold.FoldMemory;
import dev.backtrack.repository.fold.LogFold;
import dev.backtrack.repository.fold.LogSource;
import dev.backtrack.repository.fold.TableFold;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.model.Unavailable;
import dev.backtrack.repository.redolog.RedoLog;
import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.TableSchema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every checkpoint kind, and every chain of them, gives the same table state at every sequence as
 * an independent model of the workload, and as checkpoint 0 plus the whole log: keyed and keyless
 * tables, unchanged TOAST values, a column added, a TRUNCATE, a table created and one dropped.
 */
class CheckpointChainTest {
    private static final long T0 = 1_767_225_600_000_000L;
    private static final Column ID = new Column("id", "bigint", false, null, null, null, null);
    private static final Column NAME = new Column("name", "text", true, null, null, null, null);
    private static final Column NOTES = new Column("notes", "text", true, null, null, null, null);
    private static final Column SCORE = new Column("score", "bigint", true, null, null, null, null);

    @TempDir
    Path dir;

    private Repository repo;
    private RedoLog log;
    private TableSchema contacts, contactsV2, tags, stable, deals;
    private final Random random = new Random(7);
    // the model: table → (rendered key → row); keyless tables key each copy by row and a counter
    private final Map<String, Map<String, Object[]>> model = new TreeMap<>();
    private final Map<Long, Map<String, List<String>>> expected = new TreeMap<>();
    private long sequence;
    private int copyCounter;

    private static TableSchema table(long relation, String name, List<Column> columns, List<String> key) {
        return new TableSchema(
                0, relation, "public", name, columns, key, null, Map.of(), Map.of(), List.of(), List.of(), false, 1);
    }

    @Test
    void everyChainOfEveryKindRestoresWhatTheLogReplays() throws Exception {
        System.setProperty("backtrack.chunk-bytes", "2048");
        try {
            run();
        } finally {
            System.clearProperty("backtrack.chunk-bytes");
        }
    }

    private void run() throws Exception {
        repo = Repository.openOrCreate(dir, Engine.POSTGRESQL, "7000000000000000001", "crm");
        contacts = repo.schemas().register(table(101, "contacts", List.of(ID, NAME, NOTES), List.of("id")), 1);
        tags = repo.schemas().register(table(102, "tags", List.of(ID, NAME), List.of()), 1);
        stable = repo.schemas().register(table(103, "stable", List.of(ID, NAME), List.of("id")), 1);
        for (String t : List.of("public.contacts", "public.tags", "public.stable")) {
            model.put(t, new TreeMap<>());
        }
        CheckpointWriter zero =
                new CheckpointWriter(repo.checkpointsDir(), repo.sealer(), CheckpointLabels.label(T0, "F"), 3);
        for (long i = 0; i < 300; i++) {
            Object[] row = {i, "contact " + i, "notes of " + i + " " + "x".repeat(random.nextInt(200))};
            zero.addRow(contacts, row);
            model.get("public.contacts").put(key(i), row);
        }
        for (long i = 0; i < 60; i++) {
            Object[] row = {i % 20, "tag " + (i % 7)};
            zero.addRow(tags, row);
            model.get("public.tags").put(copy(row), row);
        }
        for (long i = 0; i < 40; i++) {
            Object[] row = {i, "stable " + i};
            zero.addRow(stable, row);
            model.get("public.stable").put(key(i), row);
        }
        Manifest first = zero.finishFull(CheckpointAt.of(T0, 1, "1", 1).withTime("t0"));
        snapshot();
        List<String> kinds = new ArrayList<>();
        try (RedoLog l = RedoLog.openForAppend(repo.logDir(), repo.sealer(), 16 << 10, 1)) {
            log = l;
            for (int tx = 1; tx <= 360; tx++) {
                transaction(tx);
                if (tx % 30 == 0) {
                    // incrementals on incrementals, differentials, fulls on top of deltas, deltas across the schema
                    // change and the TRUNCATE
                    String kind = List.of(
                                    "incr", "incr", "diff", "incr", "full", "incr", "diff", "diff", "incr", "full",
                                    "incr", "incr")
                            .get(tx / 30 - 1);
                    Manifest m = CheckpointKinds.build(repo, kind, sequence, 3, Long::toString);
                    assertNotNull(m, kind + " after transaction " + tx);
                    assertEquals(sequence + 1, m.nextSequence());
                    kinds.add(m.kind());
                }
            }
        }
        assertTrue(kinds.containsAll(List.of(Manifest.FULL, Manifest.DIFF, Manifest.INCR)), "kinds written: " + kinds);
        List<Manifest> all = repo.checkpoints();
        assertEquals(13, all.size());
        int compared = 0;
        for (Map.Entry<Long, Map<String, List<String>>> at : expected.entrySet()) {
            long s = at.getKey();
            assertEquals(at.getValue(), restore(Chain.of(all, first), s, false), "checkpoint 0 + log at sequence " + s);
            for (Manifest m : all) {
                if (m.nextSequence() <= s + 1) {
                    Chain chain = Chain.of(all, m);
                    assertEquals(
                            at.getValue(),
                            restore(chain, s, compared % 2 == 0),
                            chain.describe() + " + log at sequence " + s);
                    compared++;
                }
            }
        }
        assertTrue(compared > 60, "chains compared: " + compared);
        // a table nothing changed keeps checkpoint 0's data files in every later full
        Manifest.TableEntry original = first.tables().stream()
                .filter(t -> t.table().equals("public.stable"))
                .findFirst()
                .orElseThrow();
        for (Manifest m : all) {
            if (!m.delta()) {
                assertEquals(
                        original.chunks(),
                        m.tables().stream()
                                .filter(t -> t.table().equals("public.stable"))
                                .findFirst()
                                .orElseThrow()
                                .chunks());
            }
        }
        // the last checkpoint folded into one new full equals the model too
        Manifest full = SyntheticFull.build(repo, sequence, 3, Long::toString);
        assertEquals(expected.get(sequence), restore(Chain.of(repo.checkpoints(), full), sequence, false));
    }

    /** One transaction of a few random changes; some transactions also change the schema. */
    private void transaction(int tx) throws Exception {
        List<RowChange> changes = new ArrayList<>();
        Map<String, Object[]> people = model.get("public.contacts");
        if (tx == 100) {
            contactsV2 = repo.schemas()
                    .register(table(101, "contacts", List.of(ID, NAME, NOTES, SCORE), List.of("id")), sequence + 1);
            changes.add(new RowChange(contactsV2.id(), Op.SCHEMA, null, new Object[] {
                "ALTER TABLE", "ALTER TABLE contacts ADD score bigint"
            }));
            people.replaceAll((k, r) -> new Object[] {r[0], r[1], r[2], null});
            contacts = contactsV2;
        }
        if (tx == 130) {
            deals = repo.schemas().register(table(104, "deals", List.of(ID, NAME), List.of("id")), sequence + 1);
            model.put("public.deals", new TreeMap<>());
        }
        if (tx == 220) {
            changes.add(new RowChange(contacts.id(), Op.TRUNCATE, null, null));
            people.clear();
        }
        if (tx == 300) {
            changes.add(new RowChange(deals.id(), Op.DROP, null, null));
            model.remove("public.deals");
            deals = null;
        }
        boolean wide = contacts.columns().size() == 4;
        for (int i = 0, n = 1 + random.nextInt(6); i < n; i++) {
            int what = random.nextInt(10);
            List<String> keys = new ArrayList<>(people.keySet());
            if (what < 3 || keys.isEmpty()) {
                long id = 1000 + tx * 10L + i;
                Object[] row = wide
                        ? new Object[] {id, "new " + id, "notes " + id, (long) tx}
                        : new Object[] {id, "new " + id, "notes " + id};
                changes.add(new RowChange(contacts.id(), Op.INSERT, null, row));
                people.put(key(id), row);
            } else if (what < 6) {
                Object[] old = people.get(keys.get(random.nextInt(keys.size())));
                Object[] now = old.clone();
                now[1] = "renamed " + tx + "." + i;
                if (wide) {
                    now[3] = (long) random.nextInt(100);
                }
                Object[] sent = now.clone();
                sent[2] = Unavailable.VALUE; // an unchanged TOAST value the source did not send
                changes.add(new RowChange(contacts.id(), Op.UPDATE, null, sent));
                people.put(key((Long) now[0]), now);
            } else if (what < 7) {
                Object[] old = people.remove(keys.get(random.nextInt(keys.size())));
                Object[] before = new Object[old.length];
                before[0] = old[0];
                changes.add(new RowChange(contacts.id(), Op.DELETE, before, null));
            } else if (what < 9) {
                Map<String, Object[]> t = model.get("public.tags");
                List<String> copies = new ArrayList<>(t.keySet());
                if (random.nextBoolean() && !copies.isEmpty()) {
                    Object[] gone = t.remove(copies.get(random.nextInt(copies.size())));
                    changes.add(new RowChange(tags.id(), Op.DELETE, gone, null));
                } else {
                    Object[] row = {(long) random.nextInt(20), "tag " + random.nextInt(7)};
                    changes.add(new RowChange(tags.id(), Op.INSERT, null, row));
                    t.put(copy(row), row);
                }
            } else if (deals != null) {
                long id = random.nextInt(30);
                Object[] row = {id, "deal " + tx};
                changes.add(new RowChange(
                        deals.id(), model.get("public.deals").containsKey(key(id)) ? Op.UPDATE : Op.INSERT, null, row));
                model.get("public.deals").put(key(id), row);
            }
        }
        log.append(List.of(new Transaction(0, T0 + tx * 1000L, 10 + tx, "x" + tx, changes)), "");
        sequence++;
        if (tx % 7 == 0 || tx % 30 == 0) {
            snapshot();
        }
    }

    private void snapshot() {
        Map<String, List<String>> now = new TreeMap<>();
        model.forEach((t, rows) -> now.put(t, render(rows.values())));
        expected.put(sequence, now);
    }

    /** The chain's state with the log after it folded through {@code through}, as restore computes it. */
    private Map<String, List<String>> restore(Chain chain, long through, boolean tinyMemory) {
        FoldMemory memory = new FoldMemory(tinyMemory ? 4 << 10 : Long.MAX_VALUE, dir.resolve("scratch"));
        dir.resolve("scratch").toFile().mkdirs();
        Map<String, List<String>> out = new TreeMap<>();
        try (LogFold.Result fold = LogFold.foldOnto(
                LogSource.of(repo),
                chain.tip().nextSequence(),
                chain.seed(repo, memory),
                memory,
                tx -> tx.sequence() > through,
                n -> {})) {
            for (TableFold f : fold.tables().values()) {
                Manifest.TableEntry entry = chain.fullEntry(f);
                List<Object[]> rows = new ArrayList<>();
                f.merge(
                        entry == null
                                ? Collections.emptyIterator()
                                : ChunkReader.rows(repo.dataDir(), repo.sealer(), entry),
                        rows::add);
                out.put(f.schema().qualifiedName(), render(rows));
            }
        }
        return out;
    }

    private static List<String> render(Collection<Object[]> rows) {
        List<String> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(Arrays.deepToString(r));
        }
        Collections.sort(out);
        return out;
    }

    private static String key(long id) {
        return String.format("%012d", id);
    }

    private String copy(Object[] row) {
        return Arrays.deepToString(row) + "#" + (copyCounter++);
    }
}
