package dev.backtrack.cli;

import dev.backtrack.agent.FreshFull;
import dev.backtrack.config.BacktrackConfig;
import dev.backtrack.config.ConfigLoader;
import dev.backtrack.connectors.postgres.Lsn;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.checkpoint.SyntheticFull;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code backtrack checkpoint --config F}: a synthetic full checkpoint now, from the newest checkpoint and the log. */
@Command(name = "checkpoint", mixinStandardHelpOptions = true,
        description = "Write a checkpoint now (also while the agent runs): a synthetic full from the newest checkpoint and the log; the source is not read.")
final class CheckpointCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "backtrack.yaml of the agent")
    Path config;

    @Option(names = "--kind", defaultValue = "full",
            description = "full: a synthetic full from the newest checkpoint and the log; fresh: a full read from the source now (re-baselining;"
                    + " needs the agent running). Differential and incremental checkpoints are not built yet")
    String kind;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (!kind.equals("full") && !kind.equals("fresh")) {
            throw new IllegalArgumentException("--kind " + kind + " is not available: use full (synthetic) or fresh (read from the source)");
        }
        BacktrackConfig cfg = ConfigLoader.load(config);
        Path path = cfg.repository().path();
        Repository.unlock(path, cfg.repository().passphraseChars());
        Repository repo = Repository.open(path);
        long started = System.nanoTime();
        Manifest m;
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
            m = SyntheticFull.build(repo, all.get(all.size() - 1), repo.logSummary().lastSequence(), cfg.repository().compressionLevel(), Lsn::format);
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("written", m != null);
        if (m != null) {
            out.put("id", m.id());
            out.put("time", m.time());
            out.put("position", m.positionText());
            out.put("rows", m.tables().stream().mapToLong(Manifest.TableEntry::rows).sum());
        }
        out.put("milliseconds", ms);
        if (json) {
            Json.print(out);
        } else if (m == null) {
            System.out.println("no checkpoint written: the log holds nothing after the newest checkpoint");
        } else {
            System.out.println("checkpoint " + m.id() + " written: " + (kind.equals("fresh") ? "fresh full read from the source" : "synthetic full") + " as of " + m.time() + " (" + m.positionText() + "), " + out.get("rows")
                    + " rows in " + ms + " ms");
        }
        return ExitCode.OK;
    }
}
