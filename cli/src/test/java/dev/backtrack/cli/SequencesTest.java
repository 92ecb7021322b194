package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backtrack.repository.model.Micros;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sequences come back as they were at the instant, not only as max(id) + 1. */
class SequencesTest {

    @Test
    void restoresSequenceValuesAsOfTheInstantIncludingValuesNoRowKept(@TempDir Path dir) throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_sequences", dir)) {
            f.cluster.execute(
                    f.database,
                    "CREATE TABLE invoices (id serial PRIMARY KEY, total numeric(10,2))",
                    "CREATE SEQUENCE invoice_numbers AS integer INCREMENT BY 10 START 1000 MAXVALUE 99999",
                    "INSERT INTO invoices (total) SELECT g FROM generate_series(1, 5) g");
            f.startAgent();
            // values handed out and never stored in a row: only the sequence knows them
            f.cluster.execute(
                    f.database,
                    "SELECT nextval('invoices_id_seq') FROM generate_series(1, 100)",
                    "SELECT nextval('invoice_numbers') FROM generate_series(1, 7)",
                    "INSERT INTO invoices (total) VALUES (9.99)");
            Thread.sleep(2500);
            long t = f.sourceNowMicros();
            String atT = sequences(f, f.database);
            f.cluster.execute(
                    f.database,
                    "SELECT nextval('invoice_numbers') FROM generate_series(1, 50)",
                    "INSERT INTO invoices (total) VALUES (1)");
            f.awaitLogged();
            Thread.sleep(2500);
            String atEnd = sequences(f, f.database);
            f.stopAgent();
            f.restore(Micros.format(t), "crm_sequences_at_t");
            assertEquals(atT, sequences(f, "crm_sequences_at_t"));
            f.restore("latest", "crm_sequences_latest");
            assertEquals(atEnd, sequences(f, "crm_sequences_latest"));
        }
    }

    private static String sequences(CaptureFixture f, String db) {
        return f.cluster.queryOne(
                db,
                "SELECT string_agg(sequencename || '=' || coalesce(last_value::text, 'unused') || ' ' || "
                        + "data_type || ' +' || increment_by || ' from ' || start_value || ' to ' || "
                        + "max_value, ',' ORDER BY sequencename) FROM pg_sequences");
    }
}
