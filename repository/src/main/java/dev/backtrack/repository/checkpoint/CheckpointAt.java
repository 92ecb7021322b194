package dev.backtrack.repository.checkpoint;

import dev.backtrack.repository.model.Micros;
import java.util.Map;

/**
 * Where a checkpoint stands in the source's history: the instant and source position its rows are
 * consistent with, the log sequence the log continues at after it, the engine offset capture resumes
 * from (empty for checkpoints built from the log), and the sequence values and definitions as of it.
 * Immutable.
 */
public record CheckpointAt(
        long timeMicros,
        String time,
        long position,
        String positionText,
        long nextSequence,
        String sourceOffset,
        Map<String, Long> sequences,
        Map<String, String> sequenceDefinitions) {

    /** At {@code timeMicros} (written as ISO-8601), no offset and no sequences yet. */
    public static CheckpointAt of(long timeMicros, long position, String positionText, long nextSequence) {
        return new CheckpointAt(
                timeMicros, Micros.format(timeMicros), position, positionText, nextSequence, "", Map.of(), Map.of());
    }

    /** The time as the source wrote it, instead of as this instant formats. */
    public CheckpointAt withTime(String text) {
        return new CheckpointAt(
                timeMicros, text, position, positionText, nextSequence, sourceOffset, sequences, sequenceDefinitions);
    }

    public CheckpointAt withOffset(String offset) {
        return new CheckpointAt(
                timeMicros, time, position, positionText, nextSequence, offset, sequences, sequenceDefinitions);
    }

    public CheckpointAt withSequences(Map<String, Long> values, Map<String, String> definitions) {
        return new CheckpointAt(
                timeMicros, time, position, positionText, nextSequence, sourceOffset, values, definitions);
    }
}
