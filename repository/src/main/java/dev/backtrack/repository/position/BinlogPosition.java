package dev.backtrack.repository.position;

import java.util.Map;

/**
 * A binlog position as one ordered number: the binlog file's sequence number in the high 32 bits,
 * the byte offset in the low 32 (a binlog file never reaches 4 GiB: max_binlog_size is at most 1 GiB).
 * Binlog files are numbered in the order the server writes them, so the number orders events as the
 * server wrote them, which is commit order. Thread-safe (stateless).
 */
public final class BinlogPosition {
    private BinlogPosition() {}

    /** {@code binlog.000003}, 1450 → one number. */
    public static long of(String file, long offset) {
        return (fileNumber(file) << 32) | (offset & 0xFFFF_FFFFL);
    }

    /**
     * The position an engine offset or a source struct names ({@code file} and {@code pos}), or -1 when it names none.
     */
    public static long of(Map<String, ?> offset) {
        Object file = offset.get("file");
        Object pos = offset.get("pos");
        if (!(file instanceof String f) || !(pos instanceof Number p)) {
            return -1;
        }
        return of(f, p.longValue());
    }

    /** {@code 000003:1450}: the file's number (its suffix) and the offset. */
    public static String format(long position) {
        return String.format("%06d:%d", position >>> 32, position & 0xFFFF_FFFFL);
    }

    /**
     * Parses {@code FILE:POS}, where FILE is a binlog file name ({@code mysql-bin.000003}) or just its
     * number ({@code 000003}, {@code 3}).
     */
    public static long parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || !text.substring(colon + 1).matches("\\d{1,10}")) {
            throw new IllegalArgumentException("'binlog:" + text
                    + "' is not a binlog position: write it as binlog:FILE:POS, as in binlog:mysql-bin.000003:1450");
        }
        long offset = Long.parseLong(text.substring(colon + 1));
        if (offset > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(
                    "'binlog:" + text + "' has an offset past any binlog file's end: check the position");
        }
        return of(text.substring(0, colon), offset);
    }

    private static long fileNumber(String file) {
        String digits = file.substring(file.lastIndexOf('.') + 1);
        if (!digits.matches("\\d{1,9}")) {
            throw new IllegalArgumentException(
                    "'" + file + "' is not a binlog file name: it ends in a number, as in mysql-bin.000003");
        }
        return Long.parseLong(digits);
    }
}
