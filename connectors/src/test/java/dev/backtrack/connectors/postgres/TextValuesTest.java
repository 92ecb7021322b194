package dev.backtrack.connectors.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TextValuesTest {
    @Test
    void theConnectorsUtcSpellingTakesTheShortPathToTheSameText() {
        assertEquals("2026-01-02T03:04:05.120000Z", TextValues.zoned("2026-01-02T03:04:05.12Z"));
        assertEquals("2026-01-02T03:04:05.000000Z", TextValues.zoned("2026-01-02T03:04:05Z"));
        assertEquals("2026-01-02T03:04:05.123456Z", TextValues.zoned("2026-01-02T03:04:05.123456789Z"));
        assertEquals("2026-01-02T03:04:05.120000Z", TextValues.alreadyUtc("2026-01-02T03:04:05.12Z"));
        // anything else goes the general way
        assertNull(TextValues.alreadyUtc("2026-01-02 03:04:05.12+00"));
        assertNull(TextValues.alreadyUtc("2026-01-02T03:04:05.Z"));
        assertNull(TextValues.alreadyUtc("0000-01-02T03:04:05Z"));
        assertNull(TextValues.alreadyUtc("12026-01-02T03:04:05Z"));
        assertEquals("2026-01-02T01:04:05.500000Z", TextValues.zoned("2026-01-02 03:04:05.5+02"));
        assertEquals("0044-03-15 12:00:00.000000+00 BC", TextValues.zoned("0044-03-15 12:00:00+00 BC"));
    }

    @Test
    void bothPathsAgreeOnRandomInstants() {
        Random r = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            Instant t = Instant.ofEpochSecond(r.nextLong(-62_000_000_000L, 250_000_000_000L), r.nextInt(1_000_000_000));
            String utc = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t.atOffset(ZoneOffset.UTC));
            // the same instant with an explicit offset is never read by the short path
            String offset = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t.atOffset(ZoneOffset.ofHours(5)));
            assertEquals(TextValues.zoned(offset), TextValues.zoned(utc), utc);
        }
    }
}
