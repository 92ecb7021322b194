package dev.backtrack.capture.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backtrack.testkit.PostgresCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.postgresql.util.HStoreConverter;

class TextFormTest {
    private static final String[] PIECES = {
        "a", "B", "é", "中", "\uD83D\uDE00", "\"", "\\", " ", ",", "=>", "NULL", "k1", ""
    };

    @Test
    void anHstoreReadAsAMapInTheSnapshotIsWrittenBackAsTheServerWritesIt() throws Exception {
        PostgresCluster cluster = PostgresCluster.shared();
        cluster.createDatabase("textform_hstore");
        cluster.execute("textform_hstore", "CREATE EXTENSION IF NOT EXISTS hstore");
        Random r = new Random(15);
        try (Connection c = cluster.connect("textform_hstore");
                PreparedStatement ps = c.prepareStatement("SELECT hstore(?::text[], ?::text[])::text")) {
            for (int i = 0; i < 300; i++) {
                List<String> keys = new ArrayList<>();
                List<String> values = new ArrayList<>();
                for (int k = r.nextInt(8); k > 0; k--) {
                    keys.add(word(r));
                    values.add(r.nextInt(5) == 0 ? null : word(r));
                }
                ps.setArray(1, c.createArrayOf("text", keys.toArray()));
                ps.setArray(2, c.createArrayOf("text", values.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    String server = rs.getString(1);
                    // pgjdbc's map (in the snapshot) loses the order; the stream hands over the server's text
                    assertEquals(server, TextForm.hstore(HStoreConverter.fromString(server)), keys + " -> " + values);
                }
            }
        }
    }

    private static String word(Random r) {
        StringBuilder w = new StringBuilder();
        for (int n = r.nextInt(4); n >= 0; n--) {
            w.append(PIECES[r.nextInt(PIECES.length)]);
        }
        return w.toString();
    }
}
