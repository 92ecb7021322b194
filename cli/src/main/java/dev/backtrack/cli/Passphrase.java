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
            description = "file whose first line is the passphrase of an encrypted repository (default: the "
                    + "BACKTRACK_PASSPHRASE variable)")
    Path file;

    /** Opens {@code repository} with the passphrase given, which an encrypted one needs and a plain one ignores. */
    Repository open(Path repository) {
        return Repository.open(repository, read());
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
