package dev.backtrack.testkit;

import dev.backtrack.testkit.MariaDbPitr.BinlogCoordinates;
import dev.backtrack.testkit.MariaDbPitr.Target;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The mariadb-binlog command that writes the SQL replaying one database's events from a start to a {@link Target}.
 * Thread-safe (no state).
 */
final class MariaDbBinlogReplay {
    private static final DateTimeFormatter DATETIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private MariaDbBinlogReplay() {}

    /**
     * Reads the source's binlog files from its data directory ({@code --database} filters local files
     * only), from {@code start} to the target, keeping {@code database}'s events renamed to {@code into}.
     * The caller runs it with {@code TZ=UTC}, since {@code --stop-datetime} is read in local time.
     */
    static List<String> command(
            MariaDbServer source, String database, String into, BinlogCoordinates start, Target target, Path out) {
        List<String> args = new ArrayList<>(List.of(
                "--database=" + database,
                "--disable-log-bin",
                "--start-position=" + start.position(),
                "--result-file=" + out));
        if (!into.equals(database)) {
            // MariaDB's --database names the database before the rewrite (MySQL's names it after)
            args.add("--rewrite-db=" + database + "->" + into);
        }
        String last = null;
        if (target.instant() != null) {
            args.add("--stop-datetime=" + DATETIME.format(target.instant()));
        } else {
            // --stop-position applies to the last file named, --start-position to the first
            args.add("--stop-position=" + target.position().position());
            last = target.position().file();
        }
        args.addAll(files(source, start.file(), last));
        return MariaDbTool.local("mariadb-binlog", args.toArray(String[]::new));
    }

    /**
     * The source's binlog files from {@code first} to {@code last} (null: to the newest); zero-padded names sort in
     * order.
     */
    private static List<String> files(MariaDbServer source, String first, String last) {
        List<Path> all = source.binlogFiles();
        if (all.stream().noneMatch(f -> f.getFileName().toString().equals(first))) {
            throw new IllegalStateException(
                    "the source no longer has " + first + ", where the dump's position is: " + all);
        }
        if (last != null
                && all.stream().noneMatch(f -> f.getFileName().toString().equals(last))) {
            throw new IllegalStateException("the source has no binlog file " + last + ": " + all);
        }
        return all.stream()
                .filter(f -> f.getFileName().toString().compareTo(first) >= 0)
                .filter(f -> last == null || f.getFileName().toString().compareTo(last) <= 0)
                .map(Path::toString)
                .toList();
    }
}
