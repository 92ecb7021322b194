package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.testkit.MariaDbCrm;
import dev.backtrack.testkit.MariaDbServer;
import dev.backtrack.testkit.PostgresCluster;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a restore of the MariaDB CRM, into MariaDB or PostgreSQL, the application's next writes
 * succeed as they would at the source: a new row gets a key above every restored one (AUTO_INCREMENT,
 * identity), its time defaults give the current time, and an update sets an ON UPDATE CURRENT_TIMESTAMP column.
 */
class MariaDbNextWriteTest {
    @Test
    void insertsAndUpdatesAfterARestoreBehaveAsAtTheSource(@TempDir Path dir) throws Exception {
        Random random = new Random(3);
        try (MariaDbSource source = new MariaDbSource("crm_next", dir, 5431)) {
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
            server.createDatabase("crm_next_r");
            source.restore("latest", server.jdbcUrl("crm_next_r"), "root");
            long maxNote = Long.parseLong(server.queryOne("crm_next_r", "SELECT MAX(note_id) FROM note"));
            long deal = Long.parseLong(server.queryOne("crm_next_r", "SELECT MIN(deal_id) FROM deal"));
            String before = server.queryOne("crm_next_r", "SELECT updated_at FROM deal WHERE deal_id = " + deal);
            server.execute(
                    "crm_next_r",
                    "INSERT INTO note (contact_id, body) SELECT MIN(contact_id), 'after the restore' FROM contact",
                    "UPDATE deal SET title = CONCAT(title, ' (renewed)') WHERE deal_id = " + deal);
            assertEquals(
                    "1",
                    server.queryOne(
                            "crm_next_r",
                            "SELECT note_id > " + maxNote + " AND created_at >= NOW() - INTERVAL 2 MINUTE"
                                    + " FROM note WHERE body = 'after the restore'"),
                    "a new note's key and time into MariaDB");
            assertEquals(
                    "1",
                    server.queryOne(
                            "crm_next_r", "SELECT updated_at > '" + before + "' FROM deal WHERE deal_id = " + deal),
                    "ON UPDATE into MariaDB");

            PostgresCluster pg = PostgresCluster.shared();
            pg.createDatabase("crm_next_pg");
            pg.execute("crm_next_pg", "CREATE EXTENSION postgis");
            source.restore("latest", pg.jdbcUrl("crm_next_pg"), "postgres");
            String pgBefore =
                    pg.queryOne("crm_next_pg", "SELECT updated_at::text FROM crm_next.deal WHERE deal_id = " + deal);
            pg.execute(
                    "crm_next_pg",
                    "INSERT INTO crm_next.note (contact_id, body) SELECT MIN(contact_id), 'after the restore' "
                            + "FROM crm_next.contact");
            pg.execute("crm_next_pg", "UPDATE crm_next.deal SET title = title || ' (renewed)' WHERE deal_id = " + deal);
            assertEquals(
                    "t",
                    pg.queryOne(
                            "crm_next_pg",
                            "SELECT note_id > " + maxNote + " AND created_at >= localtimestamp - interval '2 minutes'"
                                    + " FROM crm_next.note WHERE body = 'after the restore'"),
                    "a new note's key and time into PostgreSQL");
            assertEquals(
                    "t",
                    pg.queryOne(
                            "crm_next_pg",
                            "SELECT updated_at > '" + pgBefore
                                    + "'::timestamptz AND updated_at >= now() - interval '2 minutes'"
                                    + " FROM crm_next.deal WHERE deal_id = " + deal),
                    "ON UPDATE CURRENT_TIMESTAMP into PostgreSQL (a trigger)");
            assertTrue(pg.queryOne("crm_next_pg", "SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%_on_update'")
                            .compareTo("0")
                    > 0);
        }
    }
}
