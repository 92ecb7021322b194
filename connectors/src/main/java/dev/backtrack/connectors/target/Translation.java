package dev.backtrack.connectors.target;

import dev.backtrack.repository.schema.TableSchema;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * How table versions and values of one engine become another's (the type map of docs/CROSS-ENGINE.md).
 * A value the target type cannot hold exactly is refused ({@link Unrepresentable}), never changed.
 */
interface Translation {

    /** The table as the target engine spells it. */
    TableSchema table(TableSchema source);

    /** Per column of {@code source}, the conversion of its values (identity when none is needed). */
    List<UnaryOperator<Object>> values(TableSchema source);

    /** Captured sequence / AUTO_INCREMENT values, keyed as the target engine keys them. */
    Map<String, Long> sequences(Collection<TableSchema> sources, Map<String, Long> captured);

    /** What the translation left out or changed in the definitions (never in values), for the report. */
    List<String> notes();

    /** A value the target type cannot hold exactly; the message names the value and the type. */
    final class Unrepresentable extends RuntimeException {
        Unrepresentable(String message) {
            super(message, null, false, false);
        }
    }
}
