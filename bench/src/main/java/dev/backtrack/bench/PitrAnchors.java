package dev.backtrack.bench;

import static dev.backtrack.bench.Figures.fmt;
import static dev.backtrack.bench.Figures.round;
import static dev.backtrack.bench.Figures.secs;
import static dev.backtrack.bench.Harness.step;

import dev.backtrack.cli.demo.CrmSchema;
import dev.backtrack.testkit.PostgresCluster;
import dev.backtrack.testkit.PostgresPitr;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL's own answers to a restore to an instant T: its PITR, compared with Backtrack's restore, and pg_restore of
 * a pg_dump at T.
 */
final class PitrAnchors {
    private final PostgresCluster pg;
    private final PostgresPitr pitr;
    private final Path shared;
    private final int jobs;

    PitrAnchors(PostgresCluster pg, PostgresPitr pitr, Path shared, int jobs) {
        this.pg = pg;
        this.pitr = pitr;
        this.shared = shared;
        this.jobs = jobs;
    }

    /**
     * PostgreSQL's PITR to {@code pgTime}, compared with Backtrack's restore in restored_backtrack, then the dump at T:
     * figures into {@code m}.
     */
    void measure(String pgTime, List<String> tables, Map<String, Object> m) throws Exception {
        step("anchor: PostgreSQL's PITR: copy the base backup, replay the archived WAL to recovery_target_time = '"
                + pgTime + "', promote");
        long t0 = System.nanoTime();
        try (PostgresPitr.Recovered recovered = pitr.recoverTo(pg, "recovery_target_time = '" + pgTime + "'", true)) {
            Map<String, Object> pr = new LinkedHashMap<>();
            pr.put("seconds", round(secs(t0), 2));
            pr.put("base_backup_bytes", pitr.baseBackupBytes());
            pr.put("includes", "cp -a of the base backup, start, WAL replay from the archive, promotion");
            m.put("postgresql_pitr", pr);
            step("  " + pr.get("seconds") + " s");

            long rowsAtT = compare(recovered, tables, m);
            dumpAndRestore(recovered, rowsAtT, m);
        }
    }

    /** Per table: whether Backtrack's restore equals PostgreSQL's PITR; returns the rows at T. */
    private long compare(PostgresPitr.Recovered recovered, List<String> tables, Map<String, Object> m)
            throws SQLException {
        Map<String, Object> same = new LinkedHashMap<>();
        long rowsAtT = 0;
        try (Connection theirs = recovered.connect(PitrBench.DB);
                Connection ours = pg.connect("restored_backtrack")) {
            for (String t : tables) {
                String expected = CrmSchema.checksum(theirs, t);
                same.put(t, expected.equals(CrmSchema.checksum(ours, t)));
                rowsAtT += Long.parseLong(expected.substring(0, expected.indexOf(':')));
            }
        }
        m.put("backtrack_equals_postgresql_pitr", same);
        m.put("rows_at_instant", rowsAtT);
        step("  Backtrack's restore equals PostgreSQL's PITR, per table: " + same);
        return rowsAtT;
    }

    /**
     * pg_dump -Fd of the recovered server (the dump at T), then pg_restore of it into new databases, plain and with lz4
     * TOAST.
     */
    private void dumpAndRestore(PostgresPitr.Recovered recovered, long rowsAtT, Map<String, Object> m) {
        step("anchor: pg_dump -Fd -j " + jobs + " of the recovered server (the dump at T), then pg_restore -j " + jobs
                + " into a new database");
        Path dump = shared.resolve("at-instant.dump");
        long t0 = System.nanoTime();
        pg.runAsPostgres(
                Harness.pgClient(
                        pg, "pg_dump", recovered.port(), "-Fd", "-j", "" + jobs, "-f", dump.toString(), PitrBench.DB),
                1800);
        Map<String, Object> dumped = new LinkedHashMap<>();
        double dumpSeconds = secs(t0);
        dumped.put("seconds", round(dumpSeconds, 2));
        dumped.put("rows", rowsAtT);
        dumped.put("rows_per_s", Math.round(rowsAtT / dumpSeconds));
        m.put("pg_dump", dumped);
        double restoreSeconds = timedPgRestore(pg, "restored_pg", dump, jobs);
        Map<String, Object> pgr = new LinkedHashMap<>();
        pgr.put("seconds", round(restoreSeconds, 2));
        pgr.put("rows", rowsAtT);
        pgr.put("rows_per_s", Math.round(rowsAtT / restoreSeconds));
        pgr.put("includes_analyze", false);
        m.put("pg_restore", pgr);
        step("  pg_dump " + dumped.get("seconds") + " s; pg_restore " + pgr.get("seconds") + " s ("
                + fmt(pgr.get("rows_per_s")) + " rows/s)");
        // Backtrack's restore writes TOASTed values with lz4 where the target left the default: the same for pg_restore
        double lz4Seconds =
                timedPgRestore(pg, "restored_pg_lz4", dump, jobs, "env", "PGOPTIONS=-c default_toast_compression=lz4");
        Map<String, Object> lz4 = new LinkedHashMap<>();
        lz4.put("seconds", round(lz4Seconds, 2));
        lz4.put("rows_per_s", Math.round(rowsAtT / lz4Seconds));
        lz4.put("includes_analyze", false);
        m.put("pg_restore_lz4", lz4);
        step("  pg_restore with default_toast_compression = lz4: " + lz4.get("seconds") + " s ("
                + fmt(lz4.get("rows_per_s")) + " rows/s)");
    }

    /**
     * Seconds of {@code pg_restore -j jobs} of {@code dump} into a new database {@code db}, after a CHECKPOINT; {@code
     * prefix} goes before the command (an environment).
     */
    private static double timedPgRestore(PostgresCluster pg, String db, Path dump, int jobs, String... prefix) {
        pg.execute("postgres", "CHECKPOINT");
        pg.createDatabase(db);
        long t0 = System.nanoTime();
        List<String> command = new ArrayList<>(List.of(prefix));
        command.addAll(Harness.pgClient(pg, "pg_restore", pg.port(), "-j", "" + jobs, "-d", db, dump.toString()));
        pg.runAsPostgres(command, 1800);
        return secs(t0);
    }
}
