package dev.backtrack.config;

/** The whole, validated configuration of one agent. Immutable. */
public record BacktrackConfig(
        SourceConfig source, RepositoryConfig repository, AgentConfig agent, RetentionConfig retention) {}
