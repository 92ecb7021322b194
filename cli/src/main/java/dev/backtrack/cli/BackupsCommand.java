package dev.backtrack.cli;

import dev.backtrack.connectors.mariadb.MariaDbObjects;
import dev.backtrack.connectors.postgres.PostgresObjects;
import dev.backtrack.recovery.RecoveryWindow;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.RepositoryIdentity;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.gap.Gaps;
import dev.backtrack.repository.mark.Marks;
import dev.backtrack.repository.model.Micros;
import dev.backtrack.repository.objects.ObjectDefinition;
import dev.backtrack.repository.position.Positions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code backtrack backups --repo DIR [--json]}: the recoverable window and the checkpoints. */
@Command(
        name = "backups",
        mixinStandardHelpOptions = true,
        description = "Show the recoverable window and the checkpoints of a repository.")
final class BackupsCommand implements Runnable {
    @Option(names = "--repo", required = true, description = "repository directory")
    Path repo;

    @picocli.CommandLine.Mixin
    Passphrase passphrase = new Passphrase();

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    /**
     * How the newest checkpoint's object definitions were followed, and so which kinds a restore gets
     * exactly as of its instant and which only as of the last time they were read.
     */
    static Map<String, Object> objectTracking(RecoveryWindow window) {
        Map<String, Object> out = new LinkedHashMap<>();
        Manifest newest = window.checkpoints().isEmpty()
                ? null
                : window.checkpoints().get(window.checkpoints().size() - 1);
        String capture = newest == null || newest.objects() == null ? null : newest.objectCapture();
        out.put("capture", capture);
        if (capture == null) {
            out.put(
                    "note",
                    newest == null
                            ? "no checkpoint yet"
                            : "the newest checkpoint was written before object definitions were kept");
            return out;
        }
        out.put("count", newest.objects().rows());
        boolean exact = PostgresObjects.BY_TRIGGER.equals(capture);
        out.put("exact", exact ? ObjectDefinition.KINDS : List.of());
        Map<String, String> approximate = new LinkedHashMap<>();
        if (MariaDbObjects.BY_BINLOG.equals(capture)) {
            approximate.put(
                    "views, routines, triggers, events and tables",
                    "read when the agent handles each DDL: a definition changed again before"
                            + " the agent caught up is recorded in its later form");
        } else {
            if (!exact) {
                ObjectDefinition.KINDS.forEach(k -> approximate.put(
                        k,
                        "read every source.heartbeat-interval: a restore to an instant just after a "
                                + "change may hold the definition before it"));
                approximate.put(
                        "table columns, keys, indexes and constraints",
                        "read again when a change stops matching the table's definition");
            }
            approximate.put(
                    "sequence values",
                    "recorded every source.heartbeat-interval, and never set below a value a restored row holds");
            approximate.put(
                    "materialized view contents",
                    "not kept: a populated materialized view is refreshed after the restore, as pg_restore does");
        }
        out.put("approximate", approximate);
        return out;
    }

    @Override
    public void run() {
        Repository repository = passphrase.open(repo);
        RecoveryWindow window = RecoveryWindow.of(repository);
        if (json) {
            Json.print(asJson(repository, window));
        } else {
            print(repository, window);
        }
    }

    private static Map<String, Object> asJson(Repository repository, RecoveryWindow window) {
        RepositoryIdentity id = repository.identity();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("repository", repository.path().toString());
        out.put("engine", id.engine());
        out.put("database", id.database());
        out.put("systemIdentifier", id.systemIdentifier());
        out.put("earliest", Micros.format(window.earliestMicros()));
        out.put("latest", Micros.format(window.latestMicros()));
        Map<String, Object> log = new LinkedHashMap<>();
        log.put("firstSequence", window.log().firstSequence());
        log.put("lastSequence", window.log().lastSequence());
        log.put("segments", window.log().segments());
        log.put("bytes", window.log().bytes());
        out.put("log", log);
        out.put(
                "checkpoints",
                window.checkpoints().stream().map(BackupsCommand::asJson).toList());
        out.put("marks", Marks.list(repository));
        out.put(
                "gaps",
                Gaps.list(repository).stream().map(BackupsCommand::asJson).toList());
        out.put("objects", objectTracking(window));
        return out;
    }

    private static Map<String, Object> asJson(Manifest m) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", m.id());
        c.put("kind", m.kind());
        c.put("parent", m.parent());
        c.put("bytes", m.bytes());
        c.put("time", Micros.format(m.timeMicros()));
        c.put("position", m.positionText());
        c.put("rows", m.rows());
        c.put("tables", m.tables().size());
        return c;
    }

    private static Map<String, Object> asJson(Gaps.Gap g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("after", Micros.format(g.afterMicros()));
        m.put("until", g.endMicros() == null ? null : Micros.format(g.endMicros()));
        m.put("reason", g.reason());
        m.put("detected", g.detected());
        m.put("checkpoint", g.checkpoint());
        return m;
    }

    private static void print(Repository repository, RecoveryWindow window) {
        RepositoryIdentity id = repository.identity();
        System.out.println("repository " + repository.path() + " (" + id.engine() + ", database " + id.database()
                + ", system " + id.systemIdentifier() + ")");
        System.out.println("recoverable window: " + Micros.format(window.earliestMicros()) + " .. "
                + Micros.format(window.latestMicros()));
        System.out.println("log: "
                + (window.log().isEmpty()
                        ? "empty"
                        : "transactions " + window.log().firstSequence() + ".."
                                + window.log().lastSequence())
                + " in " + window.log().segments() + " segments, "
                + window.log().bytes() + " bytes");
        for (Gaps.Gap g : Gaps.list(repository)) {
            System.out.println("GAP: nothing captured after " + Micros.format(g.afterMicros()) + " until "
                    + (g.endMicros() == null ? "a fresh checkpoint (being taken)" : Micros.format(g.endMicros())) + ": "
                    + g.reason()
                    + "; restores into it are refused");
        }
        for (Marks.Mark m : Marks.list(repository)) {
            System.out.println("mark " + m.name() + ": " + m.time() + " (log sequence " + m.sequence() + ")");
        }
        Map<String, Object> tracking = objectTracking(window);
        System.out.println("object definitions: "
                + (tracking.get("capture") == null
                        ? "not kept (" + tracking.get("note") + ")"
                        : tracking.get("count") + " at the newest checkpoint, followed by " + tracking.get("capture")
                                + " (" + followed(tracking.get("capture")) + ")"));
        System.out.println("checkpoints:");
        String position = Positions.label(id.sourceEngine()).trim();
        for (Manifest m : window.checkpoints()) {
            // a delta's label begins with its full's; its rows are the keys it changed
            System.out.printf(
                    "  %-36s %-4s %s  %s %-14s %d %s in %d tables, %d KiB%s%n",
                    m.id(),
                    m.kind(),
                    Micros.format(m.timeMicros()),
                    position,
                    m.positionText(),
                    m.rows(),
                    m.delta() ? "changed rows" : "rows",
                    m.tables().size(),
                    m.bytes() / 1024,
                    m.delta() ? " (on top of " + m.parent() + ")" : "");
        }
    }

    private static String followed(Object capture) {
        if (PostgresObjects.BY_TRIGGER.equals(capture)) {
            return "each at its DDL's position";
        }
        return MariaDbObjects.BY_BINLOG.equals(capture)
                ? "read as the agent handles each DDL"
                : "read every source.heartbeat-interval";
    }
}
