package dev.backtrack.repository.checkpoint;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backtrack.repository.RepositoryException;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/** Sequence values as of a log position: a checkpoint's, overlaid by the last values the agent wrote into the log. */
public final class SequenceValues {
    /** The message prefix under which the agent logs sequence values (JSON object name → value). */
    public static final String PREFIX = "backtrack.sequences";
    /**
     * The message prefix under which the agent logs sequence definitions (JSON object name → CREATE SEQUENCE options).
     */
    public static final String DEFINITIONS_PREFIX = "backtrack.sequence-definitions";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SequenceValues() {}

    public static Map<String, Long> asOf(Map<String, Long> checkpoint, Map<String, String> lastMessages) {
        return overlay(checkpoint, lastMessages.get(PREFIX), new TypeReference<>() {});
    }

    public static Map<String, String> definitionsAsOf(
            Map<String, String> checkpoint, Map<String, String> lastMessages) {
        return overlay(checkpoint, lastMessages.get(DEFINITIONS_PREFIX), new TypeReference<>() {});
    }

    private static <V> Map<String, V> overlay(
            Map<String, V> checkpoint, String logged, TypeReference<Map<String, V>> type) {
        Map<String, V> out = new TreeMap<>(checkpoint == null ? Map.of() : checkpoint);
        if (logged != null) {
            try {
                out.putAll(JSON.readValue(logged, type));
            } catch (IOException e) {
                throw new RepositoryException("logged sequence values cannot be read (" + e.getMessage()
                        + "): the log is damaged, run 'backtrack verify'");
            }
        }
        return out;
    }
}
