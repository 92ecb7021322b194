package dev.backtrack.cli;

import dev.backtrack.connectors.target.TargetDatabase;
import dev.backtrack.connectors.target.Targets;
import dev.backtrack.recovery.RestoreException;
import dev.backtrack.repository.Repository;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options {@code migrate} and {@code migrate cutover} share: the repository and the target. */
final class MigrationTarget {
    @Option(names = "--repo", description = "repository directory the agent writes")
    Path repo;

    @Mixin
    Passphrase passphrase = new Passphrase();

    @Option(
            names = "--target-url",
            description = "JDBC URL of the new database: jdbc:postgresql://, jdbc:mariadb:// or jdbc:mysql://")
    String targetUrl;

    @Option(names = "--target-user", description = "target user")
    String targetUser;

    @Option(names = "--target-password", description = "target password (or BACKTRACK_TARGET_PASSWORD)")
    String targetPassword;

    Repository repository() {
        // checked here, not by picocli: 'migrate cutover' takes them after the subcommand, where the parent's required
        // options would be missing
        if (repo == null || targetUrl == null) {
            throw new RestoreException("missing " + (repo == null ? "--repo DIR" : "--target-url URL")
                    + ": both the repository and the target are needed");
        }
        Targets.check(targetUrl);
        return passphrase.open(repo);
    }

    TargetDatabase connect(Repository repository) {
        String password = targetPassword != null ? targetPassword : System.getenv("BACKTRACK_TARGET_PASSWORD");
        return Targets.connect(
                targetUrl, targetUser, password, repository.identity().sourceEngine());
    }
}
