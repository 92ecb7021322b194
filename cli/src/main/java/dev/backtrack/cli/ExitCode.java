package dev.backtrack.cli;

import dev.backtrack.agent.AgentException;
import dev.backtrack.config.ConfigException;
import dev.backtrack.connectors.SourceException;
import dev.backtrack.recovery.RestoreException;
import dev.backtrack.repository.LockedException;
import dev.backtrack.repository.RepositoryException;
import dev.backtrack.repository.crypto.KeyException;

/** The documented exit codes (README "Exit codes"). */
final class ExitCode {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int BAD_INPUT = 2;
    static final int DATABASE = 3;
    static final int REPOSITORY = 4;
    static final int KEY = 5;
    static final int LOCKED = 6;
    static final int MISMATCH = 7;

    private ExitCode() {}

    static int of(Throwable e) {
        if (e instanceof CutoverCommand.ValidationException) {
            return MISMATCH;
        }
        if (e instanceof ConfigException
                || e instanceof RestoreException
                || e instanceof picocli.CommandLine.ParameterException
                || e instanceof IllegalArgumentException) {
            return BAD_INPUT;
        }
        if (e instanceof SourceException) {
            return DATABASE;
        }
        if (e instanceof KeyException) {
            return KEY;
        }
        if (e instanceof LockedException) {
            return LOCKED;
        }
        if (e instanceof RepositoryException) {
            return REPOSITORY;
        }
        if (e instanceof AgentException a && a.getCause() != null && a.getCause() != a) {
            int inner = of(a.getCause());
            return inner == FAILED ? FAILED : inner;
        }
        return FAILED;
    }
}
