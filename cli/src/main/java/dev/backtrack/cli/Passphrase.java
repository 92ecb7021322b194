package dev.backtrack.cli;

import dev.backtrack.config.ConfigLoader;
import dev.backtrack.repository.Repository;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The passphrase of an encrypted repository, for the commands that read one: a picocli mixin. */
final class Passphrase {
    static final String ENV = "BACKTRACK_PASSPHRASE";

    @Option(
            names = "--passphrase-file",
            paramLabel = "FILE",
            description =
                    "file whose first line is the passphrase of an encrypted repository (default: the BACKTRACK_PASSPHRASE variable)")
    Path file;

    /** Unlocks {@code repository} when it is encrypted and a passphrase was given; a plain one needs none. */
    void unlock(Path repository) {
        char[] p = read();
        if (p != null) {
            Repository.unlock(repository, p);
        }
    }

    private char[] read() {
        if (file != null) {
            return firstLine(file, "--passphrase-file");
        }
        String env = System.getenv(ENV);
        return env == null || env.isEmpty() ? null : env.toCharArray();
    }

    /** The first line of a passphrase file; {@code flag} names the option in errors. */
    static char[] firstLine(Path file, String flag) {
        return ConfigLoader.passphraseFile(file, flag).toCharArray();
    }
}
