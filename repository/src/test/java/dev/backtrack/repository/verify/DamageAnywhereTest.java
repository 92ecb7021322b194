package dev.backtrack.repository.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.backtrack.config.Engine;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.checkpoint.CheckpointAt;
import dev.backtrack.repository.checkpoint.CheckpointKinds;
import dev.backtrack.repository.checkpoint.CheckpointLabels;
import dev.backtrack.repository.checkpoint.CheckpointWriter;
import dev.backtrack.repository.checkpoint.ChunkReader;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.history.SourceHistory;
import dev.backtrack.repository.mark.Marks;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.redolog.LogCursor;
import dev.backtrack.repository.redolog.RedoLog;
import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.SchemaHistory;
import dev.backtrack.repository.schema.TableSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One flipped byte in any file of the repository is found by verify, named, and refused when read for a restore. */
class DamageAnywhereTest {
    private static final long T0 = 1_767_225_600_000_000L;

    @TempDir
    Path dir;

    private void fill() throws Exception {
        Repository repo = Repository.openOrCreate(dir, Engine.POSTGRESQL, "7000000000000000001", "crm");
        TableSchema t = repo.schemas()
                .register(
                        new TableSchema(
                                0,
                                "public",
                                "contacts",
                                List.of(
                                        new Column("id", "bigint", false, null, null, null, null),
                                        new Column("name", "text", true, null, null, null, null)),
                                List.of("id"),
                                Map.of(),
                                1),
                        1);
        // a binlog connector's schema history record: verify covers it too
        new SourceHistory(repo).append("{\"ddl\":\"CREATE TABLE contacts (id bigint PRIMARY KEY)\"}".getBytes());
        CheckpointWriter w =
                new CheckpointWriter(repo.checkpointsDir(), repo.sealer(), CheckpointLabels.label(T0, "F"), 3);
        for (long i = 0; i < 2000; i++) {
            w.addRow(t, new Object[] {i, "contact " + i});
        }
        w.finishFull(CheckpointAt.of(T0, 1, "0/1", 1));
        try (RedoLog log = RedoLog.openForAppend(repo.logDir(), repo.sealer(), 4096, 0)) {
            for (long i = 0; i < 300; i++) {
                log.append(
                        List.of(new Transaction(
                                0,
                                T0 + (i + 1) * 1000,
                                10 + i,
                                "x" + i,
                                List.of(new RowChange(t.id(), Op.UPDATE, null, new Object[] {i, "renamed " + i})))),
                        "");
                if (i == 100 || i == 200) {
                    // a differential and an incremental on top of it: their manifests and data files are damaged too
                    CheckpointKinds.build(repo, i == 100 ? Manifest.DIFF : Manifest.INCR, i + 1, 3, Long::toString);
                }
            }
        }
        Marks.record(repo, new Marks.Mark("before_import", 100, T0 + 101_000, 110, Micros.format(T0 + 101_000)));
    }

