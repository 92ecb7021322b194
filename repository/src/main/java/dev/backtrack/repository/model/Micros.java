package dev.backtrack.repository.model;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Instants as microseconds since the epoch, the source's own commit-time precision. */
public final class Micros {
    private static final DateTimeFormatter ISO =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private Micros() {}

    public static Instant toInstant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }

    public static long of(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
    }

    /** ISO-8601 UTC with exactly six fractional digits, e.g. {@code 2026-11-24T10:31:06.123456Z}. */
    public static String format(long micros) {
        return ISO.format(toInstant(micros));
    }
}
