package dev.backtrack.recovery;

/** Where long work reports how far it got. Implementations must be thread-safe. */
@FunctionalInterface
public interface Progress {
    Progress NONE = line -> {};

    void report(String line);
}
