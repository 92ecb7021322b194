package dev.backtrack.agent;

/** The agent stopped because of a problem it names in one line. */
public final class AgentException extends RuntimeException {
    public AgentException(String message, Throwable cause) {
        super(message, cause);
    }
}
