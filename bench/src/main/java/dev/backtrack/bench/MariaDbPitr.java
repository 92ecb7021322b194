package dev.backtrack.bench;

import static dev.backtrack.bench.Figures.round;
import static dev.backtrack.bench.Figures.secs;
import static dev.backtrack.bench.Harness.step;

import dev.backtrack.repository.position.BinlogPosition;
import dev.backtrack.testkit.MariaDbServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * MariaDB's own point-in-time recovery, the anchor of a restore to the end of the backlog: a base dump at checkpoint 0,
 * then binlog replay.
 */
final class MariaDbPitr {
    private final MariaDbServer my;
    private final Path work;
    private final Path dump;
    /** The binlog position the base dump is consistent with: where the replay starts. */
    final long position;
    /** How long the base dump took (not compared). */
    final double dumpSeconds;

    private final long checkpoint0;

    /** The binlog files a replay reads, the bytes it replays from them, and mariadb-binlog's arguments. */
    private record Replay(List<String> files, long binlogBytes, List<String> args) {}

    private MariaDbPitr(MariaDbServer my, Path work, Path dump, long position, double dumpSeconds, long checkpoint0) {
        this.my = my;
        this.work = work;
        this.dump = dump;
        this.position = position;
        this.dumpSeconds = dumpSeconds;
        this.checkpoint0 = checkpoint0;
    }

