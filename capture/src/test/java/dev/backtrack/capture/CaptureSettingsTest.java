package dev.backtrack.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backtrack.capture.mariadb.MariaDbSettings;
import dev.backtrack.capture.mariadb.RepositorySchemaHistory;
import dev.backtrack.capture.postgres.CaptureSettings;
import dev.backtrack.capture.postgres.TextForm;
import dev.backtrack.config.SourceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The settings files name classes by their text: a renamed class must not leave the connector loading nothing. */
class CaptureSettingsTest {
    private static SourceConfig source(String url) {
        return new SourceConfig(url, "u", "p", List.of(), List.of(), "slot", "pub", "auto", Duration.ofSeconds(7));
    }

    @Test
    void postgresSettingsNameTheConverterAndKeepTheEngineBatching() throws Exception {
        Properties p = CaptureSettings.of(
                source("jdbc:postgresql://db:5432/crm"), List.of("public.a"), Path.of("/r"), "Store", 100);
        assertEquals(TextForm.class, Class.forName(p.getProperty("text.type")));
        assertEquals("8192", p.getProperty("max.queue.size"));
        assertEquals("60000", p.getProperty("record.processing.shutdown.timeout.ms"));
        assertEquals("backtrack-slot", p.getProperty("name"));
        assertEquals("7000", p.getProperty("heartbeat.interval.ms"));
    }

    @Test
    void binlogSettingsNameTheSchemaHistoryKeptInTheRepository() throws Exception {
        Properties p =
                MariaDbSettings.of(source("jdbc:mariadb://db:3306/crm"), List.of("crm.a"), Path.of("/r"), "Store", 100);
        assertEquals(RepositorySchemaHistory.class, Class.forName(p.getProperty("schema.history.internal")));
        assertEquals("io.debezium.connector.mariadb.MariaDbConnector", p.getProperty("connector.class"));
        assertEquals("false", p.getProperty("include.unknown.datatypes"));
        assertEquals("fail", p.getProperty("event.converting.failure.handling.mode"));
    }
}
