package dev.backtrack.repository.position;

import dev.backtrack.config.Engine;
import java.util.Map;
import java.util.function.LongFunction;

/** How each engine writes a source position for people: a PostgreSQL LSN, a binlog file number and offset. */
public final class Positions {
    private Positions() {}

    public static LongFunction<String> formatter(Engine engine) {
        return engine.binlog() ? BinlogPosition::format : Lsn::format;
    }

    public static String format(Engine engine, long position) {
        return formatter(engine).apply(position);
    }

    /** What a position is called before its text: "LSN " or "binlog ". */
    public static String label(Engine engine) {
        return engine.binlog() ? "binlog " : "LSN ";
    }

    /** {@code 000001:1450 (gtid 0-1-3)} from a binlog engine offset. */
    public static String binlogText(Map<String, ?> offset) {
        String text = BinlogPosition.format(BinlogPosition.of(offset));
        Object gtids = offset.get("gtids");
        return gtids == null || gtids.toString().isEmpty() ? text : text + " (gtid " + gtids + ")";
    }
}
