package dev.backtrack.cli;

import dev.backtrack.config.BacktrackConfig;
import dev.backtrack.config.ConfigLoader;
import dev.backtrack.config.RetentionConfig;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.retention.Retention;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code backtrack expire}: applies the retention rules now; the agent applies them after each checkpoint. */
@Command(
        name = "expire",
        mixinStandardHelpOptions = true,
        description =
                "Remove checkpoints, log segments and marks the retention rules no longer keep (--dry-run lists them).")
final class ExpireCommand implements Callable<Integer> {
    @Option(names = "--repo", description = "repository directory (with --keep and/or --window)")
    Path repo;

    @picocli.CommandLine.Mixin
    Passphrase passphrase = new Passphrase();

    @Option(names = "--config", description = "backtrack.yaml: the repository and its retention section")
    Path config;

    @Option(names = "--keep", paramLabel = "N", description = "keep at least the N newest checkpoints")
    Integer keep;

    @Option(
            names = "--window",
            paramLabel = "DURATION",
            description = "keep every instant of this span back from now restorable, as in 14d")
    String window;

    @Option(names = "--dry-run", description = "list what would go; change nothing")
    boolean dryRun;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if ((repo == null) == (config == null)) {
            throw new IllegalArgumentException(
                    "give either --repo or --config: --repo DIR with --keep/--window, or --config FILE with "
                            + "its retention section");
        }
        BacktrackConfig cfg = config != null ? ConfigLoader.load(config) : null;
        Path path = cfg != null ? cfg.repository().path() : repo;
        RetentionConfig rules = rules(cfg);
        if (!Files.exists(path.resolve(Repository.ROOT_FILE))) {
            throw new IllegalArgumentException(
                    path + " is not a Backtrack repository (no " + Repository.ROOT_FILE + "): check the path");
        }
        Repository repository =
                cfg != null ? Repository.open(path, cfg.repository().passphraseChars()) : passphrase.open(path);
        Retention.Plan plan = dryRun ? plan(repository, rules) : expire(repository, rules);
        print(plan);
        return ExitCode.OK;
    }

    /** The rules from the options, over the configuration's retention section when {@code cfg} (--config) is given. */
    private RetentionConfig rules(BacktrackConfig cfg) {
        RetentionConfig rules;
        if (cfg != null) {
            RetentionConfig configured = cfg.retention();
            rules = new RetentionConfig(
                    keep != null ? keep : configured.checkpoints(),
                    window != null ? ConfigLoader.parseDuration("--window", window) : configured.window());
        } else {
            rules = new RetentionConfig(
                    keep == null ? 0 : keep,
                    window == null ? Duration.ZERO : ConfigLoader.parseDuration("--window", window));
        }
        if (rules.checkpoints() < 0) {
            throw new IllegalArgumentException(
                    "--keep " + rules.checkpoints() + " is not valid: use a whole number of checkpoints, 1 or more");
        }
        if (rules.keepsAll()) {
            throw new IllegalArgumentException(
                    "no retention rule: give --keep N and/or --window DURATION (or set retention.checkpoints / "
                            + "retention.window)");
        }
        return rules;
    }

    private static Retention.Plan plan(Repository r, RetentionConfig rules) {
        return Retention.plan(r, rules.checkpoints(), rules.window(), System.currentTimeMillis() * 1000);
    }

    /**
     * Removes what the rules let go, holding the agent's lock: the agent expires by its own rules, and two removers at
     * once would race.
     */
    private static Retention.Plan expire(Repository r, RetentionConfig rules) throws IOException {
        FileChannel held;
        try {
            held = r.lockForWriting();
        } catch (RepositoryException e) {
            throw new RepositoryException(
                    "repository " + r.path() + " is in use by its agent, which expires by its own retention"
                            + " settings after each checkpoint: set retention.checkpoints / retention.window "
                            + "in its configuration, or stop it and run expire again");
        }
        try (FileChannel lock = held) {
            Retention.Plan plan = plan(r, rules);
            Retention.apply(r, plan);
            return plan;
        }
    }

    private void print(Retention.Plan plan) {
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("dryRun", dryRun);
            out.put("checkpoints", plan.checkpoints().stream().map(Manifest::id).toList());
            out.put(
                    "segments",
                    plan.segments().stream()
                            .map(p -> p.getFileName().toString())
                            .toList());
            out.put("marks", plan.marks());
            out.put("bytes", plan.bytes());
            out.put("earliest", plan.earliestAfter());
            Json.print(out);
            return;
        }
        String verb = dryRun ? "would expire" : "expired";
        plan.checkpoints().forEach(m -> System.out.println(verb + " checkpoint " + m.id() + " (" + m.time() + ")"));
        plan.segments().forEach(s -> System.out.println(verb + " log segment " + s.getFileName()));
        plan.marks().forEach(m -> System.out.println(verb + " mark " + m));
        System.out.println(Retention.summary(plan, dryRun));
    }
}
