package dev.backtrack.connectors.mariadb;

import dev.backtrack.connectors.SourceException;
import dev.backtrack.repository.schema.Column;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Binds repository values (as the MariaDB/MySQL capture writes them) to an INSERT's parameters. The
 * column's type says how a stored number reads: days for {@code date}, microseconds of wall-clock
 * time for {@code datetime}, signed microseconds for {@code time}; a {@code timestamp} is ISO-8601
 * UTC text; a {@code bit(n)} is Debezium's {@code io.debezium.data.Bits}, the bits with the least
 * significant byte first. Temporal values are bound as text in the session's time zone ({@code +00:00}),
 * never as {@link java.sql.Timestamp}, which the JVM's zone would shift. Immutable.
 */
final class MariaDbValues {
    private static final DateTimeFormatter UTC_TEXT = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS");
    private static final long MICROS_PER_DAY = 86_400_000_000L;

    /** How a column's values are bound; decided once per column from its type. */
    enum Kind {
        PLAIN,
        DATE,
        DATETIME,
        TIMESTAMP,
        TIME,
        BIT
    }

    private final Kind[] kinds;
    private final String[] names;

    /** The loaded columns only: generated columns are left out by the caller. */
    MariaDbValues(List<Column> columns) {
        kinds = new Kind[columns.size()];
        names = new String[columns.size()];
        for (int i = 0; i < kinds.length; i++) {
            kinds[i] = kindOf(columns.get(i).type());
            names[i] = columns.get(i).name();
        }
    }

    static Kind kindOf(String type) {
        return switch (MariaDbTypes.base(type)) {
            case "date" -> Kind.DATE;
            case "datetime" -> Kind.DATETIME;
            case "timestamp" -> Kind.TIMESTAMP;
            case "time" -> Kind.TIME;
            case "bit" -> Kind.BIT;
            default -> Kind.PLAIN;
        };
    }

    /**
     * Binds the value of loaded column {@code column} to parameter {@code index}.
     *
     * @throws SourceException when the value's Java type is not one the capture writes for the column
     */
    void bind(PreparedStatement ps, int index, int column, Object v) throws SQLException {
        if (v == null) {
            ps.setNull(index, Types.NULL);
            return;
        }
        Kind kind = kinds[column];
        if (v instanceof String s) {
            ps.setString(index, kind == Kind.TIMESTAMP ? timestamp(s) : s);
        } else if (v instanceof Long n) {
            switch (kind) {
                case DATE -> ps.setString(index, LocalDate.ofEpochDay(n).toString());
                case DATETIME -> ps.setString(index, datetime(n));
                case TIME -> ps.setString(index, time(n));
                case TIMESTAMP -> throw unexpected(column, v, "ISO-8601 UTC text such as 2026-01-02T03:04:05.123Z");
                default -> ps.setLong(index, n);
            }
        } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            ps.setLong(index, ((Number) v).longValue());
        } else if (v instanceof byte[] b) {
            // Debezium's Bits are little-endian; the server reads a binary string into a BIT column big-endian
            ps.setBytes(index, kind == Kind.BIT ? reversed(b) : b);
        } else if (v instanceof Boolean b) {
            ps.setInt(index, b ? 1 : 0);
        } else if (v instanceof Double d) {
            ps.setDouble(index, d);
        } else if (v instanceof Float f) {
            ps.setFloat(index, f);
        } else if (v instanceof BigDecimal d) {
            ps.setString(index, d.toPlainString());
        } else if (v instanceof BigInteger i) {
            ps.setString(index, i.toString());
        } else {
            throw unexpected(column, v, "one of Long, String, Double, Float, Boolean, byte[]");
        }
    }

    private SourceException unexpected(int column, Object v, String expected) {
        return new SourceException("column " + names[column] + " holds a "
                + v.getClass().getSimpleName() + " (" + v + ") where the MariaDB target expects " + expected
                + ": the repository was written by another capture; report this");
    }

    /** Roughly what the value costs on the wire, to bound a batch's size. */
    static int size(Object v) {
        if (v instanceof String s) {
            return s.length() + 4;
        }
        if (v instanceof byte[] b) {
            return b.length + 4;
        }
        return 9;
    }

    /** Microseconds of wall-clock time since 1970-01-01T00:00 as {@code yyyy-MM-dd HH:mm:ss.ffffff}. */
    static String datetime(long micros) {
        long day = Math.floorDiv(micros, MICROS_PER_DAY);
        long ofDay = Math.floorMod(micros, MICROS_PER_DAY);
        StringBuilder b =
                new StringBuilder(26).append(LocalDate.ofEpochDay(day)).append(' ');
        return clock(b, ofDay).toString();
    }

    /** Signed microseconds as MariaDB's {@code [-]HHH:mm:ss.ffffff} (it takes -838:59:59 to 838:59:59). */
    static String time(long micros) {
        StringBuilder b = new StringBuilder(17);
        if (micros < 0) {
            b.append('-');
        }
        // Long.MIN_VALUE cannot be negated, but it is far outside TIME's range: the server refuses it either way
        return clock(b, micros == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(micros))
                .toString();
    }

    private static StringBuilder clock(StringBuilder b, long micros) {
        long seconds = micros / 1_000_000L;
        two(b, seconds / 3600).append(':');
        two(b, seconds / 60 % 60).append(':');
        two(b, seconds % 60).append('.');
        String fraction = Long.toString(micros % 1_000_000L);
        b.append("000000", fraction.length(), 6).append(fraction);
        return b;
    }

    private static StringBuilder two(StringBuilder b, long n) {
        return (n < 10 ? b.append('0') : b).append(n);
    }

    /**
     * Debezium's ZonedTimestamp text ({@code 2026-01-02T03:04:05.123Z}) as the UTC wall-clock time the
     * session (time_zone {@code +00:00}) reads back as the same instant.
     */
    static String timestamp(String iso) {
        int n = iso.length();
        if (n >= 20 && iso.charAt(n - 1) == 'Z' && iso.charAt(10) == 'T') {
            return iso.substring(0, 10) + ' ' + iso.substring(11, n - 1);
        }
        try {
            return UTC_TEXT.format(OffsetDateTime.parse(iso).withOffsetSameInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            // not ISO-8601 with an offset: let the server judge the text as it stands
            return iso;
        }
    }

    private static byte[] reversed(byte[] b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = b[b.length - 1 - i];
        }
        return r;
    }
}
