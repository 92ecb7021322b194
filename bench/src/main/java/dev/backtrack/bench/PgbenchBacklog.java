package dev.backtrack.bench;

import dev.backtrack.repository.redolog.LogSummary;
import java.util.Map;

/**
 * A pgbench backlog written with nothing consuming: the WAL and the log before and after it, its size, and the marker
 * that ends it.
 */
final class PgbenchBacklog {
    String walBefore, walAfter;
    Map<String, Long> statsBefore, statsAfter;
    LogSummary logBefore;
    long transactions, rowChanges, walBytes, markerDelta, markerLsn;
}
