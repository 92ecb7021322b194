package dev.backtrack.cli;

import dev.backtrack.connectors.target.ObjectRestore;
import dev.backtrack.connectors.target.TargetDatabase;
import dev.backtrack.connectors.target.Targets;
import dev.backtrack.recovery.Progress;
import dev.backtrack.recovery.Restore;
import dev.backtrack.recovery.RestoreException;
import dev.backtrack.recovery.RestoreReport;
import dev.backtrack.recovery.RestoreTarget;
import dev.backtrack.recovery.Selection;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.position.Positions;
import java.nio.file.Path;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code backtrack restore}: the database as it was at an instant, into a new database. */
@Command(
        name = "restore",
        mixinStandardHelpOptions = true,
        description = "Restore the database as it was at an instant into a new, empty database.")
final class RestoreCommand implements Runnable {
    @Option(names = "--repo", required = true, description = "repository directory")
    Path repo;

    @picocli.CommandLine.Mixin
    Passphrase passphrase = new Passphrase();

    @Option(
            names = "--to",
            description = "latest, an ISO-8601 instant with Z or an offset (2026-11-24T10:31:06.123456Z), "
                    + "lsn:0/16B3748, xid:N, gtid:0-1-42, mark:NAME (all inclusive),"
                    + " or binlog:FILE:POS (every transaction before that binlog position)")
    String to;

    @Option(names = "--before", description = "xid:N or gtid:GTID: the state just before that transaction committed")
    String before;

    @Option(
            names = "--target-url",
            required = true,
            description = "JDBC URL of the empty target database: jdbc:postgresql://, jdbc:mariadb:// or jdbc:mysql://"
                    + " (another engine than the source's goes through the type map of docs/CROSS-ENGINE.md)")
    String targetUrl;

    @Option(names = "--target-user", description = "target user (default: the URL's, or the OS user)")
    String targetUser;

    @Option(names = "--target-password", description = "target password (or BACKTRACK_TARGET_PASSWORD)")
    String targetPassword;

    @Option(
            names = "--tables",
            description = "only these tables (schema.table, comma-separated); foreign keys to tables left out are "
                    + "dropped and reported")
    String tables;

    @Option(names = "--schemas", description = "only the tables of these schemas (comma-separated)")
    String schemas;

    @Option(
            names = "--set",
            paramLabel = "CHECKPOINT",
            description = "start from this checkpoint (and the ones it is read on top of) instead of the chain that "
                    + "reads the fewest bytes")
    String set;

    @Option(
            names = "--jobs",
            defaultValue = "1",
            description =
                    "load tables over N connections, largest first (pg_restore -j style); 1 (default) restores in one"
                            + " transaction. With N > 1 a failed restore drops what it created")
    int jobs;

    @Option(
            names = "--no-owner",
            description = "leave the restored objects owned by the restoring role (as pg_restore --no-owner)")
    boolean noOwner;

    @Option(
            names = "--no-privileges",
            description = "leave out GRANTs and default privileges (as pg_restore --no-privileges)")
    boolean noPrivileges;

    @Option(
            names = "--definer",
            paramLabel = "ACCOUNT",
            description = "MariaDB/MySQL: the account views, routines, triggers and events run as:"
                    + " current (default: the restoring user), keep (the source's), or 'user'@'host'")
    String definer = "current";

    @Option(
            names = "--enable-events",
            description = "MariaDB/MySQL: make events enabled as at the source (by default they are made disabled)")
    boolean enableEvents;

    @Option(
            names = "--strict",
            description = "into another engine: refuse, before anything is written, when anything would be left out"
                    + " (a view, routine, trigger, ...; an index, constraint or expression the type map cannot carry)")
    boolean strict;

    @Option(names = "--json", description = "print the report as one JSON object")
    boolean json;

    @Override
    public void run() {
        RestoreTarget target = RestoreTarget.parse(to, before);
        if (jobs < 1 || jobs > 64) {
            throw new RestoreException("--jobs " + jobs + " is not valid: give 1 to 64 connections");
        }
        Targets.check(targetUrl);
        Repository repository = passphrase.open(repo);
        Restore restore = new Restore(repository, progress())
                .from(set)
                .jobs(jobs)
                .strict(strict)
                .announcing(json ? Progress.NONE : line -> System.err.println(line))
                .objectOptions(
                        new ObjectRestore.Options(!noOwner, !noPrivileges).binlog(definer(definer), enableEvents));
        restore.plan(target);
        String password = targetPassword != null ? targetPassword : System.getenv("BACKTRACK_TARGET_PASSWORD");
        // SIGTERM or Ctrl-C with --jobs N: the tables are committed before they load, so the restore is interrupted and
        // drops them
        // (or, past the loading, finishes); with one connection the target's transaction is rolled back when the
        // connection goes
        Thread restoring = Thread.currentThread();
        GracefulStop stop = jobs > 1 ? new GracefulStop("restore-stop", restoring::interrupt, 120) : null;
        try (TargetDatabase db = Targets.connect(
                targetUrl, targetUser, password, repository.identity().sourceEngine())) {
            RestoreReport report = restore.run(target, db, Selection.of(tables, schemas));
            if (json) {
                Json.print(report);
            } else {
                report.notes().forEach(n -> System.out.println("note: " + n));
                System.out.println("restored " + report.rows() + " rows in "
                        + report.rowsPerTable().size() + " tables" + objects(report) + " to " + report.target()
                        + " from checkpoint " + String.join(" + ", report.chain()) + " + "
                        + report.transactionsApplied() + " transactions"
                        + (report.lastAppliedCommit() == null
                                ? ""
                                : " (last commit " + report.lastAppliedCommit() + ", "
                                        + Positions.label(repository.identity().sourceEngine())
                                        + report.lastAppliedPosition() + ")")
                        + " in " + report.millis() + " ms");
            }
        } catch (RuntimeException e) {
            if (stop != null) {
                stop.reportIfSignalled(e, Main.oneLine(e));
            }
            throw e;
        } finally {
            // after the catch: the signal's message is printed before the hook lets the JVM go
            if (stop != null) {
                stop.close();
            }
        }
    }

    /** --definer as the object restore takes it: null for the restoring user, KEEP, or an account. */
    static String definer(String option) {
        if (option.equalsIgnoreCase("current")) {
            return null;
        }
        if (option.equalsIgnoreCase(ObjectRestore.Options.KEEP) || option.matches("'[^']*'@'[^']*'|`[^`]*`@`[^`]*`")) {
            return option.equalsIgnoreCase(ObjectRestore.Options.KEEP)
                    ? ObjectRestore.Options.KEEP
                    : option.replace('\'', '`');
        }
        throw new RestoreException(
                "--definer " + option + " is not valid: give current, keep, or an account as 'user'@'host'");
    }

    /** ", and 4 views, 2 functions" — the other objects made, by kind. */
    static String objects(RestoreReport report) {
        if (report.objects().isEmpty()) {
            return "";
        }
        return report.objects().entrySet().stream()
                .map(e -> e.getValue() + " " + plural(e.getKey(), e.getValue()))
                .collect(Collectors.joining(", ", ", and ", ""));
    }

    private static String plural(String kind, int n) {
        if (n == 1 || kind.endsWith("s")) {
            return kind;
        }
        return kind.endsWith("y") ? kind.substring(0, kind.length() - 1) + "ies" : kind + "s";
    }

    /** Progress lines go to standard error, and only when a person is watching. */
    private Progress progress() {
        return System.console() == null || json ? Progress.NONE : line -> System.err.println(line);
    }
}