    @Test
    void aFlippedByteInAnyFileIsFoundAndRefused() throws Exception {
        fill();
        List<Manifest> intact = Repository.open(dir).checkpoints();
        assertEquals(3, intact.size());
        List<Path> files;
        try (var walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().equals("agent.lock"))
                    .sorted()
                    .toList();
        }
        int checked = 0;
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (name.endsWith(".index")) {
                continue; // a cache: rebuilt when it does not fit, never trusted
            }
            byte[] original = Files.readAllBytes(f);
            // small files: bytes all through them (names, numbers, structure); large ones: their middle.
            // Not in the log's last batch: a damaged last batch reads as a write the crash cut short, by design
            int step = original.length < 4096 && !name.endsWith(".log") ? 53 : Integer.MAX_VALUE;
            for (int at = name.endsWith(".log") ? 40 : Math.min(original.length / 2, 7);
                    at < original.length;
                    at += step) {
                byte[] bad = original.clone();
                bad[at] ^= 0x10;
                Files.write(f, bad);
                try {
                    String found = verify();
                    assertTrue(
                            found.contains(name)
                                    || found.contains(
                                            f.getParent().getFileName().toString()),
                            name + " byte " + at + ": verify said " + found);
                    if (name.startsWith("manifest")) {
                        // a manifest has a copy: the checkpoint still reads, and reads as it was written
                        assertEquals(intact, Repository.open(dir).checkpoints(), name + " byte " + at);
                    } else {
                        assertRefusedOnRead(f);
                    }
                    checked++;
                } finally {
                    Files.write(f, original);
                }
                if (step == Integer.MAX_VALUE) {
                    break;
                }
            }
        }
        assertTrue(checked >= 30, "flips checked: " + checked);
        assertTrue(Verifier.run(Repository.open(dir), 100, s -> {}).ok(), "the repaired repository verifies again");
    }

    @Test
    void aTruncatedFileIsFoundAndRefused() throws Exception {
        fill();
        List<Manifest> intact = Repository.open(dir).checkpoints();
        List<Path> files;
        try (var walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().equals("agent.lock"))
                    .sorted()
                    .toList();
        }
        String lastSegment;
        try (var logs = Files.list(Repository.open(dir).logDir())) {
            lastSegment = logs.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".log"))
                    .sorted()
                    .reduce((a, b) -> b)
                    .orElseThrow();
        }
        int checked = 0;
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (name.endsWith(".index") || name.equals(lastSegment)) {
                continue; // a cache; and a cut last segment reads as a write a crash cut short (RedoLogDamageTest)
            }
            byte[] original = Files.readAllBytes(f);
            for (int keep : new int[] {0, original.length / 2, original.length - 1}) {
                Files.write(f, Arrays.copyOf(original, keep));
                try {
                    String found = verify();
                    assertTrue(
                            found.contains(name)
                                    || found.contains(
                                            f.getParent().getFileName().toString()),
                            name + " cut to " + keep + " of " + original.length + " bytes: verify said " + found);
                    if (name.startsWith("manifest")) {
                        assertEquals(intact, Repository.open(dir).checkpoints(), name + " cut to " + keep);
                    } else {
                        assertRefusedOnRead(f);
                    }
                    checked++;
                } finally {
                    Files.write(f, original);
                }
            }
        }
        assertTrue(checked >= 30, "cuts checked: " + checked);
        assertTrue(Verifier.run(Repository.open(dir), 100, s -> {}).ok(), "the repaired repository verifies again");
    }

    /** The problems verify reports (or the error it stops with). */
    private String verify() {
        try {
            Verifier.Report r = Verifier.run(Repository.open(dir), 100, s -> {});
            return r.ok() ? "(nothing)" : String.valueOf(r.problems());
        } catch (RepositoryException e) {
            return e.getMessage();
        }
    }

    /** What a restore reads of that file fails with an error instead of returning changed data. */
    private void assertRefusedOnRead(Path f) {
        try {
            Repository repo = Repository.open(dir);
            new SchemaHistory(dir.resolve("schemas"), repo.sealer());
            Marks.list(repo);
            new SourceHistory(repo).records();
            List<Manifest> all = repo.checkpoints();
            for (Manifest m : all) {
                for (Manifest.TableEntry t : m.tables()) {
                    if (m.delta()) {
                        ChunkReader.deltaStates(repo.dataDir(), repo.sealer(), t)
                                .read()
                                .forEachRemaining(st -> {});
                    } else {
                        ChunkReader.readRows(repo.dataDir(), repo.sealer(), t, (k, r) -> {});
                    }
                }
            }
            try (LogCursor c = repo.readLog(1)) {
                c.forEachRemaining(tx -> {});
            }
            fail("reading " + f + " with a flipped byte succeeded");
        } catch (RepositoryException | IllegalStateException e) {
            // refused, naming the file (or its directory) so the operator knows what to restore from elsewhere
            String name = f.getFileName().toString(),
                    parent = f.getParent().getFileName().toString();
            assertTrue(
                    String.valueOf(e.getMessage()).contains(name)
                            || String.valueOf(e.getMessage()).contains(parent),
                    "reading a damaged " + f + " failed without naming it: " + e.getMessage());
        }
    }
}
