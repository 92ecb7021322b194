package dev.backtrack.config;

/** A configuration problem, worded as one line that names the key and the fix. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
