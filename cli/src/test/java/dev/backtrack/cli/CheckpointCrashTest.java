package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.checkpoint.DataStore;
import dev.backtrack.repository.verify.Verifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 while a checkpoint is being written, at random moments: the repository stays valid and restores exactly. */
class CheckpointCrashTest {

    @Test
    void killingACheckpointWriterAnywhereLeavesAValidRepository(@TempDir Path dir) throws Exception {
        Random random = new Random(42);
        try (CaptureFixture f = new CaptureFixture("crm_ckpt_crash", dir)) {
            f.cluster.execute(f.database, "CREATE TABLE contacts (id int PRIMARY KEY, name text, notes text)");
            f.cluster.execute(
                    f.database,
                    "INSERT INTO contacts SELECT g, 'c' || g, repeat(md5(g::text), 4) FROM generate_series(1, "
                            + "200000) g");
            f.startAgent();
            f.cluster.execute(f.database, "UPDATE contacts SET name = name || '!' WHERE id % 3 = 0");
            f.awaitLogged();
            f.stopAgent();
            int midWrite = 0;
            List<String> kinds = List.of("diff", "incr", "full");
            for (int i = 0; i < 9 && Repository.open(f.repository).checkpoints().size() == 1; i++) {
                String kind = kinds.get(i % 3);
                AgentProcess writer = AgentProcess.startCommand(
                        dir.resolve("checkpoint-" + i + ".log"),
                        "checkpoint",
                        "--config",
                        f.config.toString(),
                        "--kind",
                        kind);
                if (i % 2 == 0) {
                    // once its files are being written, a little later each time
                    awaitPartial(f.repository.resolve("checkpoints"), writer);
                    Thread.sleep(random.nextInt(50 + 100 * i));
                } else {
                    // from JVM start-up to the rename at the end, at a different moment each time
                    Thread.sleep(200L * (i / 3) + 400 + random.nextInt(400));
                }
                if (writer.isAlive()) {
                    writer.kill();
                    try (var left = Files.list(f.repository.resolve("checkpoints"))) {
                        midWrite +=
                                left.anyMatch(p -> p.getFileName().toString().startsWith(".partial-")) ? 1 : 0;
                    }
                }
                Verifier.Report r = Verifier.run(Repository.open(f.repository), 0, line -> {});
                assertTrue(r.ok(), "after kill " + i + " (" + kind + "): " + r.problems());
            }
            assertTrue(midWrite >= 1, "no writer was killed while its checkpoint was half written");
            for (String kind : List.of("incr", "diff", "full")) {
                AgentProcess last = AgentProcess.startCommand(
                        dir.resolve("checkpoint-last-" + kind + ".log"),
                        "checkpoint",
                        "--config",
                        f.config.toString(),
                        "--kind",
                        kind);
                assertEquals(0, last.waitFor(), last.output());
            }
            Repository repo = Repository.open(f.repository);
            assertTrue(repo.checkpoints().size() >= 2, repo.checkpoints().toString());
            // what the killed writers left is swept by the next expire, and nothing a checkpoint names goes
            AgentProcess expire = AgentProcess.startCommand(
                    dir.resolve("expire.log"), "expire", "--repo", f.repository.toString(), "--keep", "100");
            assertEquals(0, expire.waitFor(), expire.output());
            Set<String> named = new HashSet<>();
            repo.checkpoints().forEach(m -> m.dataFiles().forEach(c -> named.add(c.sha256())));
            assertEquals(named, DataStore.stored(repo.dataDir()).keySet());
            Verifier.Report r = Verifier.run(Repository.open(f.repository), 100, line -> {});
            assertTrue(
                    r.ok() && r.notes().stream().noneMatch(n -> n.contains("belong to no checkpoint")),
                    r.problems() + " " + r.notes());
            String expected =
                    f.checksums(f.database, List.of("public.contacts")).toString();
            f.restore("latest", "crm_ckpt_crash_restored");
            assertEquals(
                    expected,
                    f.checksums("crm_ckpt_crash_restored", List.of("public.contacts"))
                            .toString());
        }
    }

    /** Waits (up to 60 s) until a checkpoint writer has begun its partial directory, or has ended. */
    private static void awaitPartial(Path checkpoints, AgentProcess writer) throws Exception {
        for (int n = 0; n < 12_000 && writer.isAlive(); n++) {
            try (var listed = Files.list(checkpoints)) {
                if (listed.anyMatch(p -> p.getFileName().toString().startsWith(".partial-"))) {
                    return;
                }
            }
            Thread.sleep(5);
        }
    }
}
