package dev.backtrack.recovery;

import dev.backtrack.repository.model.Micros;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The instant a restore reaches: {@code latest}, or an ISO-8601 time with {@code Z} or an offset
 * ({@code 2026-11-24T10:31:06.123456Z}, {@code 2026-11-24 10:31:06+01}). Microsecond precision,
 * like PostgreSQL's {@code recovery_target_time}. Immutable.
 */
public record TargetInstant(boolean latest, long micros) {
    private static final Pattern TIME = Pattern.compile(
            "(\\d{4}-\\d{2}-\\d{2})[T ](\\d{2}:\\d{2}(?::\\d{2})?)(?:\\.(\\d{1,9}))?\\s*(Z|z|[+-]\\d{2}(?::?\\d{2})?)");

    public static TargetInstant parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.equalsIgnoreCase("latest")) {
            return new TargetInstant(true, Long.MAX_VALUE);
        }
        Matcher m = TIME.matcher(t);
        if (!m.matches()) {
            throw new RestoreException("--to '" + text
                    + "' is not an instant: use ISO-8601 with Z or an offset, as in "
                    + "2026-11-24T10:31:06.123456Z, or 'latest'");
        }
        String fraction = m.group(3) == null ? "" : m.group(3);
        if (fraction.length() > 6 && !fraction.substring(6).chars().allMatch(c -> c == '0')) {
            throw new RestoreException("--to '" + text
                    + "' is finer than a microsecond, the source's own precision: give at most 6 fractional digits");
        }
        try {
            String time = m.group(2).length() == 5 ? m.group(2) + ":00" : m.group(2);
            LocalDateTime local = LocalDateTime.parse(m.group(1) + "T" + time);
            String zone = m.group(4).equalsIgnoreCase("z") ? "Z" : m.group(4);
            if (zone.length() == 3) {
                zone += ":00";
            } else if (zone.length() == 5) {
                zone = zone.substring(0, 3) + ":" + zone.substring(3);
            }
            OffsetDateTime at = OffsetDateTime.of(local, ZoneOffset.of(zone));
            long micros = Micros.of(at.toInstant());
            if (!fraction.isEmpty()) {
                micros += Long.parseLong((fraction + "000000").substring(0, 6));
            }
            return new TargetInstant(false, micros);
        } catch (DateTimeException e) {
            throw new RestoreException("--to '" + text + "' is not a valid date and time (" + e.getMessage()
                    + "): use a form such as 2026-11-24T10:31:06Z");
        }
    }

    @Override
    public String toString() {
        return latest ? "latest" : Micros.format(micros);
    }
}
