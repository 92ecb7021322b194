package dev.backtrack.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.backtrack.agent.Agent;
import dev.backtrack.config.ConfigLoader;
import dev.backtrack.connectors.postgres.CaptureSettings;
import dev.backtrack.connectors.postgres.Lsn;
import dev.backtrack.connectors.postgres.PostgresTarget;
import dev.backtrack.recovery.Progress;
import dev.backtrack.recovery.Restore;
import dev.backtrack.recovery.RestoreReport;
import dev.backtrack.recovery.RestoreTarget;
import dev.backtrack.repository.Repository;
import dev.backtrack.testkit.PostgresCluster;
import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 2's figures, each beside its anchor from the same run: backlog drain (agent, durable) vs the
 * bare Debezium engine with a no-op consumer vs pg_recvlogical; log bytes per row change vs WAL bytes;
 * restore of a 1M-row checkpoint plus the backlog vs pg_restore -j 2 of a pg_dump of the same state.
 */
public final class FoundationBench {
    private static final String DB = "bench";

    public static void main(String[] args) throws Exception {
        int scale = Integer.parseInt(args[0]);
        int txPerClient = Integer.parseInt(args[1]);
        Path results = Path.of(args[2]);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("machine", Runtime.getRuntime().availableProcessors() + " cores, max heap " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
        Map<String, String> durable = Map.of("fsync", "on", "synchronous_commit", "on", "full_page_writes", "on", "max_wal_size", "'4GB'",
                "shared_buffers", "'512MB'");
        try (PostgresCluster pg = PostgresCluster.start(durable)) {
            pg.createDatabase(DB);
            String bin = pg.binDirectory().toString();
            step("pgbench -i -s " + scale);
            pg.runAsPostgres(List.of(bin + "/pgbench", "-h", "127.0.0.1", "-p", "" + pg.port(), "-U", "postgres", "-i", "-s", "" + scale, "-q", DB), 600);
            pg.execute(DB, "ALTER TABLE pgbench_history REPLICA IDENTITY FULL");
            Path dir = Files.createTempDirectory("backtrack-bench-");
            Path repo = dir.resolve("repo");
            Path config = dir.resolve("backtrack.yaml");
            Files.writeString(config, "source:\n  url: " + pg.jdbcUrl(DB) + "\n  user: postgres\n  capture-ddl: off\nrepository:\n  path: " + repo + "\n");

            step("checkpoint 0 (agent snapshot of " + scale * 100_000 + " accounts)");
            long t0 = System.nanoTime();
            Agent agent = new Agent(ConfigLoader.load(config), quiet());
            Thread at = new Thread(agent::run);
            at.start();
            while (!Files.exists(repo.resolve("backtrack.repo")) || Repository.open(repo).checkpoints().isEmpty()) {
                Thread.sleep(50);
            }
            out.put("checkpoint0_seconds", secs(t0));
            agent.stop();
            at.join();
            pg.execute(DB, "SELECT pg_create_logical_replication_slot('bare', 'pgoutput')", "SELECT pg_create_logical_replication_slot('recv', 'test_decoding')");

            step("backlog: pgbench -c 4 -j 2 -t " + txPerClient + " with nothing consuming");
            String walBefore = pg.queryOne(DB, "SELECT pg_current_wal_insert_lsn()::text");
            pg.runAsPostgres(List.of(bin + "/pgbench", "-h", "127.0.0.1", "-p", "" + pg.port(), "-U", "postgres", "-c", "4", "-j", "2", "-n",
                    "-t", "" + txPerClient, DB), 3600);
            long marker = marker(pg);
            String walAfter = pg.queryOne(DB, "SELECT pg_current_wal_insert_lsn()::text");
            long transactions = 4L * txPerClient + 1;
            long rowChanges = 4L * 4 * txPerClient + 1;
            long walBytes = Long.parseLong(pg.queryOne(DB, "SELECT pg_wal_lsn_diff('" + walAfter + "', '" + walBefore + "')::bigint::text"));
            out.put("backlog_transactions", transactions);
            out.put("backlog_row_changes", rowChanges);

            step("drain: Backtrack agent (durable log)");
            long logBefore = Repository.open(repo).logSummary().bytes();
            t0 = System.nanoTime();
            java.io.ByteArrayOutputStream agentSaid = new java.io.ByteArrayOutputStream();
            agent = new Agent(ConfigLoader.load(config), new PrintStream(agentSaid, true));
            Thread at2 = new Thread(agent::run);
            at2.start();
            while (Repository.open(repo).logSummary().lastPosition() <= marker) {
                Thread.sleep(20);
            }
            double agentSeconds = secs(t0);
            agent.stop();
            at2.join();
            String[] said = agentSaid.toString().split("\n");
            out.put("agent_status", said[said.length - 1]);
            long logBytes = Repository.open(repo).logSummary().bytes() - logBefore;

            step("drain: bare Debezium engine, no-op consumer, same backlog");
            double bareSeconds = bare(pg, repo, rowChanges);

            step("drain: pg_recvlogical (test_decoding) to /dev/null");
            t0 = System.nanoTime();
            pg.runAsPostgres(List.of(bin + "/pg_recvlogical", "-h", "127.0.0.1", "-p", "" + pg.port(), "-U", "postgres", "-d", DB, "--slot", "recv",
                    "--start", "--endpos", walAfter, "-f", "/dev/null", "--no-loop"), 3600);
            double recvSeconds = secs(t0);

            out.put("drain_agent_rows_per_s", Math.round(rowChanges / agentSeconds));
            out.put("drain_bare_engine_rows_per_s", Math.round(rowChanges / bareSeconds));
            out.put("drain_pg_recvlogical_rows_per_s", Math.round(rowChanges / recvSeconds));
            out.put("agent_vs_bare_engine", round(bareSeconds / agentSeconds));
            out.put("log_bytes_per_row_change", round((double) logBytes / rowChanges));
            out.put("wal_bytes_per_row_change", round((double) walBytes / rowChanges));

            step("restore latest (checkpoint 0 + backlog) vs pg_dump -Fc | pg_restore -j 2");
            pg.createDatabase("restored_backtrack");
            t0 = System.nanoTime();
            RestoreReport report;
            try (PostgresTarget target = PostgresTarget.connect(pg.jdbcUrl("restored_backtrack"), "postgres", "")) {
                report = new Restore(Repository.open(repo), Progress.NONE).run(RestoreTarget.parse("latest", null), target);
            }
            double restoreSeconds = secs(t0);
            Path dump = dir.resolve("bench.dump");
            // pg_dump runs as the postgres user and writes here
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            pg.runAsPostgres(List.of(bin + "/pg_dump", "-h", "127.0.0.1", "-p", "" + pg.port(), "-U", "postgres", "-Fc", "-f", dump.toString(), DB), 3600);
            pg.createDatabase("restored_pg");
            t0 = System.nanoTime();
            pg.runAsPostgres(List.of(bin + "/pg_restore", "-h", "127.0.0.1", "-p", "" + pg.port(), "-U", "postgres", "-j", "2", "-d", "restored_pg",
                    dump.toString()), 3600);
            double pgRestoreSeconds = secs(t0);
            out.put("restore_rows", report.rows());
            out.put("restore_transactions_replayed", report.transactionsApplied());
            out.put("restore_backtrack_seconds", round(restoreSeconds));
            out.put("restore_pg_restore_j2_seconds", round(pgRestoreSeconds));
            out.put("restore_backtrack_rows_per_s", Math.round(report.rows() / restoreSeconds));
            out.put("restore_pg_restore_rows_per_s", Math.round(report.rows() / pgRestoreSeconds));
            out.put("restored_equal", pg.queryOne("restored_backtrack", "SELECT md5(string_agg(a::text, ',' ORDER BY aid)) FROM pgbench_accounts a")
                    .equals(pg.queryOne(DB, "SELECT md5(string_agg(a::text, ',' ORDER BY aid)) FROM pgbench_accounts a")));
        }
        print(out);
        Path file = results.resolve("foundation-" + Instant.now().toString().replace(':', '-') + ".json");
        Files.createDirectories(results);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), out);
        System.out.println("written " + file);
        System.exit(0);
    }

    /** A one-row transaction after the backlog; returns an LSN below its commit position. */
    private static long marker(PostgresCluster pg) throws Exception {
        try (Connection c = pg.connect(DB); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, 1, 0, now())");
            var rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text");
            rs.next();
            long lsn = Lsn.parse(rs.getString(1));
            c.commit();
            return lsn;
        }
    }

    private static double bare(PostgresCluster pg, Path repo, long rowChanges) throws Exception {
        Properties p = CaptureSettings.of(new dev.backtrack.config.SourceConfig(pg.jdbcUrl(DB), "postgres", "", List.of(), List.of(), "bare", "backtrack",
                "off", java.time.Duration.ofSeconds(10)), List.of("public.pgbench_accounts", "public.pgbench_branches", "public.pgbench_tellers",
                "public.pgbench_history"), repo, "org.apache.kafka.connect.storage.MemoryOffsetBackingStore", 2048);
        p.setProperty("snapshot.mode", "no_data");
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("name", "bare");
        AtomicLong rows = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        long t0 = System.nanoTime();
        DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine = DebeziumEngine.create(Connect.class).using(p)
                .notifying((records, committer) -> {
                    for (ChangeEvent<SourceRecord, SourceRecord> r : records) {
                        if (r.value().value() instanceof Struct s && s.schema().field("op") != null && rows.incrementAndGet() >= rowChanges) {
                            done.countDown();
                        }
                        committer.markProcessed(r);
                    }
                    committer.markBatchFinished();
                }).build();
        Thread t = new Thread(engine);
        t.start();
        if (!done.await(30, TimeUnit.MINUTES)) {
            throw new IllegalStateException("bare engine saw only " + rows.get() + " of " + rowChanges + " row changes");
        }
        double seconds = secs(t0);
        engine.close();
        t.join();
        return seconds;
    }

    private static void print(Map<String, Object> out) {
        System.out.println();
        System.out.println("| figure | value |");
        System.out.println("|---|---|");
        out.forEach((k, v) -> System.out.println("| " + k + " | " + v + " |"));
    }

    private static PrintStream quiet() {
        return new PrintStream(OutputStream.nullOutputStream());
    }

    private static void step(String s) {
        System.out.println(Instant.now() + "  " + s);
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double round(double d) {
        return Math.round(d * 100) / 100.0;
    }
}
