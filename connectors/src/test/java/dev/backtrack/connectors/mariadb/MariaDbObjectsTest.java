package dev.backtrack.connectors.mariadb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.backtrack.repository.objects.ObjectSet;
import dev.backtrack.testkit.MariaDbServer;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The agent reads a MariaDB database's definitions after every DDL, while the application may be
 * running more: a trigger file being rewritten meanwhile ("Corrupted TRG file", which stopped capture
 * in CI) is read again, not fatal.
 */
class MariaDbObjectsTest {

    @Test
    void definitionsReadWhileTriggersAreRewrittenAreRead() throws Exception {
        MariaDbServer server = MariaDbServer.shared();
        server.createDatabase("objects_in_flux");
        server.execute(
                "objects_in_flux",
                "CREATE TABLE contact (id int PRIMARY KEY, touched int NOT NULL DEFAULT 0)",
                "CREATE TRIGGER contact_bu BEFORE UPDATE ON contact FOR EACH ROW SET NEW.touched = OLD.touched + 1");
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<Throwable> ddlFailed = new AtomicReference<>();
        Thread ddl = new Thread(() -> {
            try (Connection c = server.connect("objects_in_flux");
                    Statement st = c.createStatement()) {
                for (int i = 0; running.get(); i++) {
                    st.execute("CREATE OR REPLACE TRIGGER contact_bu BEFORE UPDATE ON contact FOR EACH ROW SET "
                            + "NEW.touched = OLD.touched + "
                            + (1 + i % 7));
                    st.execute("DROP TRIGGER IF EXISTS contact_bi");
                    st.execute("CREATE TRIGGER contact_bi BEFORE INSERT ON contact FOR EACH ROW SET NEW.touched = "
                            + i % 5);
                    st.execute("DROP TRIGGER contact_bu");
                    st.execute("CREATE TRIGGER contact_bu BEFORE UPDATE ON contact FOR EACH ROW SET NEW.touched = "
                            + "OLD.touched + 1");
                }
            } catch (Throwable e) {
                ddlFailed.set(e);
            }
        });
        ddl.start();
        try (Connection c = server.connect("objects_in_flux")) {
            for (int i = 0; i < 300; i++) {
                ObjectSet set = MariaDbObjects.read(c, "objects_in_flux");
                assertEquals(1, set.all().stream().filter(o -> o.isTableEntry()).count());
            }
        } finally {
            running.set(false);
            ddl.join(10_000);
        }
        assertNull(ddlFailed.get());
    }
}
