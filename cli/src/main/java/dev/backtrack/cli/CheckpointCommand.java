package dev.backtrack.cli;

import dev.backtrack.agent.FreshFull;
import dev.backtrack.config.BacktrackConfig;
import dev.backtrack.config.ConfigLoader;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.checkpoint.CheckpointKinds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code backtrack checkpoint --config F [--kind full|diff|incr|fresh]}: a checkpoint now. */
@Command(name = "checkpoint", mixinStandardHelpOptions = true,
        description = "Write a checkpoint now (also while the agent runs): a synthetic full, differential or incremental from the checkpoints and the log"
                + " (the source is not read), or a fresh full read from the source.")
final class CheckpointCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "backtrack.yaml of the agent")
    Path config;

    @Option(names = "--kind", defaultValue = "full",
            description = "full: a synthetic full from the newest checkpoint's chain and the log; diff: the net changes since the newest full;"
                    + " incr: the net changes since the newest checkpoint; fresh: a full read from the source now (re-baselining; needs the agent running)")
    String kind;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (!List.of(Manifest.FULL, Manifest.DIFF, Manifest.INCR, "fresh").contains(kind)) {
            throw new IllegalArgumentException("--kind " + kind + " is not a checkpoint kind: use full, diff, incr or fresh");
        }
        BacktrackConfig cfg = ConfigLoader.load(config);
        Path path = cfg.repository().path();
        Repository.unlock(path, cfg.repository().passphraseChars());
        Repository repo = Repository.open(path);
        long started = System.nanoTime();
        Manifest m;
        if (kind.equals("fresh") && !"postgresql".equals(repo.identity().engine())) {
            throw new IllegalArgumentException("--kind fresh reads PostgreSQL through an exported snapshot, which a " + repo.identity().engine()
                    + " source does not have yet: use --kind full (synthetic, from the log) instead");
        }
        if (kind.equals("fresh")) {
            boolean terminal = System.console() != null && !json;
            m = FreshFull.take(cfg, repo, java.time.Duration.ofMinutes(5), line -> {
                if (terminal) {
                    System.err.println(line);
                }
            });
        } else try (FileChannel building = repo.lockForCheckpoint()) {
            List<Manifest> all = repo.checkpoints();
            if (all.isEmpty()) {
                throw new IllegalArgumentException("repository " + path + " has no checkpoint 0 yet: let the agent take it first");
            }
            m = CheckpointKinds.build(repo, kind, repo.logSummary().lastSequence(), cfg.repository().compressionLevel(), dev.backtrack.connectors.Positions.formatter(repo.identity().engine()));
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
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
            System.out.println("no checkpoint written: the log holds nothing after the " + (kind.equals(Manifest.DIFF) ? "newest full" : "newest checkpoint"));
        } else {
            System.out.println("checkpoint " + m.id() + " written: " + (kind.equals("fresh") ? "fresh full read from the source" : dev.backtrack.agent.Agent.describe(m))
                    + " as of " + m.time() + " (" + m.positionText() + "), " + m.rows() + (m.delta() ? " changed rows, " : " rows, ") + m.bytes() / 1024
                    + " KiB in " + ms + " ms");
        }
        return ExitCode.OK;
    }
}
