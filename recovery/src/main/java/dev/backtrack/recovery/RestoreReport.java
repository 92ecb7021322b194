package dev.backtrack.recovery;

import java.util.List;
import java.util.Map;

/** What a restore did: the checkpoint it started from (and the chain it is read on top of, full first), the log it replayed, the rows it loaded. */
public record RestoreReport(String target, String checkpoint, List<String> chain, String checkpointTime, long transactionsApplied,
                            long changesApplied, String lastAppliedCommit, String lastAppliedPosition,
                            Map<String, Long> rowsPerTable, long rows, List<String> notes, long millis, long lastSequence) {
}
