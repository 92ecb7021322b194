package dev.backtrack.cli;

import dev.backtrack.config.BacktrackConfig;
import dev.backtrack.config.ConfigLoader;
import dev.backtrack.connectors.SourceCatalog;
import dev.backtrack.connectors.SourceCatalogs;
import dev.backtrack.connectors.target.TargetDatabase;
import dev.backtrack.recovery.Migration;
import dev.backtrack.recovery.Progress;
import dev.backtrack.recovery.RestoreException;
import dev.backtrack.recovery.Validation;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.objects.ObjectSet;
import dev.backtrack.repository.schema.TableSchema;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code backtrack migrate cutover}: with the application stopped, applies the rest of the log until
 * nothing more arrives, sets sequences / AUTO_INCREMENT from the source, and validates every table
 * (row counts and content checksums, source against target) before declaring the target live.
 */
@Command(
        name = "cutover",
        mixinStandardHelpOptions = true,
        description = "Stop the application writing to the source first. Applies the rest of the log until the "
                + "target has no lag, sets sequences and"
                + " AUTO_INCREMENT counters from the source, and validates every table (row counts and "
                + "checksums, source against target).")
final class CutoverCommand implements Runnable {
    @Mixin
    MigrationTarget target = new MigrationTarget();

    @Option(
            names = "--config",
            required = true,
            description = "the agent's backtrack.yaml: how to reach the source for validation")
    Path config;

    @Option(
            names = "--timeout",
            defaultValue = "120",
            paramLabel = "SECONDS",
            description = "give up (exit 7, target still following) when the target does not match the source by then")
    long timeout;

    @Option(
            names = "--quiet",
            defaultValue = "3",
            paramLabel = "SECONDS",
            description = "how long the log must not grow before the source counts as stopped")
    long quiet;

    @Option(names = "--json", description = "print the report as one JSON object")
    boolean json;

    /**
     * The report: each table compared, the objects (views, functions, ...) that still differ, and whether the target is
     * live.
     */
    record Report(
            boolean cutOver,
            String appliedThrough,
            long appliedSequence,
            List<Validation.TableCheck> tables,
            List<String> objects,
            Map<String, Long> sequences,
            long millis) {}

