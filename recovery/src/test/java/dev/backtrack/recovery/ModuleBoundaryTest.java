package dev.backtrack.recovery;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Restore reads the repository and writes a target: the capture side (Debezium, Kafka Connect) stays off its classpath.
 */
class ModuleBoundaryTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "io.debezium.engine.DebeziumEngine",
                "io.debezium.connector.postgresql.PostgresConnector",
                "io.debezium.connector.mariadb.MariaDbConnector",
                "org.apache.kafka.connect.data.Struct",
                "dev.backtrack.capture.ChangeDecoder"
            })
    void captureClassesAreNotOnRestoresClasspath(String name) {
        assertThrows(ClassNotFoundException.class, () -> Class.forName(name));
    }
}
