package dev.backtrack.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/CONFIGURATION.md's key table is the one Option.ALL writes: a key added, removed or reworded there shows here.
 */
class ConfigReferenceTest {

    @Test
    void theDocumentedTableIsTheOneTheOptionsWrite() throws Exception {
        Path doc = Path.of("..", "docs", "CONFIGURATION.md");
        String text = Files.readString(doc);
        int begin = text.indexOf(ConfigReference.BEGIN);
        int end = text.indexOf(ConfigReference.END);
        assertTrue(begin >= 0 && end > begin, doc + " lacks the generated table's markers");
        String documented =
                text.substring(begin + ConfigReference.BEGIN.length(), end).strip() + "\n";
        assertEquals(
                ConfigReference.table(),
                documented,
                doc + " is stale: replace the table between the markers with the output of"
                        + " java -cp config/target/classes dev.backtrack.config.ConfigReference");
    }

    @Test
    void everyKeySaysWhatItDoesWithAnExample() {
        for (Option o : Option.ALL) {
            assertTrue(!o.example().isEmpty() && !o.summary().isEmpty(), o.path() + " needs a summary and an example");
        }
    }
}
