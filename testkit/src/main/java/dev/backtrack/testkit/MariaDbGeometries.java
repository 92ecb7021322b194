package dev.backtrack.testkit;

import java.sql.SQLException;
import java.util.Random;

/**
 * Writes the CRM's geo_region rows: every geometry type, SRID 4326, built as WKT around a random spot. Not thread-safe.
 */
final class MariaDbGeometries {
    private final MariaDbRandomRows db;
    private final Random random;

    MariaDbGeometries(MariaDbRandomRows db, Random random) {
        this.db = db;
        this.random = random;
    }

    void addRegion() throws SQLException {
        int x = random.nextInt(340) - 170;
        int y = random.nextInt(160) - 80;
        String square = square(x, y, 2);
        db.update(
                "INSERT INTO geo_region (name, shape, centre, route, boundary, hubs, roads, islands, "
                        + "landmarks) VALUES (?, "
                        + "ST_GeomFromText(?, 4326), ST_GeomFromText(?, 4326), ST_GeomFromText(?, 4326), "
                        + "ST_GeomFromText(?, 4326), "
                        + "ST_GeomFromText(?, 4326), ST_GeomFromText(?, 4326), ST_GeomFromText(?, 4326), "
                        + "ST_GeomFromText(?, 4326))",
                "Region " + x + "/" + y,
                random.nextBoolean() ? "POLYGON(" + square + ")" : point(x + 1, y + 1),
                point(x + 1, y + 1),
                "LINESTRING(" + x + " " + y + ", " + (x + 2) + " " + (y + 2) + ", " + (x + 1.5) + " " + (y + 0.25)
                        + ")",
                "POLYGON(" + square + ")",
                "MULTIPOINT(" + x + " " + y + ", " + (x + 2) + " " + y + ")",
                "MULTILINESTRING((" + x + " " + y + ", " + (x + 1) + " " + y + "), (" + x + " " + (y + 1) + ", "
                        + (x + 2) + " " + (y + 1) + "))",
                "MULTIPOLYGON((" + square(x, y, 1) + "), (" + square(x + 1, y + 1, 1) + "))",
                "GEOMETRYCOLLECTION(" + point(x, y) + ", LINESTRING(" + x + " " + y + ", " + (x + 1) + " " + (y + 1)
                        + "))");
    }

    /** Moves a region's centre: an UPDATE of a spatial value. */
    void moveCentre() throws SQLException {
        db.update(
                "UPDATE geo_region SET centre = ST_GeomFromText(?, 4326) WHERE region_id = ?",
                point(random.nextInt(340) - 170, random.nextInt(160) - 80),
                db.randomKey("geo_region", "region_id"));
    }

    private static String point(double x, double y) {
        return "POINT(" + x + " " + y + ")";
    }

    /** A closed ring: a square of side {@code side} with its corner at (x, y). */
    private static String square(int x, int y, int side) {
        return "(" + x + " " + y + ", " + (x + side) + " " + y + ", " + (x + side) + " " + (y + side) + ", " + x + " "
                + (y + side) + ", " + x + " " + y + ")";
    }
}
