package dev.backtrack.agent;

import dev.backtrack.capture.postgres.FreshSnapshot;
import dev.backtrack.config.BacktrackConfig;
import dev.backtrack.config.SourceConfig;
import dev.backtrack.connectors.SourceException;
import dev.backtrack.connectors.postgres.PostgresCatalog;
import dev.backtrack.repository.Repository;
import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.checkpoint.CheckpointAt;
import dev.backtrack.repository.checkpoint.CheckpointLabels;
import dev.backtrack.repository.checkpoint.CheckpointWriter;
import dev.backtrack.repository.checkpoint.Manifest;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.position.Lsn;
import dev.backtrack.repository.redolog.LogCursor;
import dev.backtrack.repository.schema.TableSchema;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A full checkpoint read afresh from the source while the agent streams (re-baselining: it depends
 * on no earlier checkpoint or log). The snapshot stands at WAL position P; the checkpoint continues
 * the log at the first logged transaction committing at or after P, and stands for the latest commit
 * time before P. Needs the agent running, to log past P.
 */
public final class FreshFull {
    private FreshFull() {}

    public static Manifest take(BacktrackConfig config, Repository repo, Duration wait, Consumer<String> progress) {
        SourceConfig source = config.source();
        try (FileChannel building = repo.lockForCheckpoint();
                PostgresCatalog catalog = PostgresCatalog.connect(source.url(), source.user(), source.password())) {
            List<Manifest> all = repo.checkpoints();
            if (all.isEmpty()) {
                throw new RepositoryException(
                        "repository " + repo.path() + " has no checkpoint 0 yet: let the agent take it first");
            }
            List<TableSchema> tables = logged(repo, catalog, source);
            Manifest m;
            try (FreshSnapshot snapshot = FreshSnapshot.open(source.url(), source.user(), source.password())) {
                long p = snapshot.consistentPoint();
                progress.accept("fresh snapshot at LSN " + Lsn.format(p) + ": reading " + tables.size() + " tables");
                long time = Math.max(all.get(all.size() - 1).timeMicros(), catalog.nowMicros());
                CheckpointWriter writer = new CheckpointWriter(
                        repo.checkpointsDir(),
                        repo.sealer(),
                        CheckpointLabels.freeLabel(repo.checkpointsDir(), time, "F") + "-fresh",
                        config.repository().compressionLevel());
                try {
                    for (TableSchema t : tables) {
                        writer.declareTable(t);
                        long n = snapshot.read(t, writer::addRow);
                        progress.accept("  " + t.qualifiedName() + ": " + n + " rows");
                    }
                    writer.objects(
                            snapshot.objects(source.tablesInclude(), source.tablesExclude()),
                            all.get(all.size() - 1).objectCapture());
                    Map<String, Long> sequences = catalog.sequences();
                    long fence = Lsn.parse(snapshot.fence(catalog));
                    long[] after =
                            awaitLogged(repo, fence, p, all.get(all.size() - 1).nextSequence(), wait);
                    // the instant it stands for: the latest commit before P that the log holds, or the newest
                    // checkpoint's
                    long at = Math.max(all.get(all.size() - 1).timeMicros(), after[1]);
                    m = writer.finishFull(CheckpointAt.of(at, p, Lsn.format(p), after[0])
                            .withSequences(sequences, catalog.sequenceDefinitions()));
                } catch (RuntimeException e) {
                    writer.abandon();
                    throw e;
                }
            }
            return m;
        } catch (IOException e) {
            throw new RepositoryException(
                    "cannot release the checkpoint lock of " + repo.path() + ": " + e.getMessage(), e);
        }
    }

    /** The captured tables as the log last defined them; refused when the source's definition moved on since. */
    private static List<TableSchema> logged(Repository repo, PostgresCatalog catalog, SourceConfig source) {
        Map<String, TableSchema> latest = repo.schemas().latest();
        List<TableSchema> out = new ArrayList<>();
        for (String name : catalog.tables(source.tablesInclude(), source.tablesExclude())) {
            TableSchema known = latest.get(name);
            if (known == null) {
                continue; // not captured (no key and no REPLICA IDENTITY FULL), or not yet seen by the agent
            }
            if (!known.sameShape(catalog.describe(name))) {
                throw new SourceException("table " + name
                        + " changed since the agent last logged its definition: wait until the agent has"
                        + " logged the change, then take the fresh checkpoint again");
            }
            out.add(known);
        }
        return out;
    }

    /**
     * Waits until the log holds the fence; returns the sequence of the first logged transaction at or
     * after {@code p} and the latest commit time of those before it.
     */
    private static long[] awaitLogged(Repository repo, long fence, long p, long from, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (repo.logSummary().lastPosition() < fence) {
            if (System.nanoTime() > deadline) {
                throw new RepositoryException(
                        "the agent has not logged up to LSN " + Lsn.format(fence) + " within " + wait.toSeconds()
                                + " s: start the agent (a fresh checkpoint needs it to log past the snapshot), "
                                + "then try again");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RepositoryException("interrupted while waiting for the agent to log past the snapshot");
            }
        }
        long latestBefore = Long.MIN_VALUE;
        try (LogCursor c = repo.readLog(from)) {
            while (c.hasNext()) {
                Transaction tx = c.next();
                if (tx.position() >= p) {
                    return new long[] {tx.sequence(), latestBefore};
                }
                latestBefore = Math.max(latestBefore, tx.commitMicros());
            }
        }
        throw new RepositoryException("the log of " + repo.path() + " holds nothing at or after the snapshot's LSN "
                + Lsn.format(p) + ": it is damaged, run 'backtrack verify'");
    }
}
