package dev.backtrack.repository.fold;

import dev.backtrack.config.Engine;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.crypto.Sealer;
import dev.backtrack.repository.schema.SchemaHistory;
import java.nio.file.Path;

/**
 * The log a fold reads: its directory, the key to its batches (null for a plain repository), the
 * table versions its changes name, and the source engine, whose foreign key rules the fold records
 * when the log leaves out what they change (binlog sources).
 */
public record LogSource(Path logDir, Sealer sealer, SchemaHistory schemas, Engine engine) {
    public static LogSource of(Repository repo) {
        return new LogSource(
                repo.logDir(), repo.sealer(), repo.schemas(), repo.identity().sourceEngine());
    }

    ReferentialActions referentialActions() {
        return ReferentialActions.forEngine(engine);
    }
}
