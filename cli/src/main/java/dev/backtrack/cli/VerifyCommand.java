package dev.backtrack.cli;

import dev.backtrack.repository.ReadLease;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.verify.Verifier;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code backtrack verify}: proves the repository can restore its window, or names what is damaged. */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = "Check every log batch, checkpoint, data file and their coverage; exit 0 when the recoverable "
                + "window is proven, 4 when something is damaged,"
                + " 5 for a wrong key, 6 when an expire is removing files (run it again when that is done).")
final class VerifyCommand implements Callable<Integer> {
    @Option(names = "--repo", required = true, description = "repository directory")
    Path repo;

    @picocli.CommandLine.Mixin
    Passphrase passphrase = new Passphrase();

    @Option(
            names = "--read-data",
            description = "also decode and count every checkpoint row (default: SHA-256 of every data file)")
    boolean readData;

    @Option(
            names = "--read-data-subset",
            paramLabel = "N%",
            description = "decode and count the rows of about N% of the checkpoint data files")
    String subset;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() {
        if (readData && subset != null) {
            throw new IllegalArgumentException("--read-data and --read-data-subset conflict: give one of them");
        }
        int percent = readData ? 100 : 0;
        if (subset != null) {
            if (!subset.matches("(100|[1-9]?[0-9])%?")) {
                throw new IllegalArgumentException("--read-data-subset '" + subset
                        + "' is not a share: write a percentage from 0 to 100, as in 10%");
            }
            percent = Integer.parseInt(subset.replace("%", ""));
        }
        Repository repository = passphrase.open(repo);
        boolean terminal = System.console() != null && !json;
        Verifier.Report r;
        // an expire removing files meanwhile would read as damage
        try (ReadLease lease = ReadLease.reader(repo)) {
            r = Verifier.run(repository, percent, line -> {
                if (terminal) {
                    System.err.println(line);
                }
            });
        }
        if (json) {
            Json.print(r);
        } else {
            r.notes().forEach(n -> System.out.println("note: " + n));
            r.problems().forEach(p -> System.out.println("DAMAGED: " + p));
            System.out.println((r.ok() ? "ok: " : "not ok: ") + r.checkpoints() + " checkpoints, " + r.logBatches()
                    + " log batches (transactions "
                    + r.firstSequence() + ".." + r.lastSequence() + ", " + r.bytes() + " bytes)"
                    + (r.ok()
                            ? "; recoverable window proven: " + r.earliest() + " .. " + r.latest()
                            : "; " + r.problems().size() + " problems"));
        }
        return r.ok() ? ExitCode.OK : ExitCode.REPOSITORY;
    }
}
