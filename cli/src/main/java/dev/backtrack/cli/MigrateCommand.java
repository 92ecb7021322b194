package dev.backtrack.cli;

import dev.backtrack.connectors.target.ObjectRestore;
import dev.backtrack.connectors.target.TargetDatabase;
import dev.backtrack.recovery.Migration;
import dev.backtrack.recovery.Progress;
import dev.backtrack.recovery.RestoreException;
import dev.backtrack.recovery.RestoreReport;
import dev.backtrack.recovery.RestoreTarget;
import dev.backtrack.recovery.TargetInstant;
import dev.backtrack.repository.Repository;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code backtrack migrate}: restore the latest state into a new database, then keep applying what
 * the agent logs (resumable: progress is kept in the target). {@code migrate cutover} finishes it.
 */
@Command(
        name = "migrate",
        mixinStandardHelpOptions = true,
        subcommands = CutoverCommand.class,
        description = "Restore the latest state into a new database (any engine), then apply every transaction the "
                + "agent logs after it."
                + " Re-running resumes where it stopped. Finish with 'migrate cutover'.")
final class MigrateCommand implements Runnable {
    @Mixin
    MigrationTarget target = new MigrationTarget();

    @Option(
            names = "--follow",
            description = "keep applying new transactions until stopped (Ctrl-C or SIGTERM finish the transaction in "
                    + "progress)")
    boolean follow;

    @Option(
            names = "--until",
            paramLabel = "TIME",
            description = "stop before the first transaction that committed after this instant (ISO-8601 with Z or "
                    + "an offset)")
    String until;

    @Option(names = "--jobs", defaultValue = "1", description = "connections for the first restore's load")
    int jobs;

    @Option(
            names = "--poll",
            defaultValue = "100",
            paramLabel = "MS",
            description = "how often --follow looks for new transactions, in milliseconds")
    long poll;

    @Option(
            names = "--no-owner",
            description = "leave the restored objects owned by the target user (as pg_restore --no-owner)")
    boolean noOwner;

    @Option(
            names = "--no-privileges",
            description = "leave out GRANTs and default privileges (as pg_restore --no-privileges)")
    boolean noPrivileges;

    @Option(
            names = "--definer",
            paramLabel = "ACCOUNT",
            description = "MariaDB/MySQL: the account views, routines, triggers and events run as:"
                    + " current (default: the target user), keep (the source's), or 'user'@'host'")
    String definer = "current";

    @Option(
            names = "--enable-events",
            description = "MariaDB/MySQL: make events enabled as at the source (by default they are made disabled)")
    boolean enableEvents;

    @Option(names = "--json", description = "print progress as one JSON object per line")
    boolean json;

    @Override
    public void run() {
        TargetInstant stopAt = until == null ? null : TargetInstant.parse(until);
        if (stopAt != null && stopAt.latest()) {
            throw new RestoreException(
                    "--until latest is what a migration without --until does: give an instant, or leave --until out");
        }
        if (jobs < 1 || jobs > 64 || poll < 10) {
            throw new RestoreException(
                    jobs < 1 || jobs > 64
                            ? "--jobs " + jobs + " is not valid: give 1 to 64 connections"
                            : "--poll " + poll + " is too short: give 10 ms or more");
        }
        Repository repo = target.repository();
        // SIGTERM or Ctrl-C: the transaction being applied is committed (with its progress) before the JVM exits
        GracefulStop stop = new GracefulStop("migrate-stop", () -> {}, 30);
        try (TargetDatabase db = target.connect(repo)) {
            Migration m = new Migration(repo, db, progress(), this::warn);
            if (m.state() == null) {
                RestoreTarget to = stopAt == null
                        ? new RestoreTarget.Time(TargetInstant.parse("latest"))
                        : new RestoreTarget.Time(stopAt);
                RestoreReport r = m.start(
                        to,
                        jobs,
                        new ObjectRestore.Options(!noOwner, !noPrivileges)
                                .binlog(RestoreCommand.definer(definer), enableEvents));
                say("restored " + r.rows() + " rows in " + r.rowsPerTable().size() + " tables as of " + r.target()
                        + " (log sequence " + r.lastSequence() + ")");
            }
            Migration.Status s =
                    m.follow(follow, stopAt == null ? null : stopAt.micros(), poll, stop::signalled, this::report);
            say("migration "
                    + (follow && !stop.signalled() && stopAt != null ? "reached --until " + stopAt + ": " : "stopped: ")
                    + s.line());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stop.close();
        }
    }

    private void report(Migration.Status s) {
        if (json) {
            Json.printLine(s);
        } else {
            System.err.println("migrate: " + s.line());
        }
    }

    /** What the target refused while following: always shown (the migration goes on, cutover checks again). */
    private void warn(String line) {
        if (json) {
            Json.printLine(Map.of("warning", line));
        } else {
            System.err.println("migrate: warning: " + line);
        }
    }

    private void say(String line) {
        if (!json) {
            System.out.println(line);
        }
    }

    private Progress progress() {
        return System.console() == null || json ? Progress.NONE : line -> System.err.println(line);
    }
}
