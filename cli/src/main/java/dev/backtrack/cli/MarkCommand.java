package dev.backtrack.cli;

import dev.backtrack.config.BacktrackConfig;
import dev.backtrack.config.ConfigLoader;
import dev.backtrack.config.Engine;
import dev.backtrack.connectors.postgres.PostgresCatalog;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.mark.Marks;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code backtrack mark NAME --config F}: a named restore point, written into the source's change stream. */
@Command(
        name = "mark",
        mixinStandardHelpOptions = true,
        description = "Write a named restore point into the change stream; restore to it later with --to mark:NAME.")
final class MarkCommand implements Runnable {
    @Parameters(index = "0", description = "name of the restore point (letters, digits, _ . -)")
    String name;

    @Option(names = "--config", required = true, description = "backtrack.yaml of the agent capturing the source")
    Path config;

    @Override
    public void run() {
        Marks.checkName(name);
        BacktrackConfig cfg = ConfigLoader.load(config);
        if (cfg.source().engine() != Engine.POSTGRESQL) {
            throw new IllegalArgumentException("marks are written as PostgreSQL logical decoding messages, which a "
                    + cfg.source().engine()
                    + " source has no equivalent of: restore to a GTID (--to gtid:...) or a binlog position instead");
        }
        Path path = cfg.repository().path();
        // before the agent's first run there is no repository, and so no mark yet
        if (Files.exists(path.resolve(Repository.ROOT_FILE))
                && Marks.find(Repository.open(path, cfg.repository().passphraseChars()), name) != null) {
            throw new IllegalArgumentException(
                    "mark '" + name + "' exists already in " + cfg.repository().path() + ": choose another name");
        }
        try (PostgresCatalog source = PostgresCatalog.connect(
                cfg.source().url(), cfg.source().user(), cfg.source().password())) {
            // transactional, so the mark has its own commit position and time in the log
            String lsn =
                    source.one("SELECT pg_logical_emit_message(true, '" + Marks.PREFIX + "', '" + name + "')::text");
            System.out.println("mark " + name + " written at LSN " + lsn + "; restore to it with --to mark:" + name
                    + " once the agent has logged it");
        }
    }
}
