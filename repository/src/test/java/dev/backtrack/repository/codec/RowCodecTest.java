package dev.backtrack.repository.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.repository.model.Unavailable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RowCodecTest {

    private static Object[] roundTrip(Object[] row) {
        ByteWriter out = new ByteWriter(1);
        RowCodec.writeRow(out, row);
        ByteReader in = new ByteReader(out.toByteArray());
        Object[] back = RowCodec.readRow(in);
        assertFalse(in.hasRemaining(), "the reader must consume exactly what the writer wrote");
        return back;
    }

    private static Object roundTripValue(Object value) {
        return roundTrip(new Object[] {value})[0];
    }

    @Test
    void roundTripsNullAndBooleans() {
        Object[] back = roundTrip(new Object[] {null, true, false});
        assertNull(back[0]);
        assertEquals(Boolean.TRUE, back[1]);
        assertEquals(Boolean.FALSE, back[2]);
    }

    @Test
    void roundTripsLongsIncludingTheExtremes() {
        long[] values = {
            0,
            1,
            -1,
            63,
            64,
            -64,
            -65,
            127,
            128,
            Integer.MAX_VALUE,
            Integer.MIN_VALUE,
            Long.MAX_VALUE,
            Long.MIN_VALUE,
            Long.MAX_VALUE - 1,
            Long.MIN_VALUE + 1
        };
        for (long v : values) {
            assertEquals(v, roundTripValue(v), "value " + v);
        }
    }

    @Test
    void roundTripsFloatsBitForBit() {
        float[] values = {
            0f,
            -0f,
            1.5f,
            Float.NaN,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.MIN_VALUE,
            Float.MAX_VALUE,
            -Float.MAX_VALUE
        };
        for (float v : values) {
            Object back = roundTripValue(v);
            assertTrue(back instanceof Float, "a Float stays a Float, got " + back.getClass());
            assertEquals(Float.floatToRawIntBits(v), Float.floatToRawIntBits((Float) back), "value " + v);
        }
    }

    @Test
    void roundTripsDoublesBitForBit() {
        double[] values = {
            0d,
            -0d,
            Math.PI,
            Double.NaN,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.MIN_VALUE,
            Double.MAX_VALUE,
            -Double.MAX_VALUE
        };
        for (double v : values) {
            Object back = roundTripValue(v);
            assertTrue(back instanceof Double, "a Double stays a Double, got " + back.getClass());
            assertEquals(Double.doubleToRawLongBits(v), Double.doubleToRawLongBits((Double) back), "value " + v);
        }
    }

    @Test
    void roundTripsEmptyAndNonAsciiStrings() {
        String[] values = {
            "", "plain", "Zoë Müller – Straße", "日本語のテキスト", "emoji 😀 and 𝄞", "nul\u0000inside", "x".repeat(300)
        };
        for (String v : values) {
            assertEquals(v, roundTripValue(v));
        }
    }

    @Test
    void roundTripsEmptyAndOneMebibyteByteArrays() {
        assertArrayEquals(new byte[0], (byte[]) roundTripValue(new byte[0]));
        byte[] big = new byte[1 << 20];
        new Random(42).nextBytes(big);
        assertArrayEquals(big, (byte[]) roundTripValue(big));
    }

    @Test
    void roundTripsNestedListsWithNulls() {
        List<Object> inner = Arrays.asList(1L, null, "two", List.of());
        List<Object> outer = Arrays.asList(null, inner, Arrays.asList(null, null), true, 2.5d);
        Object back = roundTripValue(outer);
        assertEquals(outer, back);
        assertEquals(List.of(), roundTripValue(List.of()));
    }

    @Test
    void roundTripsTheUnavailableMarkerAsTheSameInstance() {
        Object[] back = roundTrip(new Object[] {Unavailable.VALUE, null, Unavailable.VALUE});
        assertSame(Unavailable.VALUE, back[0]);
        assertNull(back[1]);
        assertSame(Unavailable.VALUE, back[2]);
    }

    @Test
    void roundTripsARowMixingEveryKind() {
        byte[] bytes = "bytes".getBytes(StandardCharsets.UTF_8);
        Object[] row = {null, true, 42L, 1.25f, -0.0d, "ünïcode", bytes, Arrays.asList(1L, null), Unavailable.VALUE};
        Object[] back = roundTrip(row);
        assertEquals(row.length, back.length);
        for (int i = 0; i < row.length; i++) {
            if (row[i] instanceof byte[] b) {
                assertArrayEquals(b, (byte[]) back[i]);
            } else if (row[i] instanceof Double d) {
                assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits((Double) back[i]));
            } else {
                assertEquals(row[i], back[i], "column " + i);
            }
        }
        assertEquals(0, roundTrip(new Object[0]).length);
    }

    @Test
    void refusesAValueItCannotEncode() {
        assertThrows(
                IllegalArgumentException.class,
                () -> RowCodec.writeRow(new ByteWriter(8), new Object[] {new Object()}));
    }

    @Test
    void refusesATruncatedRow() {
        ByteWriter out = new ByteWriter(8);
        RowCodec.writeRow(out, new Object[] {"a long enough string", 7L});
        byte[] cut = Arrays.copyOf(out.toByteArray(), out.size() - 3);
        assertThrows(IllegalStateException.class, () -> RowCodec.readRow(new ByteReader(cut)));
    }

    @Test
    void keyOfTheSameValuesIsAlwaysTheSameBytes() {
        Object[] row = {5L, "name", 3.5d, null};
        int[] cols = {0, 1};
        byte[] first = RowCodec.key(row, cols);
        assertArrayEquals(first, RowCodec.key(row.clone(), cols));
        assertArrayEquals(
                first,
                RowCodec.key(new Object[] {5, "name", 99d, "other"}, cols),
                "only the key columns count, and an Integer encodes like the same Long");
        assertArrayEquals(
                RowCodec.key(new Object[] {"name", 5L}, new int[] {1, 0}), RowCodec.key(row, new int[] {0, 1}));
        assertFalse(Arrays.equals(first, RowCodec.key(row, new int[] {1, 0})), "column order is part of the key");
    }

    @Test
    void keysOfDistinctValuesDifferAndSortTheSameWayEveryTime() {
        List<Object[]> rows = new ArrayList<>();
        for (long i = -300; i <= 300; i++) {
            rows.add(new Object[] {i, "r" + i});
        }
        List<byte[]> keys = new ArrayList<>();
        rows.forEach(r -> keys.add(RowCodec.key(r, new int[] {0})));
        assertEquals(
                keys.size(),
                keys.stream().map(Arrays::toString).distinct().count(),
                "keys of distinct values are distinct");

        List<byte[]> a = new ArrayList<>(keys);
        List<byte[]> b = new ArrayList<>(keys);
        Collections.shuffle(a, new Random(1));
        Collections.shuffle(b, new Random(2));
        a.sort(Arrays::compareUnsigned);
        b.sort(Arrays::compareUnsigned);
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), "position " + i);
        }
    }

    @Test
    void keyOrderSeparatesValueKinds() {
        byte[] nul = RowCodec.key(new Object[] {null}, new int[] {0});
        byte[] number = RowCodec.key(new Object[] {0L}, new int[] {0});
        byte[] text = RowCodec.key(new Object[] {""}, new int[] {0});
        assertTrue(Arrays.compareUnsigned(nul, number) < 0, "null sorts before numbers");
        assertTrue(Arrays.compareUnsigned(number, text) < 0, "numbers sort before strings");
        assertTrue(Arrays.compareUnsigned(
                        RowCodec.key(new Object[] {"a"}, new int[] {0}),
                        RowCodec.key(new Object[] {"b"}, new int[] {0}))
                < 0);
    }
}
