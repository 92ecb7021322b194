package dev.backtrack.cli;

import dev.backtrack.repository.Repository;
import dev.backtrack.repository.crypto.RepositoryKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code backtrack passphrase}: changes an encrypted repository's passphrase without re-encrypting anything. */
@Command(
        name = "passphrase",
        mixinStandardHelpOptions = true,
        description = "Change the passphrase of an encrypted repository (the master key is re-wrapped; no data is "
                + "re-encrypted).")
final class PassphraseCommand implements Callable<Integer> {
    @Option(names = "--repo", required = true, description = "repository directory")
    Path repo;

    @Option(
            names = "--passphrase-file",
            required = true,
            paramLabel = "FILE",
            description = "file whose first line is the current passphrase")
    Path current;

    @Option(
            names = "--new-passphrase-file",
            required = true,
            paramLabel = "FILE",
            description = "file whose first line is the new passphrase")
    Path next;

    @Override
    public Integer call() {
        char[] old = Passphrase.firstLine(current, "--passphrase-file");
        char[] fresh = Passphrase.firstLine(next, "--new-passphrase-file");
        if (Arrays.equals(old, fresh)) {
            throw new IllegalArgumentException("the new passphrase is the current one: give a different one");
        }
        if (!Files.exists(repo.resolve(Repository.ROOT_FILE))) {
            throw new IllegalArgumentException(
                    repo + " is not a Backtrack repository (no " + Repository.ROOT_FILE + "): check --repo");
        }
        if (!Repository.open(repo, old).identity().encrypted()) {
            throw new IllegalArgumentException(
                    "repository " + repo + " is not encrypted: it has no passphrase to change");
        }
        int removed = RepositoryKeys.change(repo, old, fresh);
        System.out.println("passphrase changed for " + repo + " (" + removed + " old key file"
                + (removed == 1 ? "" : "s") + " removed); no data was re-encrypted");
        return ExitCode.OK;
    }
}
