package dev.backtrack.bench;

import static dev.backtrack.bench.Figures.round;
import static dev.backtrack.bench.Figures.secs;
import static dev.backtrack.bench.FoundationBench.report;
import static dev.backtrack.bench.Harness.step;

import dev.backtrack.connectors.postgres.PostgresTarget;
import dev.backtrack.recovery.RestoreTarget;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.checkpoint.ChunkReader;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.checkpoint.SyntheticFull;
import dev.backtrack.repository.codec.ByteWriter;
import dev.backtrack.repository.codec.RowCodec;
import dev.backtrack.repository.position.Lsn;
import dev.backtrack.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The foundation figures after the drains: restore latest vs pg_restore -j 2 of a pg_dump -Fc of the same
 * state, then the repository's own (synthetic full, checkpoint size, restore from the encrypted repository).
 */
final class FoundationRestores {
    private final PostgresCluster pg;
    private final String bin;
    private final Map<String, Object> json;

    FoundationRestores(PostgresCluster pg, Map<String, Object> json) {
        this.pg = pg;
        this.bin = pg.binDirectory().toString();
        this.json = json;
    }

    /** Restore latest vs the pg_dump and pg_restore anchor; the restored tables compared with the source. */
    void restore(PgbenchSource s) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        json.put("restore", r);
        step("restore latest (checkpoint 0 + the log) into a new database");
        Map<String, Object> bt = timedRestore(s, "restored_backtrack");
        r.put("backtrack", bt);
        report("Backtrack restore", bt);

        Map<String, Object> pr = dumpAndRestore(s);
        r.put("pg_restore_j2", pr);
        report("pg_restore -j 2", pr);

        Map<String, Object> same = sameAsSource(s);
        r.put("backtrack_restore_equals_source", same);
        step("  Backtrack restore equals the source, per table: " + same);
    }

    /** Restores the latest state of {@code s} into a new database {@code db} after a server checkpoint; times it. */
    private Map<String, Object> timedRestore(PgbenchSource s, String db) {
        pg.execute("postgres", "CHECKPOINT");
        pg.createDatabase(db);
        // two loading connections, as pg_restore -j 2 gets below
        Map<String, Object> m = Harness.timedRestore(
                        s.open(),
                        RestoreTarget.parse("latest", null),
                        () -> PostgresTarget.connect(pg.jdbcUrl(db), "postgres", ""),
                        2)
                .figures();
        m.put("includes_analyze", true);
        return m;
    }

    /** The anchor: pg_dump -Fc of the source, then pg_restore -j 2 into a new database and ANALYZE, each timed. */
    private Map<String, Object> dumpAndRestore(PgbenchSource s) throws Exception {
        step("anchor: pg_dump -Fc of the source (not part of the comparison), then pg_restore -j 2"
                + " into a new database");
        Path dump = pg.dataDirectory().getParent().resolve("bench.dump");
        double dumpSeconds = timedPgDump(s.db, dump);
        pg.execute("postgres", "CHECKPOINT");
        pg.createDatabase("restored_pg");
        double restoreSeconds = timedPgRestore(dump);
        long t0 = System.nanoTime();
        pg.execute("restored_pg", "ANALYZE");
        double analyzeSeconds = secs(t0);
        long rows = 0;
        for (String t : s.tables) {
            rows += Long.parseLong(pg.queryOne("restored_pg", "SELECT count(*)::text FROM " + t));
        }
        Map<String, Object> pr = new LinkedHashMap<>();
        pr.put("seconds", round(restoreSeconds, 2));
        pr.put("rows", rows);
        pr.put("rows_per_s", Math.round(rows / restoreSeconds));
        pr.put("analyze_seconds", round(analyzeSeconds, 2));
        pr.put("pg_dump_seconds", round(dumpSeconds, 2));
        pr.put("dump_bytes", Files.size(dump));
        return pr;
    }

    /** pg_dump -Fc of {@code db} into {@code dump}; returns its seconds. */
    private double timedPgDump(String db, Path dump) {
        long t0 = System.nanoTime();
        pg.runAsPostgres(Harness.pgClient(pg, "pg_dump", pg.port(), "-Fc", "-f", dump.toString(), db), 1800);
        return secs(t0);
    }

    /** pg_restore -j 2 of {@code dump} into restored_pg; returns its seconds. */
    private double timedPgRestore(Path dump) {
        long t0 = System.nanoTime();
        pg.runAsPostgres(
                Harness.pgClient(pg, "pg_restore", pg.port(), "-j", "2", "-d", "restored_pg", dump.toString()), 1800);
        return secs(t0);
    }

    /** Per table: whether the Backtrack restore in restored_backtrack equals the source (md5 of every row). */
    private Map<String, Object> sameAsSource(PgbenchSource s) {
        Map<String, Object> same = new LinkedHashMap<>();
        for (String t : s.tables) {
            String sum = "SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) FROM " + t + " x";
            same.put(t, pg.queryOne(s.db, sum).equals(pg.queryOne("restored_backtrack", sum)));
        }
        return same;
    }

    /**
     * The repository figures: synthetic full build rate, checkpoint size per million rows, encryption's cost
     * on restore.
     */
    void repositoryFigures(PgbenchSource s, PgbenchSource sealed) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        json.put("repository", r);
        step("synthetic full: checkpoint 0 + the drained log folded into a new full checkpoint");
        Repository repo = s.open();
        List<Manifest> cps = repo.checkpoints();
        long t0 = System.nanoTime();
        Manifest full = SyntheticFull.build(
                repo, repo.logSummary().lastSequence(), s.config.repository().compressionLevel(), Lsn::format);
        double seconds = secs(t0);
        long rows = full.tables().stream().mapToLong(t -> t.rows()).sum();
        long stored = full.tables().stream().mapToLong(t -> t.bytes()).sum();
        // the same rows without compression: what the row encoding alone takes
        long raw = 0;
        Path dir = repo.dataDir();
        for (var t : full.tables()) {
            long[] bytes = {0};
            ChunkReader.readRows(dir, repo.sealer(), t, (k, row) -> {
                ByteWriter w = new ByteWriter(64);
                RowCodec.writeRow(w, row);
                bytes[0] += 8 + k.length + w.size();
            });
            raw += bytes[0];
        }
        Map<String, Object> sf = new LinkedHashMap<>();
        sf.put("seconds", round(seconds, 2));
        sf.put("rows", rows);
        sf.put("rows_per_s", Math.round(rows / seconds));
        sf.put(
                "changes_folded",
                repo.logSummary().lastSequence() - cps.get(cps.size() - 1).nextSequence() + 1);
        r.put("synthetic_full", sf);
        report("synthetic full", sf);
        Map<String, Object> size = new LinkedHashMap<>();
        size.put("bytes_per_million_rows_zstd", Math.round(stored * 1e6 / rows));
        size.put("bytes_per_million_rows_uncompressed", Math.round(raw * 1e6 / rows));
        size.put("compression_level", s.config.repository().compressionLevel());
        r.put("checkpoint_size", size);
        step(String.format(
                Locale.ROOT,
                "  checkpoint data per million rows: %.1f MB with zstd %d, %.1f MB uncompressed",
                stored / (rows / 1e6) / 1e6,
                s.config.repository().compressionLevel(),
                raw / (rows / 1e6) / 1e6));

        step("restore latest from the encrypted repository into a new database");
        Map<String, Object> er = timedRestore(sealed, "restored_encrypted");
        r.put("restore_encrypted", er);
        report("restore, encrypted repository", er);
    }
}
