package dev.backtrack.repository.redolog;

import java.nio.file.Path;

/**
 * Segment files are named by the sequence of their first transaction, zero-padded to 20 digits, so {@code ls} sorts
 * them.
 */
final class SegmentName {
    static final String LOG = ".log", INDEX = ".index";

    private SegmentName() {}

    static Path log(Path dir, long baseSequence) {
        return dir.resolve(String.format("%020d%s", baseSequence, LOG));
    }

    static Path index(Path dir, long baseSequence) {
        return dir.resolve(String.format("%020d%s", baseSequence, INDEX));
    }

    /** The base sequence of a segment file name, or -1 when it is not one. */
    static long baseOf(Path file) {
        String n = file.getFileName().toString();
        if (n.length() != 20 + LOG.length() || !n.endsWith(LOG)) {
            return -1;
        }
        try {
            return Long.parseLong(n.substring(0, 20));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
