package dev.backtrack.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * PostgreSQL's own point-in-time recovery, as the oracle a restore is compared with: a WAL archive,
 * a base backup, and recovery of a copy of it to a target on a fresh port. Thread-safe for one
 * source cluster.
 */
public final class PostgresPitr implements AutoCloseable {
    private final Path dir;
    private final Path archive;
    private final Path base;
    private final Map<String, String> settings = new LinkedHashMap<>();

    private PostgresPitr(Path dir) {
        this.dir = dir;
        this.archive = dir.resolve("archive");
        this.base = dir.resolve("base");
        settings.put("archive_mode", "on");
        settings.put("archive_command", "'test ! -f " + archive + "/%f && cp %p " + archive + "/%f'");
        settings.put("wal_keep_size", "'256MB'");
    }

    public static PostgresPitr create() {
        try {
            Path dir = Files.createTempDirectory("backtrack-pitr-");
            Files.createDirectories(dir.resolve("archive"));
            if (PostgresCluster.OsUser.isRoot()) {
                PostgresCluster.OsUser.run(List.of("chown", "-R", "postgres:postgres", dir.toString()), 30);
            }
            return new PostgresPitr(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot make a WAL archive directory: " + e.getMessage(), e);
        }
    }

    /** Settings to start the source cluster with, so it archives its WAL here. */
    public Map<String, String> settings() {
        return settings;
    }

    /** A base backup of the running source (its WAL to reach consistency included). */
    public void baseBackup(PostgresCluster source) {
        source.runAsPostgres(
                List.of(
                        source.binDirectory().resolve("pg_basebackup").toString(),
                        "-h",
                        "127.0.0.1",
                        "-p",
                        Integer.toString(source.port()),
                        "-U",
                        "postgres",
                        "-D",
                        base.toString(),
                        "-X",
                        "fetch",
                        "-c",
                        "fast"),
                300);
    }

    /** Bytes of the base backup on disk (what a recovery copies before it replays). */
    public long baseBackupBytes() {
        try (Stream<Path> walk = Files.walk(base)) {
            return walk.filter(Files::isRegularFile)
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Switches to a new WAL segment and waits until everything written so far is archived. */
    public void flush(PostgresCluster source) throws InterruptedException {
        String segment = source.queryOne("postgres", "SELECT pg_walfile_name(pg_switch_wal())");
        for (int i = 0; i < 600; i++) {
            String archived =
                    source.queryOne("postgres", "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver");
            if (archived.compareTo(segment) >= 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(
                "WAL segment " + segment + " was not archived within 60 s:\n" + source.logTail());
    }

    /**
     * Recovers a copy of the base backup to a target, e.g. {@code recovery_target_time = '...'},
     * {@code recovery_target_xid = '123'}, {@code recovery_target_lsn = '0/16B3748'} (inclusive).
     */
    public Recovered recoverTo(PostgresCluster source, String targetSetting, boolean inclusive) {
        try {
            Path copy = Files.createTempDirectory(dir, "recovered-");
            Path data = copy.resolve("data");
            if (PostgresCluster.OsUser.isRoot()) {
                PostgresCluster.OsUser.run(List.of("chown", "postgres:postgres", copy.toString()), 60);
            }
            source.runAsPostgres(List.of("cp", "-a", base.toString(), data.toString()), 300);
            int port = FreePorts.find();
            String conf = "\n# point-in-time recovery for a comparison\n"
                    + "port = " + port + "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '" + copy + "'\n"
                    + "archive_mode = off\nwal_level = logical\nmax_wal_senders = " + PostgresCluster.REPLICATION_SLOTS
                    + "\nmax_replication_slots = " + PostgresCluster.REPLICATION_SLOTS + "\nmax_connections = 100\n"
                    + "restore_command = 'cp " + archive + "/%f %p'\n" + targetSetting + "\n"
                    + "recovery_target_inclusive = " + inclusive + "\nrecovery_target_action = 'promote'\n";
            source.runAsPostgres(
                    List.of(
                            "sh",
                            "-c",
                            "cat >> " + data.resolve("postgresql.auto.conf") + " <<'EOF'\n" + conf + "EOF\n" + "touch "
                                    + data.resolve("recovery.signal")),
                    30);
            Recovered recovered = new Recovered(source, copy, data, port);
            try {
                source.runAsPostgres(
                        List.of(
                                source.binDirectory().resolve("pg_ctl").toString(),
                                "-D",
                                data.toString(),
                                "-l",
                                copy.resolve("server.log").toString(),
                                "-w",
                                "-t",
                                "120",
                                "start"),
                        150);
            } catch (IllegalStateException e) {
                String log = recovered.logTail();
                recovered.close();
                throw new IllegalStateException("recovery did not start: " + e.getMessage() + "\n" + log, e);
            }
            recovered.awaitPromotion();
            return recovered;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("point-in-time recovery failed: " + e.getMessage(), e);
        }
    }

    /** A server recovered to a target and promoted. */
    public static final class Recovered implements AutoCloseable {
        private final PostgresCluster source;
        private final Path dir;
        private final Path data;
        private final int port;

        Recovered(PostgresCluster source, Path dir, Path data, int port) {
            this.source = source;
            this.dir = dir;
            this.data = data;
            this.port = port;
        }

        void awaitPromotion() throws InterruptedException {
            for (int i = 0; i < 1200; i++) {
                try (Connection c = connect("postgres");
                        var st = c.createStatement();
                        var rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        return;
                    }
                } catch (SQLException starting) {
                    // still replaying, or not accepting connections yet
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException("recovery did not finish within 120 s:\n" + logTail());
        }

        /** The port the recovered server listens on (127.0.0.1). */
        public int port() {
            return port;
        }

        public Connection connect(String database) throws SQLException {
            return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, "postgres", "");
        }

        public String logTail() {
            try {
                List<String> lines = Files.readAllLines(dir.resolve("server.log"));
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
            } catch (IOException e) {
                return "(no server log)";
            }
        }

        @Override
        public void close() {
            source.runAsPostgres(
                    List.of(
                            source.binDirectory().resolve("pg_ctl").toString(),
                            "-D",
                            data.toString(),
                            "-m",
                            "immediate",
                            "-w",
                            "stop"),
                    60);
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path p) {
        try (Stream<Path> walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // temp files left behind are harmless
        }
    }

    @Override
    public void close() {
        deleteTree(dir);
    }
}