    @Override
    public void run() {
        if (timeout < 1 || quiet < 1) {
            throw new RestoreException("--timeout and --quiet take whole seconds, 1 or more");
        }
        BacktrackConfig cfg = ConfigLoader.load(config);
        Repository repo = target.repository();
        long started = System.currentTimeMillis();
        long deadline = started + timeout * 1000;
        try (TargetDatabase db = target.connect(repo);
                SourceCatalog source = SourceCatalogs.connect(cfg.source())) {
            checkSameSource(source, repo);
            Migration m =
                    new Migration(repo, db, Progress.NONE, line -> System.err.println("cutover: warning: " + line));
            List<TableSchema> tables = liveTables(source, cfg, repo);
            long lastSeen = -1;
            long quietSince = System.currentTimeMillis();
            while (true) {
                Migration.Status s = m.follow(false, null, 0, () -> false, st -> {});
                if (s.logSequence() != lastSeen) {
                    lastSeen = s.logSequence();
                    quietSince = System.currentTimeMillis();
                }
                boolean settled = s.lagTransactions() == 0 && System.currentTimeMillis() - quietSince >= quiet * 1000;
                if (settled || System.currentTimeMillis() > deadline) {
                    Comparison c = compare(source, db, cfg, repo, tables);
                    if (c.matches() || System.currentTimeMillis() > deadline) {
                        Map<String, Long> sequences =
                                c.matches() ? goLive(source, db, m, tables) : new LinkedHashMap<>();
                        print(new Report(
                                c.matches(),
                                s.appliedCommit(),
                                s.appliedSequence(),
                                c.tables(),
                                c.objects(),
                                sequences,
                                System.currentTimeMillis() - started));
                        if (!c.matches()) {
                            throw new ValidationException("the target does not match the source after " + timeout
                                    + " s (see the tables above):"
                                    + " stop every writer to the source, check the agent is running, "
                                    + "then run cutover again");
                        }
                        return;
                    }
                }
                Thread.sleep(500);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void checkSameSource(SourceCatalog source, Repository repo) {
        if (!source.systemIdentifier().equals(repo.identity().systemIdentifier())) {
            throw new RestoreException("--config names source " + source.systemIdentifier() + ", but " + repo.path()
                    + " was captured from " + repo.identity().systemIdentifier()
                    + ": give the agent configuration of this repository");
        }
    }

    /** The repository's latest table versions of the tables the source has now (within the configured tables). */
    private static List<TableSchema> liveTables(SourceCatalog source, BacktrackConfig cfg, Repository repo) {
        Set<String> live = Set.copyOf(
                source.tables(cfg.source().tablesInclude(), cfg.source().tablesExclude()));
        return repo.schemas().latest().values().stream()
                .filter(t -> live.contains(t.qualifiedName()))
                .toList();
    }

    /** Each table compared, source against target, and the objects that still differ after they are synced. */
    private record Comparison(List<Validation.TableCheck> tables, List<String> objects) {
        boolean matches() {
            return tables.stream().allMatch(Validation.TableCheck::matches) && objects.isEmpty();
        }
    }

    private static Comparison compare(
            SourceCatalog source, TargetDatabase db, BacktrackConfig cfg, Repository repo, List<TableSchema> tables) {
        List<Validation.TableCheck> checks = Validation.compare(source, db, tables);
        return new Comparison(checks, syncObjects(source, db, cfg, repo));
    }

    /**
     * Sets the source's sequence and AUTO_INCREMENT values at the target and ends the migration; returns those values.
     */
    private static Map<String, Long> goLive(
            SourceCatalog source, TargetDatabase db, Migration m, List<TableSchema> tables) {
        Map<String, Long> sequences = new LinkedHashMap<>(source.sequences());
        db.begin();
        db.setSequences(tables, sequences);
        db.commit();
        m.finish();
        return sequences;
    }

    /**
     * Makes the target's views, functions, triggers, ... as the source has them now (same engine
     * only); returns the objects that still differ.
     */
    private static List<String> syncObjects(
            SourceCatalog source, TargetDatabase db, BacktrackConfig cfg, Repository repo) {
        ObjectSet objects =
                source.objects(cfg.source().tablesInclude(), cfg.source().tablesExclude());
        if (objects == null || !repo.identity().sourceEngine().equals(db.engine())) {
            return List.of();
        }
        db.begin();
        try {
            db.syncObjects(objects, id -> true);
            db.commit();
        } catch (RuntimeException e) {
            db.rollback();
            throw e;
        }
        return db.objectDifferences(objects, id -> true);
    }

    private void print(Report r) {
        if (json) {
            Json.print(r);
            return;
        }
        for (Validation.TableCheck c : r.tables()) {
            System.out.println((c.matches() ? "match   " : "DIFFERS ") + c.table() + ": " + c.sourceRows()
                    + " rows at the source, " + c.targetRows() + " in the target, checksum " + c.sourceChecksum()
                    + (c.matches() ? "" : " vs " + c.targetChecksum()));
            c.differingKeys().forEach(k -> System.out.println("        " + k));
        }
        r.objects().forEach(o -> System.out.println("DIFFERS " + o));
        if (r.cutOver()) {
            System.out.println(
                    "cut over: the target holds every transaction through log sequence " + r.appliedSequence()
                            + (r.appliedThrough() == null ? "" : " (commit " + r.appliedThrough() + ")") + "; "
                            + r.sequences().size()
                            + " sequence/AUTO_INCREMENT values set from the source; point the application at "
                            + "the target");
        }
    }

    /** Validation found differences: exit code 7. */
    static final class ValidationException extends RuntimeException {
        ValidationException(String message) {
            super(message);
        }
    }
}
