package dev.backtrack.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CheckpointScheduleTest {
    private static final long HOUR = 3_600_000_000L;
    private final CheckpointSchedule weeklyDailyHourly =
            new CheckpointSchedule(Duration.ofDays(7), Duration.ofDays(1), Duration.ofHours(1), 256L << 20);

    @Test
    void theLargestDueKindWins() {
        long now = 1000 * HOUR;
        assertEquals("full", weeklyDailyHourly.due(now, now - 168 * HOUR, now - HOUR, now - HOUR, 0));
        assertEquals("diff", weeklyDailyHourly.due(now, now - 100 * HOUR, now - 24 * HOUR, now - 2 * HOUR, 0));
        assertEquals("incr", weeklyDailyHourly.due(now, now - 100 * HOUR, now - 5 * HOUR, now - HOUR, 0));
        assertNull(weeklyDailyHourly.due(now, now - 100 * HOUR, now - 5 * HOUR, now - HOUR / 2, 0));
    }

    @Test
    void logVolumeAloneCallsForAnIncremental() {
        long now = 1000 * HOUR;
        assertEquals("incr", weeklyDailyHourly.due(now, now - HOUR, now - HOUR, now - 60_000_000L, 256L << 20));
        assertNull(weeklyDailyHourly.due(now, now - HOUR, now - HOUR, now - 60_000_000L, (256L << 20) - 1));
    }

    @Test
    void zeroSwitchesAKindOff() {
        CheckpointSchedule fullsOnly = new CheckpointSchedule(Duration.ofHours(6), Duration.ZERO, Duration.ZERO, 0);
        long now = 1000 * HOUR;
        assertNull(fullsOnly.due(now, now - 5 * HOUR, now - 5 * HOUR, now - 5 * HOUR, 1L << 40));
        assertEquals("full", fullsOnly.due(now, now - 6 * HOUR, now - 5 * HOUR, now - 5 * HOUR, 0));
        assertEquals(Duration.ofMinutes(1), fullsOnly.tick());
        assertEquals(
                Duration.ofSeconds(2),
                new CheckpointSchedule(Duration.ofSeconds(2), Duration.ZERO, Duration.ofHours(1), 0).tick());
    }
}
