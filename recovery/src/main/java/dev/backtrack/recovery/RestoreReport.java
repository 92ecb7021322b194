package dev.backtrack.recovery;

import java.util.List;
import java.util.Map;

/**
 * What a restore did: the checkpoint it started from (and the chain it is read on top of, full first), the log it
 * replayed,
 * the rows it loaded, and the other objects it made (or, into another engine, left out) by kind.
 */
public record RestoreReport(
        String target,
        String checkpoint,
        List<String> chain,
        String checkpointTime,
        long transactionsApplied,
        long changesApplied,
        String lastAppliedCommit,
        String lastAppliedPosition,
        Map<String, Long> rowsPerTable,
        long rows,
        Map<String, Integer> objects,
        List<String> notes,
        long millis,
        long lastSequence) {}
