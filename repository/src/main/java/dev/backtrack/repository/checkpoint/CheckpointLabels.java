package dev.backtrack.repository.checkpoint;

import dev.backtrack.repository.model.Micros;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Checkpoint labels, pgBackRest's style: {@code 20261124-103106F}, a delta's after its full's. Thread-safe (stateless).
 */
public final class CheckpointLabels {
    private static final DateTimeFormatter LABEL =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private CheckpointLabels() {}

    /**
     * A label no checkpoint has yet: {@link #label}, or with {@code .2}, {@code .3} ... added when
     * checkpoints stand for the same second (labels have second precision, checkpoints microseconds).
     */
    public static String freeLabel(Path dir, long micros, String kind) {
        return freeLabel(dir, "", micros, kind);
    }

    /**
     * Like {@link #freeLabel(Path, long, String)} after {@code prefix}: a delta's label begins with its full's, as
     * pgBackRest's do.
     */
    public static String freeLabel(Path dir, String prefix, long micros, String kind) {
        String label = prefix + label(micros, kind);
        String id = label;
        for (int n = 2; Files.exists(dir.resolve(id)); n++) {
            id = label + "." + n;
        }
        return id;
    }

    /** pgBackRest-style label from the checkpoint's time: {@code 20261124-103106F}. */
    public static String label(long micros, String kind) {
        return LABEL.format(Micros.toInstant(micros)) + kind;
    }
}
