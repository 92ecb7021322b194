package dev.backtrack.cli;

import dev.backtrack.testkit.MariaDbCrm;
import dev.backtrack.testkit.MariaDbDumpedSchema;
import dev.backtrack.testkit.MariaDbSchemaDump;
import dev.backtrack.testkit.MariaDbServer;
import dev.backtrack.testkit.MariaDbTableChecksums;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Scratch while building issue 16: a restore of the MariaDB CRM fixture's latest state equals the source, schema and rows. */
class MariaDbWholeDatabaseTest {
    @Test
    void latestRestoreEqualsTheSource(@TempDir Path dir) throws Exception {
        Random random = new Random(3);
        try (MariaDbSource source = new MariaDbSource("crm_maria_whole", dir, 5431)) {
            try (Connection c = source.connect()) {
                MariaDbCrm.create(c);
                MariaDbCrm.writeSome(c, random);
            }
            source.startAgent();
            try (Connection c = source.connect()) {
                MariaDbCrm.writeSome(c, random);
                MariaDbCrm.applyChanges(c, 1);
                MariaDbCrm.writeSome(c, random);
            }
            source.awaitLogged();
            source.stopAgent();
            MariaDbServer server = source.server;
            server.createDatabase("crm_maria_whole_r");
            source.restore("latest", server.jdbcUrl("crm_maria_whole_r"), "root");
            MariaDbSchemaDump.Options o = MariaDbSchemaDump.Options.defaults().ignoringDefiner().ignoringEventStatus().ignoringClientCharset();
            MariaDbDumpedSchema a = MariaDbSchemaDump.of(server, "crm_maria_whole", o);
            MariaDbDumpedSchema b = MariaDbSchemaDump.of(server, "crm_maria_whole_r", o);
            assertEquals(a, b, () -> MariaDbSchemaDump.diff(a, b));
            Map<String, MariaDbTableChecksums.TableChecksum> ra = MariaDbTableChecksums.of(server, "crm_maria_whole");
            Map<String, MariaDbTableChecksums.TableChecksum> rb = MariaDbTableChecksums.of(server, "crm_maria_whole_r");
            assertEquals(ra, rb, () -> MariaDbTableChecksums.diff(ra, rb));
        }
    }
}
