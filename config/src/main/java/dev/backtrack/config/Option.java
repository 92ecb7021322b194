package dev.backtrack.config;

import java.util.List;

/**
 * One configuration key, defined once: the reference in docs/CONFIGURATION.md and validation both come from here
 * (pgBackRest-style). Keys are {@code section.key}; the environment override is
 * {@code BACKTRACK_SECTION_KEY}.
 */
public record Option(
        String section, String key, Kind kind, String defaultValue, boolean required, String summary, String example) {

    /** The value kinds a key can take. */
    public enum Kind {
        STRING,
        SECRET,
        INTEGER,
        DURATION,
        LIST,
        BOOLEAN
    }

    public String path() {
        return section + "." + key;
    }

    public String environmentName() {
        return "BACKTRACK_" + section.toUpperCase() + "_" + key.toUpperCase().replace('-', '_');
    }

    /** Every key Backtrack reads; anything else in a file is rejected. */
    public static final List<Option> ALL = List.of(
            new Option(
                    "source",
                    "url",
                    Kind.STRING,
                    null,
                    true,
                    "JDBC URL of the database to protect: jdbc:postgresql://, jdbc:mariadb:// or jdbc:mysql://",
                    "jdbc:postgresql://127.0.0.1:5432/crm"),
            new Option(
                    "source",
                    "user",
                    Kind.STRING,
                    null,
                    true,
                    "role with REPLICATION and SELECT on the captured tables",
                    "backtrack"),
            new Option(
                    "source",
                    "password",
                    Kind.SECRET,
                    "",
                    false,
                    "password; `${VAR}` takes it from the environment",
                    "${CRM_DB_PASSWORD}"),
            new Option(
                    "source",
                    "tables-include",
                    Kind.LIST,
                    "",
                    false,
                    "schema.table patterns (regex, full match) to capture; empty means every table",
                    "public.contacts,public.deals"),
            new Option(
                    "source",
                    "tables-exclude",
                    Kind.LIST,
                    "",
                    false,
                    "schema.table patterns (regex) to leave out",
                    "public.audit_.*"),
            new Option(
                    "source",
                    "slot",
                    Kind.STRING,
                    "backtrack",
                    false,
                    "logical replication slot the agent owns",
                    "backtrack_crm"),
            new Option(
                    "source",
                    "publication",
                    Kind.STRING,
                    "backtrack",
                    false,
                    "publication the agent creates for the captured tables",
                    "backtrack_crm"),
            new Option(
                    "source",
                    "capture-ddl",
                    Kind.STRING,
                    "auto",
                    false,
                    "`auto`, `on` or `off`: install event triggers that write every definition change into the "
                            + "stream (needs a superuser; `auto` installs them when the role is one)",
                    "on"),
            new Option(
                    "source",
                    "server-id",
                    Kind.INTEGER,
                    "5401",
                    false,
                    "MariaDB/MySQL: the replica server id the agent reads the binlog as; unique among the "
                            + "source's replicas",
                    "5401"),
            new Option(
                    "source",
                    "heartbeat-interval",
                    Kind.DURATION,
                    "10s",
                    false,
                    "how often the slot is advanced while captured tables are idle, and sequence values are recorded",
                    "30s"),
            new Option(
                    "repository",
                    "path",
                    Kind.STRING,
                    null,
                    true,
                    "directory of the repository (created on first run)",
                    "/var/lib/backtrack/crm"),
            new Option(
                    "repository",
                    "passphrase",
                    Kind.SECRET,
                    "",
                    false,
                    "encrypt every repository file with AES-256-GCM under a master key wrapped with this "
                            + "passphrase; set when the repository is created. Readers give it with "
                            + "`BACKTRACK_PASSPHRASE` or `--passphrase-file`",
                    "${BACKTRACK_PASSPHRASE}"),
            new Option(
                    "repository",
                    "passphrase-file",
                    Kind.STRING,
                    "",
                    false,
                    "the passphrase from the first line of a file instead of `repository.passphrase`",
                    "/etc/backtrack/crm.key"),
            new Option(
                    "repository",
                    "compression-level",
                    Kind.INTEGER,
                    "3",
                    false,
                    "zstd level for log batches and checkpoint data (1-19)",
                    "6"),
            new Option(
                    "repository",
                    "segment-size-mb",
                    Kind.INTEGER,
                    "64",
                    false,
                    "size at which a redo log segment is sealed and a new one begun",
                    "128"),
            new Option(
                    "checkpoint",
                    "full-interval",
                    Kind.DURATION,
                    "7d",
                    false,
                    "time between synthetic full checkpoints, built from the newest checkpoint's chain and the "
                            + "log (checkpoint 0 is always taken on the first run)",
                    "1d"),
            new Option(
                    "checkpoint",
                    "diff-interval",
                    Kind.DURATION,
                    "1d",
                    false,
                    "time between differential checkpoints: the net row changes since the newest full (`0s`: none)",
                    "12h"),
            new Option(
                    "checkpoint",
                    "incr-interval",
                    Kind.DURATION,
                    "1h",
                    false,
                    "time between incremental checkpoints: the net row changes since the newest checkpoint of "
                            + "any kind (`0s`: none)",
                    "15m"),
            new Option(
                    "checkpoint",
                    "incr-log-mb",
                    Kind.INTEGER,
                    "0",
                    false,
                    "also take an incremental once the log after the newest checkpoint holds this many MiB (0: "
                            + "by time only)",
                    "256"),
            new Option(
                    "agent",
                    "max-batch-size",
                    Kind.INTEGER,
                    "2048",
                    false,
                    "change events handed to the agent per engine batch (one fsync per batch)",
                    "4096"),
            new Option(
                    "agent",
                    "wal-warning-mb",
                    Kind.INTEGER,
                    "1024",
                    false,
                    "the status line (every 10 s) gives the capture lag and how much WAL the slot holds on the "
                            + "source; past this it adds a warning",
                    "4096"),
            new Option(
                    "retention",
                    "checkpoints",
                    Kind.INTEGER,
                    "0",
                    false,
                    "keep at least this many of the newest checkpoints (0: no count rule)",
                    "7"),
            new Option(
                    "retention",
                    "window",
                    Kind.DURATION,
                    "0d",
                    false,
                    "keep every instant of this span back from now restorable: the checkpoints in it and the "
                            + "newest one before it (`0d`: no window rule)."
                            + " With neither rule nothing expires; the agent applies them after each checkpoint",
                    "14d"));

    public static Option find(String section, String key) {
        for (Option o : ALL) {
            if (o.section.equals(section) && o.key.equals(key)) {
                return o;
            }
        }
        return null;
    }
}
