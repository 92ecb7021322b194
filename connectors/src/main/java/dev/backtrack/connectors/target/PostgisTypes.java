package dev.backtrack.connectors.target;

import java.util.HexFormat;
import java.util.Map;

/**
 * MariaDB/MySQL spatial columns as PostGIS takes them: the type ({@code POINT} becomes
 * {@code geometry(Point)}, which holds any SRID, as the MariaDB column does) and the value (MariaDB's
 * internal form, a little-endian SRID before the WKB, becomes hex EWKB: the WKB with the SRID flag
 * and the SRID after its type).
 */
final class PostgisTypes {
    private static final Map<String, String> TYPES = Map.of(
            "geometry",
            "geometry",
            "point",
            "geometry(Point)",
            "linestring",
            "geometry(LineString)",
            "polygon",
            "geometry(Polygon)",
            "multipoint",
            "geometry(MultiPoint)",
            "multilinestring",
            "geometry(MultiLineString)",
            "multipolygon",
            "geometry(MultiPolygon)",
            "geometrycollection",
            "geometry(GeometryCollection)",
            "geomcollection",
            "geometry(GeometryCollection)");
    private static final int SRID_FLAG = 0x20000000;

    private PostgisTypes() {}

    static boolean spatial(String mariaDbBase) {
        return TYPES.containsKey(mariaDbBase);
    }

    /** The PostGIS type of a MariaDB spatial type. */
    static String type(String mariaDbBase) {
        return TYPES.get(mariaDbBase);
    }

    /** MariaDB's internal geometry value as hex EWKB, PostGIS's text input. */
    static String ewkb(byte[] internal) {
        int srid = littleEndianInt(internal, 0);
        boolean little = internal[4] == 1;
        int type = little ? littleEndianInt(internal, 5) : bigEndianInt(internal, 5);
        if (srid == 0) {
            return HexFormat.of().formatHex(internal, 4, internal.length);
        }
        byte[] out = new byte[internal.length];
        out[0] = internal[4];
        writeInt(out, 1, type | SRID_FLAG, little);
        writeInt(out, 5, srid, little);
        System.arraycopy(internal, 9, out, 9, internal.length - 9);
        return HexFormat.of().formatHex(out);
    }

    private static int littleEndianInt(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    private static int bigEndianInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    private static void writeInt(byte[] b, int at, int v, boolean little) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (little ? v >>> (8 * i) : v >>> (8 * (3 - i)));
        }
    }
}
