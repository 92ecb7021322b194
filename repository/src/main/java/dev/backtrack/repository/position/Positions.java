package dev.backtrack.repository.position;

import dev.backtrack.repository.position.BinlogPosition;
import dev.backtrack.repository.position.Lsn;

import java.util.Map;
import java.util.function.LongFunction;

/** How each engine writes a source position for people: a PostgreSQL LSN, a binlog file number and offset. */
public final class Positions {
    private Positions() {
    }

    public static LongFunction<String> formatter(String engine) {
        return "postgresql".equals(engine) ? Lsn::format : BinlogPosition::format;
    }

    public static String format(String engine, long position) {
        return formatter(engine).apply(position);
    }

    /** {@code 000001:1450 (gtid 0-1-3)} from a binlog engine offset. */
    public static String binlogText(Map<String, ?> offset) {
        String text = BinlogPosition.format(BinlogPosition.of(offset));
        Object gtids = offset.get("gtids");
        return gtids == null || gtids.toString().isEmpty() ? text : text + " (gtid " + gtids + ")";
    }
}
