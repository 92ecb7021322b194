package dev.backtrack.connectors.target;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** MariaDB's internal spatial values (SRID, then WKB) as the EWKB PostGIS reads and prints. */
class PostgisTypesTest {

    @Test
    void aPointWithAnSridBecomesEwkbOfTheSameLength() {
        // POINT(59.15 -110.29) with SRID 4326, as MariaDB holds it and as PostGIS prints ST_SetSRID(ST_MakePoint(59.15,
        // -110.29), 4326)
        byte[] internal =
                HexFormat.of().parseHex("e6100000" + "01" + "01000000" + "3333333333934d40" + "c3f5285c8f925bc0");
        assertEquals("0101000020e6100000" + "3333333333934d40" + "c3f5285c8f925bc0", PostgisTypes.ewkb(internal));
    }

    @Test
    void sridZeroIsPlainWkb() {
        byte[] internal =
                HexFormat.of().parseHex("00000000" + "01" + "01000000" + "000000000000f03f" + "0000000000000040");
        assertEquals("0101000000" + "000000000000f03f" + "0000000000000040", PostgisTypes.ewkb(internal));
    }
}
