package dev.backtrack.cli;

import dev.backtrack.agent.Agent;
import dev.backtrack.agent.FreshFull;
import dev.backtrack.config.BacktrackConfig;
import dev.backtrack.config.ConfigLoader;
import dev.backtrack.config.Engine;
import dev.backtrack.config.SourceConfig;
import dev.backtrack.connectors.postgres.PostgresCatalog;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.checkpoint.CheckpointKinds;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.position.Positions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code backtrack checkpoint --config F [--kind full|diff|incr|fresh]}: a checkpoint now. SIGTERM or
 * Ctrl-C before it is published rolls it back (nothing of it is left) and exits with the signal's code.
 */
@Command(
        name = "checkpoint",
        mixinStandardHelpOptions = true,
        description = "Write a checkpoint now (also while the agent runs): a synthetic full, differential or "
                + "incremental from the checkpoints and the log"
                + " (the source is not read), or a fresh full read from the source.")
final class CheckpointCommand implements Callable<Integer> {
    static final String ROLLED_BACK =
            "checkpoint rolled back: stopped by a signal; nothing of it is left (run it again)";

    @Option(names = "--config", required = true, description = "backtrack.yaml of the agent")
    Path config;

    @Option(
            names = "--kind",
            defaultValue = "full",
            description = "full: a synthetic full from the newest checkpoint's chain and the log; diff: the net "
                    + "changes since the newest full;"
                    + " incr: the net changes since the newest checkpoint; fresh: a full read from the "
                    + "source now (re-baselining; needs the agent running)")
    String kind;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (!List.of(Manifest.FULL, Manifest.DIFF, Manifest.INCR, "fresh").contains(kind)) {
            throw new IllegalArgumentException(
                    "--kind " + kind + " is not a checkpoint kind: use full, diff, incr or fresh");
        }
        BacktrackConfig cfg = ConfigLoader.load(config);
        Path path = cfg.repository().path();
        Repository repo = Repository.open(path, cfg.repository().passphraseChars());
        long started = System.nanoTime();
        if (kind.equals("fresh") && repo.identity().sourceEngine() != Engine.POSTGRESQL) {
            throw new IllegalArgumentException("--kind fresh reads PostgreSQL through an exported snapshot, which a "
                    + repo.identity().sourceEngine()
                    + " source does not have yet: use --kind full (synthetic, from the log) instead");
        }
        AtomicBoolean ended = new AtomicBoolean();
        GracefulStop stop = stopOnSignal(cfg, ended);
        try {
            Manifest m = build(cfg, repo, path);
            report(m, (System.nanoTime() - started) / 1_000_000);
            ended.set(true);
            return ExitCode.OK;
        } catch (RuntimeException | IOException e) {
            // the JVM then ends with the signal's code (143, Ctrl-C 130)
            stop.reportIfSignalled(e, ROLLED_BACK);
            throw e;
        } finally {
            // after the catch: the line is printed before the hook lets the JVM go
            stop.close();
        }
    }

    /**
     * SIGTERM or Ctrl-C: the build is interrupted (a fresh full's queries on the source are cancelled
     * too) and rolls back (CheckpointWriter.abandon); a checkpoint published before the signal stays,
     * and the command ends as it would without the signal (exit code 0, once {@code ended} is set).
     */
    private GracefulStop stopOnSignal(BacktrackConfig cfg, AtomicBoolean ended) {
        Thread building = Thread.currentThread();
        long since = System.currentTimeMillis();
        try {
            return new GracefulStop(
                    "checkpoint-stop",
                    () -> {
                        building.interrupt();
                        if (kind.equals("fresh")) {
                            Thread cancel = new Thread(() -> cancelFreshRead(cfg.source(), since), "checkpoint-cancel");
                            cancel.setDaemon(true);
                            cancel.start();
                        }
                    },
                    30,
                    () -> {
                        if (ended.get()) {
                            // written (or nothing to write) before the signal could stop it: a success, not "killed by
                            // SIGTERM" (143)
                            System.out.flush();
                            Runtime.getRuntime().halt(ExitCode.OK);
                        }
                    });
        } catch (IllegalStateException shuttingDown) {
            // the signal came before the work began, so nothing was written (without this: 'Shutdown in progress')
            System.err.println("backtrack: " + ROLLED_BACK);
            throw new Main.Reported(shuttingDown);
        }
    }

    /** Builds and publishes the checkpoint; null when there was nothing to write. */
    private Manifest build(BacktrackConfig cfg, Repository repo, Path path) throws IOException {
        if (kind.equals("fresh")) {
            boolean terminal = System.console() != null && !json;
            return FreshFull.take(cfg, repo, Duration.ofMinutes(5), line -> {
                if (terminal) {
                    System.err.println(line);
                }
            });
        }
        try (FileChannel building = repo.lockForCheckpoint()) {
            List<Manifest> all = repo.checkpoints();
            if (all.isEmpty()) {
                throw new IllegalArgumentException(
                        "repository " + path + " has no checkpoint 0 yet: let the agent take it first");
            }
            return CheckpointKinds.build(
                    repo,
                    kind,
                    repo.logSummary().lastSequence(),
                    cfg.repository().compressionLevel(),
                    Positions.formatter(repo.identity().sourceEngine()));
        }
    }

    private void report(Manifest m, long ms) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("written", m != null);
        if (m != null) {
            out.put("id", m.id());
            out.put("kind", kind.equals("fresh") ? "fresh" : m.kind());
            out.put("parent", m.parent());
            out.put("bytes", m.bytes());
            out.put("time", m.time());
            out.put("position", m.positionText());
            out.put("rows", m.rows());
        }
        out.put("milliseconds", ms);
        if (json) {
            Json.print(out);
        } else if (m == null) {
            System.out.println("no checkpoint written: the log holds nothing after the "
                    + (kind.equals(Manifest.DIFF) ? "newest full" : "newest checkpoint"));
        } else {
            System.out.println("checkpoint " + m.id() + " written: "
                    + (kind.equals("fresh") ? "fresh full read from the source" : Agent.describe(m))
                    + " as of " + m.time() + " (" + m.positionText() + "), " + m.rows()
                    + (m.delta() ? " changed rows, " : " rows, ") + m.bytes() / 1024
                    + " KiB in " + ms + " ms");
        }
    }

    /**
     * Cancels what this command runs on the source for a fresh full (creating its snapshot's slot, reading a table),
     * which an interrupt does not reach: the sessions FreshSnapshot opens ('backtrack-fresh-checkpoint') from this host
     * since the command began. Another repository's fresh full of the same database begun from this host meanwhile
     * would
     * be cancelled too; under the checkpoint lock no other one of this repository is.
     */
    private static void cancelFreshRead(SourceConfig source, long sinceMillis) {
        try (PostgresCatalog c = PostgresCatalog.connect(source.url(), source.user(), source.password())) {
            c.one("SELECT count(pg_cancel_backend(pid))::text FROM pg_stat_activity WHERE application_name = "
                    + "'backtrack-fresh-checkpoint'"
                    + " AND datname = current_database() AND client_addr IS NOT DISTINCT FROM "
                    + "inet_client_addr() AND pid <> pg_backend_pid()"
                    + " AND backend_start >= to_timestamp(" + sinceMillis + " / 1000.0)");
        } catch (RuntimeException e) {
            // the interrupt still stops the read at its next row
        }
    }
}
