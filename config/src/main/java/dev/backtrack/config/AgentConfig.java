package dev.backtrack.config;

import java.time.Duration;

/** Tuning of the capture pipeline and checkpoint schedule. */
public record AgentConfig(int maxBatchSize, Duration checkpointInterval, long walWarningBytes) {
}