    /**
     * The base of the MariaDB PITR anchor, taken right after checkpoint 0 and before the backlog:
     * {@code mariadb-dump --single-transaction --master-data=2} of the source and the binlog position
     * its commented {@code CHANGE MASTER TO} names (the point the binlog replay starts from).
     */
    static MariaDbPitr baseDump(MariaDbServer my, Path work, MariaDbSource s, long checkpoint0) throws Exception {
        step("  MariaDB PITR anchor, base (timed, not compared): mariadb-dump --single-transaction --master-data=2 of "
                + s.db);
        Path dump = work.resolve(s.db + "-pitr-base.sql");
        long t0 = System.nanoTime();
        ClientTools.run(work, my.command("mariadb-dump", "--single-transaction", "--master-data=2", s.db), null, dump);
        double seconds = secs(t0);
        Matcher m;
        try (Stream<String> lines = Files.lines(dump, StandardCharsets.UTF_8)) {
            String line = lines.limit(200)
                    .filter(l -> l.contains("MASTER_LOG_FILE="))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(
                            "the dump " + dump + " names no binlog position (-- CHANGE MASTER TO ...)"));
            m = Pattern.compile("MASTER_LOG_FILE='([^']+)', MASTER_LOG_POS=(\\d+)")
                    .matcher(line);
            if (!m.find()) {
                throw new IllegalStateException("cannot read the binlog position in: " + line);
            }
        }
        long position = BinlogPosition.of(m.group(1), Long.parseLong(m.group(2)));
        step(String.format(
                Locale.ROOT,
                "  base dump at binlog %s (checkpoint 0 at %s), %,d bytes in %.2f s",
                BinlogPosition.format(position),
                BinlogPosition.format(checkpoint0),
                Files.size(dump),
                seconds));
        return new MariaDbPitr(my, work, dump, position, seconds, checkpoint0);
    }

    /**
     * MariaDB's own point-in-time recovery to the end of the backlog, into a new database {@code db} on
     * the same server: the base dump taken right after checkpoint 0 loaded with the mariadb client, then
     * the binlog from the dump's position to its current end replayed with {@code mariadb-binlog
     * --database=SRC --rewrite-db='SRC->db' --disable-log-bin} piped into the mariadb client. Compared
     * table by table with the Backtrack restore in {@code backtrackDb}. The replay stops at {@code to}.
     */
    Map<String, Object> recover(MariaDbSource s, String db, String backtrackDb, long to, Supplier<MariaDbProbe> probes)
            throws Exception {
        step("anchor: MariaDB's PITR to the end of the backlog into a new database: the base dump (taken at"
                + " checkpoint 0) loaded with the mariadb client, then mariadb-binlog from the dump's position to the"
                + " end | mariadb");
        long from = position;
        Replay replay = replay(s.db, db, from, to);
        my.createDatabase(db);
        MariaDbProbe probe = probes.get();
        long t0 = System.nanoTime();
        ClientTools.run(work, my.command("mariadb", db), dump, null);
        double loadSeconds = secs(t0);
        long t1 = System.nanoTime();
        ClientTools.pipe(
                work, my.command("mariadb-binlog", replay.args().toArray(String[]::new)), my.command("mariadb", db));
        double replaySeconds = secs(t1);
        double seconds = secs(t0);
        long rows = 0;
        for (String t : s.tables) {
            rows += Long.parseLong(my.queryOne(db, "SELECT COUNT(*) FROM `" + t.substring(t.indexOf('.') + 1) + "`"));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", round(seconds, 2));
        m.put("dump_load_seconds", round(loadSeconds, 2));
        m.put("binlog_replay_seconds", round(replaySeconds, 2));
        m.put("binlog_bytes", replay.binlogBytes());
        m.put("rows", rows);
        m.put("rows_per_s", Math.round(rows / seconds));
        m.putAll(probe.stop(rows));
        m.put("equals_backtrack_restore", RowChecks.sameTables(my, s, db, backtrackDb));
        m.put("restored_equals_source", RowChecks.sameAsSource(my, s, db));
        describe(m, s.db, db, to, replay);
        return m;
    }

    /**
     * The binlog files holding {@code from} .. {@code to}, the bytes between the two, and the arguments of
     * mariadb-binlog that replay them from {@code source} into {@code db}.
     */
    private Replay replay(String source, String db, long from, long to) throws Exception {
        List<String> files = new ArrayList<>();
        long binlogBytes = 0;
        for (Path f : my.binlogFiles()) {
            long file = BinlogPosition.of(f.getFileName().toString(), 0);
            if (file >= (from & ~0xFFFF_FFFFL) && file <= (to & ~0xFFFF_FFFFL)) {
                files.add(f.toString());
                long start = file == (from & ~0xFFFF_FFFFL) ? from & 0xFFFF_FFFFL : 0;
                long end = file == (to & ~0xFFFF_FFFFL) ? to & 0xFFFF_FFFFL : Files.size(f);
                binlogBytes += end - start;
            }
        }
        if (files.isEmpty()) {
            throw new IllegalStateException("no binlog file holds " + BinlogPosition.format(from) + " .. "
                    + BinlogPosition.format(to) + ": " + my.binlogFiles());
        }
        List<String> args = new ArrayList<>(List.of(
                "--database=" + source,
                "--rewrite-db=" + source + "->" + db,
                "--disable-log-bin",
                "--start-position=" + (from & 0xFFFF_FFFFL),
                "--stop-position=" + (to & 0xFFFF_FFFFL)));
        args.addAll(files);
        return new Replay(files, binlogBytes, args);
    }

    /** What was replayed and how, beside the figures: the base dump, the positions, the files, the command. */
    private void describe(Map<String, Object> m, String source, String db, long to, Replay replay) throws IOException {
        long from = position;
        m.put("base_dump_seconds", round(dumpSeconds, 2));
        m.put("base_dump_bytes", Files.size(dump));
        m.put("base_dump_position", BinlogPosition.format(from));
        m.put("checkpoint0_position", BinlogPosition.format(checkpoint0));
        m.put("replay_to_position", BinlogPosition.format(to));
        m.put(
                "binlog_files",
                replay.files().stream()
                        .map(f -> Path.of(f).getFileName().toString())
                        .toList());
        m.put(
                "command",
                "mariadb " + db + " < base.sql; mariadb-binlog "
                        + String.join(" ", replay.args().subList(0, 5)) + " FILES | mariadb " + db);
        m.put(
                "note",
                "the same window for both: the base dump was taken right after the agent's checkpoint 0 and before"
                        + " the backlog, with nothing written to " + source + " in between (dump at binlog "
                        + BinlogPosition.format(from) + ", checkpoint 0 at " + BinlogPosition.format(checkpoint0)
                        + "); both end at the end of the backlog (the marker transaction; the binlog replay stops"
                        + " right after it, at " + BinlogPosition.format(to) + ", nothing was written to " + source
                        + " after it; Backtrack restores 'latest'). The dump load writes the binlog like Backtrack's"
                        + " restore; the replay runs with --disable-log-bin (MariaDB's way to replay into the server"
                        + " that wrote the binlog: no loop, no duplicate GTIDs), so it skips the binlog writes and"
                        + " sync_binlog fsyncs Backtrack's restore does. base_dump_seconds: not compared");
    }
}
