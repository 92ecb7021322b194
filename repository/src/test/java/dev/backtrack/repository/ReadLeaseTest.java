package dev.backtrack.repository;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.config.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readers share the repository; an expire excludes them and they exclude it; a non-repository gets no lock file. */
class ReadLeaseTest {
    @TempDir
    Path dir;

    @Test
    void readersShareAndExpireExcludes() {
        Repository.openOrCreate(dir, Engine.POSTGRESQL, "7000000000000000001", "crm");
        try (ReadLease a = ReadLease.reader(dir);
                ReadLease b = ReadLease.reader(dir)) {
            LockedException e = assertThrows(LockedException.class, () -> ReadLease.expirer(dir));
            assertTrue(e.getMessage().contains("being read by a restore or verify"), e.getMessage());
        }
        try (ReadLease expire = ReadLease.expirer(dir)) {
            LockedException e = assertThrows(LockedException.class, () -> ReadLease.reader(dir));
            assertTrue(e.getMessage().contains("is being expired"), e.getMessage());
        }
        ReadLease.reader(dir).close();
        ReadLease.expirer(dir).close();
    }

    @Test
    void aDirectoryThatIsNoRepositoryIsLeftAlone() throws Exception {
        Path other = Files.createDirectories(dir.resolve("not-a-repo"));
        ReadLease.reader(other).close();
        assertFalse(Files.exists(other.resolve("read.lock")));
    }
}
