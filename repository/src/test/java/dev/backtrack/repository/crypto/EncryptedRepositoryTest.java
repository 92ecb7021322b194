package dev.backtrack.repository.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.config.Engine;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.checkpoint.CheckpointAt;
import dev.backtrack.repository.checkpoint.CheckpointLabels;
import dev.backtrack.repository.checkpoint.CheckpointWriter;
import dev.backtrack.repository.mark.Marks;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.redolog.RedoLog;
import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.TableSchema;
import dev.backtrack.repository.verify.Verifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a passphrase, no repository file holds a row, a name or a definition in plain text, and every read needs the
 * key.
 */
class EncryptedRepositoryTest {
    private static final String MARKER = "needle-7f3a-contact";
    private static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();

    @TempDir
    Path dir;

    private void fill(Repository repo) throws Exception {
        TableSchema t = repo.schemas()
                .register(
                        new TableSchema(
                                0,
                                "public",
                                MARKER + "_table",
                                List.of(
                                        new Column("id", "bigint", false, null, null, null, null),
                                        new Column(MARKER + "_col", "text", true, null, null, null, null)),
                                List.of("id"),
                                Map.of(),
                                1),
                        1);
        CheckpointWriter w = new CheckpointWriter(
                repo.checkpointsDir(), repo.sealer(), CheckpointLabels.label(1_767_225_600_000_000L, "F"), 3);
        for (long i = 0; i < 1000; i++) {
            w.addRow(t, new Object[] {i, MARKER + " row " + i});
        }
        w.finishFull(CheckpointAt.of(1_767_225_600_000_000L, 1, "0/1", 1).withOffset("{\"lsn\":1}"));
        try (RedoLog log = RedoLog.openForAppend(repo.logDir(), repo.sealer(), 1 << 20, 3)) {
            List<Transaction> txs = new ArrayList<>();
            for (long i = 0; i < 100; i++) {
                txs.add(new Transaction(
                        0,
                        1_767_225_601_000_000L + i,
                        10 + i,
                        "x" + i,
                        List.of(new RowChange(
                                t.id(), Op.INSERT, null, new Object[] {i + 5000, MARKER + " logged " + i}))));
            }
            log.append(txs, "{\"lsn\":110}");
        }
        Marks.record(
                repo,
                new Marks.Mark(MARKER.replace("-", "_"), 50, 1_767_225_601_000_050L, 60, "2026-01-01T00:00:01.00005Z"));
    }

    @Test
    void noFileHoldsDataInPlainTextAndEverythingReadsBackWithTheKey() throws Exception {
        Repository repo = Repository.openOrCreate(dir, Engine.POSTGRESQL, "7000000000000000001", "crm", PASSPHRASE);
        fill(repo);
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertFalse(
                        content.contains(MARKER) || content.contains(MARKER.replace("-", "_")),
                        f + " holds plain text");
            }
        }
        assertTrue(Verifier.run(repo, 100, s -> {}).ok());
        assertEquals(1, Marks.list(repo).size());
        // the open repository keeps its key to itself: opening it again needs the passphrase again
        RepositoryException locked = assertThrows(RepositoryException.class, () -> Repository.open(dir));
        assertTrue(
                locked.getMessage().contains("is encrypted")
                        && locked.getMessage().contains("BACKTRACK_PASSPHRASE"),
                locked.getMessage());
        KeyException wrong = assertThrows(KeyException.class, () -> Repository.open(dir, "wrong".toCharArray()));
        assertTrue(wrong.getMessage().contains("does not open"), wrong.getMessage());
        Repository again = Repository.open(dir, PASSPHRASE);
        assertEquals(1, again.checkpoints().size());
        assertEquals(101, again.logSummary().lastSequence() + 1);
        try (var cursor = again.readLog(1)) {
            assertEquals(MARKER + " logged 0", cursor.next().changes().get(0).after()[1]);
        }
    }

    @Test
    void plainAndEncryptedAreNeverMixed() throws Exception {
        Repository.openOrCreate(dir, Engine.POSTGRESQL, "7000000000000000001", "crm");
        RepositoryException e = assertThrows(
                RepositoryException.class,
                () -> Repository.openOrCreate(dir, Engine.POSTGRESQL, "7000000000000000001", "crm", PASSPHRASE));
        assertTrue(e.getMessage().contains("without encryption"), e.getMessage());
        Path other = dir.resolve("other");
        Repository sealed = Repository.openOrCreate(other, Engine.POSTGRESQL, "7000000000000000001", "crm", PASSPHRASE);
        RepositoryException missing = assertThrows(
                RepositoryException.class,
                () -> Repository.openOrCreate(other, Engine.POSTGRESQL, "7000000000000000001", "crm"));
        assertTrue(missing.getMessage().contains("repository.passphrase"), missing.getMessage());
        // a plain file slipped into an encrypted repository is refused, not read
        Files.createDirectories(other.resolve("marks"));
        Files.writeString(
                other.resolve("marks").resolve("planted.json"),
                "{\"name\":\"planted\",\"sequence\":1,\"commitMicros\":1,\"position\":1,\"time\":\"x\"}");
        assertThrows(RepositoryException.class, () -> Marks.list(sealed));
    }
}
