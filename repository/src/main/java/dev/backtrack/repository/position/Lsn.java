package dev.backtrack.repository.position;

/** PostgreSQL log sequence numbers: 64-bit positions written as two hex halves, {@code 0/16B3748}. */
public final class Lsn {
    private Lsn() {}

    public static String format(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/"
                + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }

    public static long parse(String text) {
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not an LSN: write it as two hex numbers, as in 0/16B3748");
        }
        try {
            return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not an LSN: write it as two hex numbers, as in 0/16B3748");
        }
    }
}
