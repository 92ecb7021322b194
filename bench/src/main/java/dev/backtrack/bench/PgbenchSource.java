package dev.backtrack.bench;

import dev.backtrack.config.BacktrackConfig;
import dev.backtrack.config.ConfigLoader;
import dev.backtrack.connectors.postgres.PostgresCatalog;
import dev.backtrack.repository.Repository;
import dev.backtrack.testkit.PostgresCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A pgbench database the foundation part captures: its agent configuration, repository and tables. */
final class PgbenchSource {
    private final PostgresCluster pg;
    final String db;
    final Path repo;
    final BacktrackConfig config;
    List<String> tables;
    private Repository opened;

    PgbenchSource(PostgresCluster pg, Path work, String db, String slot) throws IOException {
        this(pg, work, db, slot, db, null);
    }

    /** @param passphrase null for a plain repository */
    PgbenchSource(PostgresCluster pg, Path work, String db, String slot, String name, String passphrase)
            throws IOException {
        this.pg = pg;
        this.db = db;
        this.repo = work.resolve(name + "-repo");
        Path yaml = work.resolve(name + ".yaml");
        // capture-ddl off: the agent then uses the same 5-argument CaptureSettings.of the bare engine gets
        Files.writeString(
                yaml,
                "source:\n  url: " + pg.jdbcUrl(db) + "\n  user: postgres\n  slot: " + slot + "\n  publication: " + slot
                        + "\n  capture-ddl: off\nrepository:\n  path: " + repo + "\n"
                        + (passphrase == null ? "" : "  passphrase: " + passphrase + "\n"));
        this.config = new ConfigLoader(Map.of()).read(yaml);
    }

    /** After pgbench -i: history has no key, so it is captured with its full row. */
    void prepare() {
        pg.execute(db, "ALTER TABLE pgbench_history REPLICA IDENTITY FULL");
        try (PostgresCatalog catalog = PostgresCatalog.connect(pg.jdbcUrl(db), "postgres", "")) {
            tables = catalog.tables(
                    config.source().tablesInclude(), config.source().tablesExclude());
        }
    }

    void createSlot(String name, String plugin) {
        pg.execute(db, "SELECT pg_create_logical_replication_slot('" + name + "', '" + plugin + "')");
    }

    void dropSlot(String name) throws InterruptedException {
        for (int i = 0; ; i++) {
            try {
                pg.execute(db, "SELECT pg_drop_replication_slot('" + name + "')");
                return;
            } catch (RuntimeException stillActive) {
                if (i > 100) {
                    throw stillActive;
                }
                Thread.sleep(100);
            }
        }
    }

    Path logDir() {
        return open().logDir();
    }

    /** The repository the agent made, opened once (with its passphrase when it is encrypted); it reads afresh. */
    Repository open() {
        if (opened == null) {
            opened = Repository.open(repo, config.repository().passphraseChars());
        }
        return opened;
    }
}
