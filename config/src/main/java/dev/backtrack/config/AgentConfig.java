package dev.backtrack.config;

/** Tuning of the capture pipeline and checkpoint schedule. */
public record AgentConfig(int maxBatchSize, CheckpointSchedule schedule, long walWarningBytes) {}
