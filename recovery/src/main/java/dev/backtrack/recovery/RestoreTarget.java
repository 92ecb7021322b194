package dev.backtrack.recovery;

import dev.backtrack.repository.position.BinlogPosition;
import dev.backtrack.repository.position.Lsn;
import java.util.Locale;

/**
 * Where a restore stops, as a user writes it: {@code --to latest | TIME | lsn:0/16B3748 | xid:N |
 * gtid:0-1-42 | binlog:FILE:POS | mark:NAME}, or {@code --before xid:N | gtid:...} (the state just
 * before that transaction committed). Every
 * "to" target is inclusive, like PostgreSQL's recovery targets with recovery_target_inclusive=true.
 */
public sealed interface RestoreTarget {

    /** A commit time; {@code latest} is the last logged transaction. */
    record Time(TargetInstant instant) implements RestoreTarget {
        @Override
        public String toString() {
            return instant.toString();
        }
    }

    /** Every transaction whose commit position is at or before this LSN. */
    record AtLsn(long lsn) implements RestoreTarget {
        @Override
        public String toString() {
            return "lsn:" + Lsn.format(lsn);
        }
    }

    /** Up to and including (or, when not inclusive, up to but excluding) transaction {@code xid}. */
    record AtXid(String xid, boolean inclusive) implements RestoreTarget {
        @Override
        public String toString() {
            return (inclusive ? "" : "before ") + (xid.contains("-") ? "gtid:" : "xid:") + xid;
        }
    }

    /**
     * Every transaction whose events all lie before this binlog position (MariaDB/MySQL sources): for a
     * position on a transaction boundary, what {@code mariadb-binlog --stop-position} replays.
     */
    record AtBinlog(long position) implements RestoreTarget {
        @Override
        public String toString() {
            return "binlog:" + BinlogPosition.format(position);
        }
    }

    /** Up to and including the transaction that wrote the named mark. */
    record AtMark(String name) implements RestoreTarget {
        @Override
        public String toString() {
            return "mark:" + name;
        }
    }

    /** Parses {@code --to} / {@code --before}; exactly one of them is given. */
    public static RestoreTarget parse(String to, String before) {
        if ((to == null) == (before == null)) {
            throw new RestoreException(
                    to == null
                            ? "no target: give --to (TIME, latest, lsn:, xid:, gtid:, binlog:, mark:) or --before xid:N"
                            : "--to and --before conflict: give only one of them");
        }
        if (before != null) {
            if (before.startsWith("gtid:")) {
                return new AtXid(gtid(before.substring(5)), false);
            }
            if (!before.startsWith("xid:")) {
                throw new RestoreException("--before '" + before
                        + "' is not supported: use --before xid:N or --before gtid:GTID (the state "
                        + "just before that transaction)");
            }
            return new AtXid(xid(before.substring(4)), false);
        }
        if (to.startsWith("lsn:")) {
            try {
                return new AtLsn(Lsn.parse(to.substring(4)));
            } catch (IllegalArgumentException e) {
                throw new RestoreException("--to " + e.getMessage());
            }
        }
        if (to.startsWith("xid:")) {
            return new AtXid(xid(to.substring(4)), true);
        }
        if (to.startsWith("gtid:")) {
            return new AtXid(gtid(to.substring(5)), true);
        }
        if (to.startsWith("binlog:")) {
            try {
                return new AtBinlog(BinlogPosition.parse(to.substring(7)));
            } catch (IllegalArgumentException e) {
                throw new RestoreException("--to " + e.getMessage());
            }
        }
        if (to.startsWith("mark:")) {
            return new AtMark(to.substring(5));
        }
        return new Time(TargetInstant.parse(to));
    }

    /** A MariaDB GTID ({@code 0-1-42}) or a MySQL one ({@code 3e11fa47-71ca-11e1-9e33-c80aa9429562:42}). */
    private static String gtid(String text) {
        if (!text.matches("\\d+-\\d+-\\d+") && !text.matches("[0-9a-fA-F-]{36}:\\d+")) {
            throw new RestoreException("'gtid:" + text
                    + "' is not a GTID: write MariaDB's domain-server-sequence, as in gtid:0-1-42, or MySQL's uuid:N");
        }
        return text.toLowerCase(Locale.ROOT);
    }

    private static String xid(String text) {
        if (!text.matches("\\d{1,20}")) {
            throw new RestoreException(
                    "'xid:" + text + "' is not a transaction id: write it as a number, as in xid:7421");
        }
        return Long.toString(Long.parseLong(text));
    }
}
