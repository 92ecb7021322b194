package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.recovery.RestoreReport;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.position.BinlogPosition;
import dev.backtrack.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A MariaDB CRM captured through the binlog while it changes (rows, DDL, TRUNCATE), restored to
 * instants the writers were held at, to GTIDs and to binlog positions, into MariaDB and into
 * PostgreSQL. Every table is compared row by row with the source as it was, and with an independent
 * oracle: the source's own dump replayed with {@code mariadb-binlog --stop-datetime/--stop-position}.
 */
class MariaDbRestoreTest {
    private static final DateTimeFormatter SECOND =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    /** A held instant: the source's tables then, the second to restore to, and the binlog position then. */
    record Held(Map<String, List<String>> tables, Instant second, long binlog, String gtid) {}

    @Test
    void restoresEveryHeldInstantIntoMariaDbAndPostgres(@TempDir Path dir) throws Exception {
        try (MariaDbSource source = new MariaDbSource("crm_m", dir, 5411)) {
            source.execute(
                    "CREATE TABLE accounts (id bigint unsigned AUTO_INCREMENT PRIMARY KEY, name varchar(120) "
                            + "CHARACTER SET utf8mb4 NOT NULL,"
                            + " tier enum('free','pro','enterprise') NOT NULL DEFAULT 'free', created_at "
                            + "datetime(6) NOT NULL, UNIQUE KEY uq_name (name))",
                    "CREATE TABLE contacts (id int unsigned AUTO_INCREMENT PRIMARY KEY, account_id bigint "
                            + "unsigned NOT NULL, email varchar(200) NOT NULL,"
                            + " active tinyint(1) NOT NULL DEFAULT 1, score decimal(12,2), big bigint "
                            + "unsigned, born date, seen_at timestamp(3) NULL,"
                            + " call_at time(6), tags set('vip','partner','lead'), meta json, avatar blob, "
                            + "note text CHARACTER SET utf8mb4,"
                            + " rating float, weight double, founded year, code char(3),"
                            + " KEY ix_email (email), CONSTRAINT fk_account FOREIGN KEY (account_id) "
                            + "REFERENCES accounts (id))",
                    "CREATE TABLE audit_log (at datetime NOT NULL, message varchar(200))");
            source.execute(
                    "INSERT INTO accounts (name, tier, created_at) VALUES ('Acme', 'pro', '2026-01-02 "
                            + "03:04:05.123456'), ('Ünïcode 🚀', 'free', '2025-12-31 23:59:59.999999')",
                    "INSERT INTO contacts (account_id, email, active, score, big, born, seen_at, call_at, "
                            + "tags, meta, avatar, note, rating, weight, founded, code) VALUES"
                            + " (1, 'ann@acme.test', 1, 12.50, 18446744073709551615, '1980-02-29', '2026-01-02 "
                            + "03:04:05.123', '12:30:00.5', 'vip,lead', '{\"a\": [1, 2]}',"
                            + " x'00ff10', 'first', 1.5, 2.25, 1999, 'ab'),"
                            + " (2, 'bob@acme.test', 0, -3.10, 0, NULL, NULL, '00:00:00', '', '[]', x'', '', "
                            + "0.1, -1e300, 2155, 'xyz')",
                    "INSERT INTO audit_log VALUES ('2026-01-01 00:00:00', 'created')");
            // the oracle's base: a dump of the source before capture starts, and the binlog position it is consistent
            // with
            Path dump = dir.resolve("base.sql");
            Files.writeString(
                    dump,
                    source.server.run(
                            "mariadb-dump", "--single-transaction", "--master-data=2", "--hex-blob", "crm_m"));
            long dumpPosition = dumpPosition(Files.readString(dump));
            source.startAgent();

            List<Held> held = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                workload(source, round);
                source.awaitLogged();
                held.add(hold(source));
            }
            // a commit after the last held second, so the log proves nothing else committed up to it
            source.awaitLogged();
            Repository repo = Repository.open(source.repository);
            assertTrue(
                    repo.checkpoints().get(0).positionText().contains("gtid"),
                    "checkpoint 0 names its GTID set: "
                            + repo.checkpoints().get(0).positionText());

            for (int i = 0; i < held.size(); i++) {
                Held h = held.get(i);
                String to = h.second().toString();
                source.server.createDatabase("crm_r" + i);
                RestoreReport report = source.restore(to, source.server.jdbcUrl("crm_r" + i), "root");
                MariaDbSource.assertTables(
                        "restore into MariaDB to " + to,
                        h.tables(),
                        MariaDbSource.mariaDbTables(source.server, "crm_r" + i));
                assertTrue(report.rows() > 0, "rows restored");

                // the oracle: the dump plus the binlog up to the same second, replayed by MariaDB's own tool
                String oracle = "crm_o" + i;
                replay(
                        source,
                        dump,
                        oracle,
                        dumpPosition,
                        "--stop-datetime=" + SECOND.format(h.second().plusSeconds(1)));
                MariaDbSource.assertTables(
                        "mariadb-binlog --stop-datetime oracle at " + to,
                        h.tables(),
                        MariaDbSource.mariaDbTables(source.server, oracle));
            }

            // exact targets: a binlog position and a GTID, each against the state held there
            Held mid = held.get(1);
            source.server.createDatabase("crm_rb");
            source.restore("binlog:" + BinlogPosition.format(mid.binlog()), source.server.jdbcUrl("crm_rb"), "root");
            MariaDbSource.assertTables(
                    "restore to binlog position", mid.tables(), MariaDbSource.mariaDbTables(source.server, "crm_rb"));
            replay(source, dump, "crm_ob", dumpPosition, "--stop-position=" + (mid.binlog() & 0xFFFF_FFFFL));
            MariaDbSource.assertTables(
                    "mariadb-binlog --stop-position oracle",
                    mid.tables(),
                    MariaDbSource.mariaDbTables(source.server, "crm_ob"));
            source.server.createDatabase("crm_rg");
            source.restore("gtid:" + mid.gtid(), source.server.jdbcUrl("crm_rg"), "root");
            MariaDbSource.assertTables(
                    "restore to GTID " + mid.gtid(),
                    mid.tables(),
                    MariaDbSource.mariaDbTables(source.server, "crm_rg"));

            // migrate --until: the state at the instant, and no transaction after it (the migration's own state table
            // aside)
            source.server.createDatabase("crm_mu");
            CommandLineTest.Run until = CommandLineTest.run(
                    "migrate",
                    "--repo",
                    source.repository.toString(),
                    "--target-url",
                    source.server.jdbcUrl("crm_mu"),
                    "--target-user",
                    "root",
                    "--until",
                    mid.second().toString());
            assertEquals(0, until.exit(), until.err());
            Map<String, List<String>> migrated = MariaDbSource.mariaDbTables(source.server, "crm_mu");
            assertTrue(
                    migrated.remove("backtrack_migration") != null, "the migration keeps its progress in the target");
            MariaDbSource.assertTables("migrate --until " + mid.second(), mid.tables(), migrated);

            // cross-engine: the same instants into PostgreSQL, compared value by value
            PostgresCluster pg = PostgresCluster.shared();
            for (int i = 0; i < held.size(); i++) {
                String db = "crm_m_pg" + i;
                pg.createDatabase(db);
                source.restore(held.get(i).second().toString(), pg.jdbcUrl(db), "postgres");
                MariaDbSource.assertTables(
                        "restore into PostgreSQL to " + held.get(i).second(),
                        held.get(i).tables(),
                        MariaDbSource.postgresTables(pg.jdbcUrl(db), "crm_m"));
            }
            String keys = pg.queryOne(
                    "crm_m_pg3",
                    "SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY column_name) FROM "
                            + "information_schema.columns"
                            + " WHERE table_schema = 'crm_m' AND table_name = 'contacts' AND column_name IN "
                            + "('id', 'active', 'big', 'seen_at', 'meta')");
            assertEquals("active:boolean,big:numeric,id:bigint,meta:json,seen_at:timestamp with time zone", keys);

            // a value PostgreSQL cannot hold is refused with its table, column and key, and the target stays empty
            source.execute(
                    "INSERT INTO contacts (account_id, email, call_at) VALUES (1, 'late@acme.test', '-01:00:00')");
            source.awaitLogged();
            pg.createDatabase("crm_m_refused");
            RuntimeException refused = assertThrows(
                    RuntimeException.class, () -> source.restore("latest", pg.jdbcUrl("crm_m_refused"), "postgres"));
            assertTrue(
                    refused.getMessage().contains("contacts.call_at")
                            && refused.getMessage().contains("key (id="),
                    refused.getMessage());
            assertEquals(
                    "0",
                    pg.queryOne(
                            "crm_m_refused",
                            "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN "
                                    + "('pg_catalog','information_schema')"));
        }
    }

    /** One round of CRM changes; rounds 1 and 2 change definitions too. */
    private static void workload(MariaDbSource source, int round) throws Exception {
        try (var c = source.connect();
                var st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("INSERT INTO accounts (name, tier, created_at) VALUES ('Round " + round
                    + "', 'enterprise', '2026-03-0" + (round + 1) + " 10:00:00.000001')");
            st.execute("INSERT INTO contacts (account_id, email, score, meta, seen_at) VALUES (LAST_INSERT_ID(), 'r"
                    + round + "@x.test', " + round + ".25, '{\"round\": " + round + "}', '2026-02-0" + (round + 1)
                    + " 08:00:00.5')");
            st.execute("UPDATE contacts SET score = score + 1, note = CONCAT(IFNULL(note, ''), ' r" + round
                    + "'), tags = 'partner' WHERE id = 1");
            c.commit();
            st.execute("DELETE FROM contacts WHERE email = 'r" + (round - 1) + "@x.test'");
            st.execute("INSERT INTO audit_log VALUES (NOW(), 'round " + round + "')");
            c.commit();
            c.setAutoCommit(true);
            if (round == 1) {
                st.execute("ALTER TABLE contacts ADD COLUMN phone varchar(30) DEFAULT 'none' AFTER email");
                st.execute("UPDATE contacts SET phone = '+41 44 000' WHERE id = 2");
                st.execute("CREATE TABLE deals (id int AUTO_INCREMENT PRIMARY KEY, contact_id int unsigned, "
                        + "amount decimal(14,2), stage enum('open','won','lost'))");
                st.execute(
                        "INSERT INTO deals (contact_id, amount, stage) VALUES (1, 1000.00, 'open'), (2, 5.5, 'won')");
            }
            if (round == 2) {
                st.execute("TRUNCATE TABLE audit_log");
                st.execute("ALTER TABLE contacts DROP COLUMN rating");
                st.execute("UPDATE deals SET stage = 'lost' WHERE id = 2");
                st.execute("INSERT INTO audit_log VALUES ('2026-05-05 05:05:05', 'after truncate')");
            }
        }
    }

    /** Holds the writers past a second boundary, reads the source there, and holds them past the next one. */
    private static Held hold(MariaDbSource source) throws Exception {
        waitNextSecond();
        Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Map<String, List<String>> tables = source.tables();
        long binlog = source.binlogEnd();
        String gtid = source.server.queryOne(null, "SELECT @@gtid_binlog_pos");
        waitNextSecond();
        // the GTID of the last transaction at the held state: the domain's last sequence
        return new Held(tables, at, binlog, gtid.contains(",") ? gtid.substring(0, gtid.indexOf(',')) : gtid);
    }

    private static void waitNextSecond() throws InterruptedException {
        long now = System.currentTimeMillis();
        Thread.sleep(1000 - now % 1000 + 20);
    }

    private static long dumpPosition(String dump) {
        var m = Pattern.compile("MASTER_LOG_FILE='([^']+)', MASTER_LOG_POS=(\\d+)")
                .matcher(dump);
        assertTrue(m.find(), "the dump names its binlog position");
        return BinlogPosition.of(m.group(1), Long.parseLong(m.group(2)));
    }

    /** Loads the dump into {@code database} and replays the source's binlog after it, up to the stop option. */
    private static void replay(MariaDbSource source, Path dump, String database, long from, String stop)
            throws Exception {
        source.server.createDatabase(database);
        mariadb(source, database, dump);
        List<String> files = new ArrayList<>();
        for (Path f : source.server.binlogFiles()) {
            if (BinlogPosition.of(f.getFileName().toString(), 0) >= (from & ~0xFFFF_FFFFL)) {
                files.add(f.toString());
            }
        }
        List<String> args = new ArrayList<>(List.of(
                "--database=crm_m",
                "--rewrite-db=crm_m->" + database,
                "--start-position=" + (from & 0xFFFF_FFFFL),
                stop));
        args.addAll(files);
        Path sql = Files.createTempFile(dump.getParent(), "replay-", ".sql");
        ProcessBuilder pb = new ProcessBuilder(source.server.command("mariadb-binlog", args.toArray(String[]::new)));
        pb.environment().put("TZ", "UTC");
        Process p = pb.redirectOutput(sql.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        assertEquals(0, p.waitFor(), "mariadb-binlog replay");
        mariadb(source, database, sql);
    }

    private static void mariadb(MariaDbSource source, String database, Path input) throws Exception {
        // the oracle's own writes stay out of the binlog the agent reads
        Process p = new ProcessBuilder(source.server.command("mariadb", "--init-command=SET sql_log_bin=0", database))
                .redirectInput(input.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        assertEquals(0, p.waitFor(), "mariadb < " + input.getFileName());
    }
}
