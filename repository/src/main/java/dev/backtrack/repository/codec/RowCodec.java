package dev.backtrack.repository.codec;

import dev.backtrack.repository.model.Unavailable;
import java.util.ArrayList;
import java.util.List;

/**
 * The compact binary row encoding (docs/FORMAT.md "Values"): a varint column count, then one tagged
 * value per column. Thread-safe (stateless).
 */
public final class RowCodec {
    static final int NULL = 0,
            FALSE = 1,
            TRUE = 2,
            INT = 3,
            FLOAT64 = 4,
            FLOAT32 = 5,
            STRING = 6,
            BYTES = 7,
            ARRAY = 8,
            UNAVAILABLE = 9;

    private RowCodec() {}

    public static void writeRow(ByteWriter out, Object[] row) {
        out.writeVarLong(row.length);
        for (Object v : row) {
            writeValue(out, v);
        }
    }

    public static Object[] readRow(ByteReader in) {
        int n = in.readLength();
        Object[] row = new Object[n];
        for (int i = 0; i < n; i++) {
            row[i] = readValue(in);
        }
        return row;
    }

    public static void writeValue(ByteWriter out, Object v) {
        if (v == null) {
            out.writeByte(NULL);
        } else if (v instanceof Boolean b) {
            out.writeByte(b ? TRUE : FALSE);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            out.writeByte(INT);
            out.writeSignedVarLong(((Number) v).longValue());
        } else if (v instanceof Double d) {
            out.writeByte(FLOAT64);
            out.writeLong(Double.doubleToRawLongBits(d));
        } else if (v instanceof Float f) {
            out.writeByte(FLOAT32);
            out.writeInt(Float.floatToRawIntBits(f));
        } else if (v instanceof String s) {
            out.writeByte(STRING);
            out.writeString(s);
        } else if (v instanceof byte[] b) {
            out.writeByte(BYTES);
            out.writeVarLong(b.length);
            out.writeBytes(b);
        } else if (v instanceof List<?> list) {
            out.writeByte(ARRAY);
            out.writeVarLong(list.size());
            for (Object item : list) {
                writeValue(out, item);
            }
        } else if (v == Unavailable.VALUE) {
            out.writeByte(UNAVAILABLE);
        } else {
            throw new IllegalArgumentException(
                    "no encoding for value of " + v.getClass().getName());
        }
    }

    public static Object readValue(ByteReader in) {
        int tag = in.readByte();
        return switch (tag) {
            case NULL -> null;
            case FALSE -> Boolean.FALSE;
            case TRUE -> Boolean.TRUE;
            case INT -> in.readSignedVarLong();
            case FLOAT64 -> Double.longBitsToDouble(in.readLong());
            case FLOAT32 -> Float.intBitsToFloat(in.readInt());
            case STRING -> in.readString();
            case BYTES -> in.readBytes(in.readLength());
            case ARRAY -> {
                int n = in.readLength();
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(readValue(in));
                }
                yield list;
            }
            case UNAVAILABLE -> Unavailable.VALUE;
            default -> throw new IllegalStateException("unknown value tag " + tag + " at byte " + (in.position() - 1));
        };
    }

    /** Encodes the values at {@code columns} of {@code row}: the row's key, compared as unsigned bytes. */
    public static byte[] key(Object[] row, int[] columns) {
        ByteWriter out = new ByteWriter(32);
        for (int c : columns) {
            writeValue(out, row[c]);
        }
        return out.toByteArray();
    }
}
