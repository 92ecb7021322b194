package dev.backtrack.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.config.Engine;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.redolog.RedoLog;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryTest {
    private static final String SYSTEM = "7401234567890123456";

    @TempDir
    Path tmp;

    @Test
    void openOrCreateCreatesTheLayoutAndRecordsTheSource() throws IOException {
        Path path = tmp.resolve("repo");
        Repository repo = Repository.openOrCreate(path, Engine.POSTGRESQL, SYSTEM, "crm");
        assertTrue(Files.isRegularFile(path.resolve(Repository.ROOT_FILE)));
        assertTrue(Files.isDirectory(path.resolve("schemas")));
        assertEquals(path.resolve("log"), repo.logDir());
        assertEquals(path.resolve("checkpoints"), repo.checkpointsDir());
        RepositoryIdentity id = repo.identity();
        assertEquals(RepositoryIdentity.FORMAT, id.format());
        assertEquals("postgresql", id.engine());
        assertEquals(SYSTEM, id.systemIdentifier());
        assertEquals("crm", id.database());
        assertFalse(id.repositoryId().isBlank());
        assertTrue(repo.logSummary().isEmpty());
        assertTrue(repo.checkpoints().isEmpty());
        assertTrue(Files.readString(path.resolve(Repository.ROOT_FILE)).contains(SYSTEM));
    }

    @Test
    void reopeningKeepsTheSameIdentity() throws IOException {
        Path path = tmp.resolve("repo");
        Repository first = Repository.openOrCreate(path, Engine.POSTGRESQL, SYSTEM, "crm");
        try (RedoLog log = RedoLog.openForAppend(first.logDir(), first.sealer(), 1 << 20, 3)) {
            log.append(List.of(new Transaction(0, 1, 2, "t", List.of())), "o");
        }
        Repository again = Repository.openOrCreate(path, Engine.POSTGRESQL, SYSTEM, "crm");
        assertEquals(first.identity(), again.identity());
        assertEquals(first.identity(), Repository.open(path).identity());
        assertEquals(1, again.logSummary().lastSequence());
    }

    @Test
    void reopeningForAnotherSystemIsRefusedNamingBoth() {
        Path path = tmp.resolve("repo");
        Repository.openOrCreate(path, Engine.POSTGRESQL, SYSTEM, "crm");
        RepositoryException e = assertThrows(
                RepositoryException.class,
                () -> Repository.openOrCreate(path, Engine.POSTGRESQL, "7409999999999999999", "crm"));
        assertTrue(e.getMessage().contains(SYSTEM), e.getMessage());
        assertTrue(e.getMessage().contains("7409999999999999999"), e.getMessage());
        assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
    }

    @Test
    void reopeningForAnotherDatabaseIsRefused() {
        Path path = tmp.resolve("repo");
        Repository.openOrCreate(path, Engine.POSTGRESQL, SYSTEM, "crm");
        RepositoryException e = assertThrows(
                RepositoryException.class, () -> Repository.openOrCreate(path, Engine.POSTGRESQL, SYSTEM, "billing"));
        assertTrue(e.getMessage().contains("'crm'") && e.getMessage().contains("'billing'"), e.getMessage());
    }

    @Test
    void aNonEmptyForeignDirectoryIsRefusedAndLeftAlone() throws IOException {
        Path path = tmp.resolve("data");
        Files.createDirectories(path);
        Files.writeString(path.resolve("notes.txt"), "mine");
        RepositoryException e = assertThrows(
                RepositoryException.class, () -> Repository.openOrCreate(path, Engine.POSTGRESQL, SYSTEM, "crm"));
        assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
        assertFalse(Files.exists(path.resolve(Repository.ROOT_FILE)));
        assertFalse(Files.exists(path.resolve("schemas")));
    }

    @Test
    void anEmptyExistingDirectoryIsAdopted() {
        Repository repo = Repository.openOrCreate(tmp, Engine.POSTGRESQL, SYSTEM, "crm");
        assertEquals(SYSTEM, repo.identity().systemIdentifier());
    }

    @Test
    void openRefusesADirectoryThatIsNotARepository() {
        RepositoryException e = assertThrows(RepositoryException.class, () -> Repository.open(tmp));
        assertTrue(e.getMessage().contains(Repository.ROOT_FILE), e.getMessage());
    }

    @Test
    void aDamagedRootFileIsRefusedNamingIt() throws IOException {
        Path path = tmp.resolve("repo");
        Repository.openOrCreate(path, Engine.POSTGRESQL, SYSTEM, "crm");
        Files.writeString(path.resolve(Repository.ROOT_FILE), "{\"format\": 1, \"repositoryId\": ");
        RepositoryException e = assertThrows(RepositoryException.class, () -> Repository.open(path));
        assertTrue(e.getMessage().contains(path.resolve(Repository.ROOT_FILE).toString()), e.getMessage());
    }

    @Test
    void lockingForWritingTwiceIsRefused() throws IOException {
        Repository repo = Repository.openOrCreate(tmp.resolve("repo"), Engine.POSTGRESQL, SYSTEM, "crm");
        try (FileChannel held = repo.lockForWriting()) {
            RepositoryException e = assertThrows(RepositoryException.class, repo::lockForWriting);
            assertTrue(e.getMessage().contains("locked"), e.getMessage());
            RepositoryException viaOtherInstance = assertThrows(
                    RepositoryException.class,
                    () -> Repository.open(tmp.resolve("repo")).lockForWriting());
            assertTrue(viaOtherInstance.getMessage().contains("locked"), viaOtherInstance.getMessage());
            assertTrue(held.isOpen());
        }
        repo.lockForWriting().close(); // released: can be taken again
    }

    @Test
    void aRefusedSecondLockDoesNotReleaseTheFirstForOtherProcesses() throws Exception {
        Repository repo = Repository.openOrCreate(tmp.resolve("repo"), Engine.POSTGRESQL, SYSTEM, "crm");
        try (FileChannel held = repo.lockForWriting()) {
            assertThrows(RepositoryException.class, repo::lockForWriting);
            assertEquals("held", lockSeenFromAnotherProcess(tmp.resolve("repo").resolve("agent.lock")));
        }
        assertEquals("free", lockSeenFromAnotherProcess(tmp.resolve("repo").resolve("agent.lock")));
    }

    /** Runs a separate JVM that tries the lock file: POSIX locks are per process, so only another process sees them. */
    private String lockSeenFromAnotherProcess(Path lockFile) throws Exception {
        Path probe = tmp.resolve("LockProbe.java");
        Files.writeString(probe, """
                import java.nio.channels.FileChannel;
                import java.nio.file.Path;
                import java.nio.file.StandardOpenOption;
                public class LockProbe {
                    public static void main(String[] args) throws Exception {
                        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE)) {
                            System.out.print(ch.tryLock() == null ? "held" : "free");
                        }
                    }
                }
                """);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), probe.toString(), lockFile.toString())
                .redirectErrorStream(true)
                .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "lock probe timed out");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
