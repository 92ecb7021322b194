package dev.backtrack.bench;

import static dev.backtrack.bench.Figures.round;
import static dev.backtrack.bench.Figures.secs;
import static dev.backtrack.bench.Harness.step;
import static dev.backtrack.bench.MariaDbBench.report;

import dev.backtrack.config.Engine;
import dev.backtrack.connectors.target.Targets;
import dev.backtrack.recovery.RestoreTarget;
import dev.backtrack.repository.Repository;
import dev.backtrack.testkit.MariaDbServer;
import dev.backtrack.testkit.PostgresCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The MariaDB part's restores: the captured repository restored latest into a new MariaDB database and,
 * through the type map, into a new PostgreSQL database, against a mariadb-dump of the source loaded with the
 * mariadb client and MariaDB's own PITR ({@link MariaDbPitr}), on the same servers.
 */
final class MariaDbRestores {
    private final MariaDbServer my;
    private final PostgresCluster pg;
    private final Path work;
    /** A CPU probe over this JVM and both servers, started when asked for. */
    private final Supplier<MariaDbProbe> probes;

    /** The anchor's mariadb-dump of the source and how long it took (not compared). */
    private record Dump(Path file, double seconds) {}

    MariaDbRestores(MariaDbServer my, PostgresCluster pg, Path work, Supplier<MariaDbProbe> probes) {
        this.my = my;
        this.pg = pg;
        this.work = work;
        this.probes = probes;
    }

    /** The restores of {@code s} and their anchors, into r; MariaDB's PITR when {@code pitr} is not null. */
    void measure(MariaDbSource s, MariaDbPitr pitr, long backlogEnd, Map<String, Object> r) throws Exception {
        Map<String, Long> sourceRows = sourceRows(s);
        r.put("source_rows", sourceRows);
        Dump dump = dump(s);
        intoMariaDb(s, r);
        dumpLoad(s, dump, sourceRows.keySet(), r);
        if (pitr != null) {
            // the replay stops right after the marker transaction: the end of the backlog, before the restores here
            // wrote other databases to the binlog
            Map<String, Object> recovered = pitr.recover(s, "restored_pitr", "restored_backtrack", backlogEnd, probes);
            r.put("mariadb_pitr", recovered);
            report("MariaDB PITR (dump load + mariadb-binlog replay)", recovered);
        }
        intoPostgres(s, sourceRows, r);
    }

    /** Rows per table of the source, by table name. */
    private Map<String, Long> sourceRows(MariaDbSource s) {
        Map<String, Long> sourceRows = new LinkedHashMap<>();
        for (String t : s.tables) {
            String name = t.substring(t.indexOf('.') + 1);
            sourceRows.put(name, Long.parseLong(my.queryOne(s.db, "SELECT COUNT(*) FROM `" + name + "`")));
        }
        return sourceRows;
    }

    private Dump dump(MariaDbSource s) throws Exception {
        step("anchor, part 1 (not compared): mariadb-dump --single-transaction of " + s.db);
        Path dump = work.resolve("crm.sql");
        long t0 = System.nanoTime();
        ClientTools.run(work, my.command("mariadb-dump", "--single-transaction", s.db), null, dump);
        double dumpSeconds = secs(t0);
        return new Dump(dump, dumpSeconds);
    }

    private void intoMariaDb(MariaDbSource s, Map<String, Object> r) throws IOException {
        step("restore latest into a new MariaDB database (Backtrack)");
        my.createDatabase("restored_backtrack");
        Map<String, Object> toMaria = timedRestore(s, my.jdbcUrl("restored_backtrack"), "root");
        toMaria.put("restored_equals_source", RowChecks.sameAsSource(my, s, "restored_backtrack"));
        r.put("backtrack_to_mariadb", toMaria);
        report("restore into MariaDB", toMaria);
    }

    /** The anchor: the dump loaded with the mariadb client, timed; its rows counted in {@code tables}. */
    private void dumpLoad(MariaDbSource s, Dump dump, Set<String> tables, Map<String, Object> r) throws Exception {
        step("anchor: the dump loaded with the mariadb client into a new database on the same server");
        my.createDatabase("restored_dump");
        MariaDbProbe probe = probes.get();
        long t0 = System.nanoTime();
        ClientTools.run(work, my.command("mariadb", "restored_dump"), dump.file(), null);
        double loadSeconds = secs(t0);
        Map<String, Object> anchor = new LinkedHashMap<>();
        long rows = 0;
        for (String t : tables) {
            rows += Long.parseLong(my.queryOne("restored_dump", "SELECT COUNT(*) FROM `" + t + "`"));
        }
        anchor.put("seconds", round(loadSeconds, 2));
        anchor.put("rows", rows);
        anchor.put("rows_per_s", Math.round(rows / loadSeconds));
        anchor.putAll(probe.stop(rows));
        anchor.put("mariadb_dump_seconds", round(dump.seconds(), 2));
        anchor.put("dump_bytes", Files.size(dump.file()));
        anchor.put("restored_equals_source", RowChecks.sameAsSource(my, s, "restored_dump"));
        r.put("mariadb_dump_load", anchor);
        report("mariadb-dump | mariadb", anchor);
    }

    private void intoPostgres(MariaDbSource s, Map<String, Long> sourceRows, Map<String, Object> r) throws IOException {
        step("restore latest into a new PostgreSQL database (Backtrack, through the type map)");
        pg.execute("postgres", "CHECKPOINT");
        pg.createDatabase("restored_backtrack");
        Map<String, Object> toPg = timedRestore(s, pg.jdbcUrl("restored_backtrack"), "postgres");
        toPg.put("restored_rows_equal_source", RowChecks.samePgCounts(pg, sourceRows, "restored_backtrack"));
        r.put("backtrack_to_postgresql", toPg);
        report("restore into PostgreSQL", toPg);
    }

    /** Restores the latest state of {@code s} into the database at {@code url}; times it, with a CPU probe. */
    Map<String, Object> timedRestore(MariaDbSource s, String url, String user) throws IOException {
        MariaDbProbe probe = probes.get();
        Repository repo = Repository.open(s.repo);
        Engine engine = repo.identity().sourceEngine();
        Harness.Restored r = Harness.timedRestore(
                repo, RestoreTarget.parse("latest", null), () -> Targets.connect(url, user, "", engine), 1);
        Map<String, Object> m = r.figures();
        m.putAll(probe.stop(r.report().rows()));
        m.put("rows_per_table", r.report().rowsPerTable());
        m.put("notes", r.report().notes());
        return m;
    }
}
