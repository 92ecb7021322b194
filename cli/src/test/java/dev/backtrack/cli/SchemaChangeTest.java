package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backtrack.cli.demo.CrmSchema;
import dev.backtrack.repository.model.Micros;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DDL mid-stream: every table is restored as it was at the instant, definition and rows. */
class SchemaChangeTest {

    private record Noted(String step, long micros, Map<String, String> state) {}

    /** Every user table's columns, indexes, constraints and rows, as PostgreSQL prints them. */
    static Map<String, String> state(Connection c) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement st = c.createStatement();
                var rs = st.executeQuery("""
                SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables
                WHERE schemaname NOT IN ('pg_catalog', 'information_schema', 'backtrack') AND tablename <> \
                'backtrack_probe' ORDER BY 1""")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        Map<String, String> out = new TreeMap<>();
        for (String t : tables) {
            out.put(t, CrmSchema.definition(c, t) + "\n" + CrmSchema.checksum(c, t));
        }
        try (Statement st = c.createStatement();
                var rs = st.executeQuery("SELECT string_agg(t.typname || ':' || e.enumlabel, ',' ORDER BY t.typname, "
                        + "e.enumsortorder) FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid")) {
            rs.next();
            out.put("(enums)", String.valueOf(rs.getString(1)));
        }
        return out;
    }

    @Test
    void restoresEachTableAsItWasBetweenSchemaChanges(@TempDir Path dir) throws Exception {
        try (CaptureFixture f = new CaptureFixture("crm_ddl", dir)) {
            try (Connection c = f.connect()) {
                CrmSchema.create(c);
                CrmSchema.seed(c, 40, new Random(9));
            }
            f.startAgent();
            List<Noted> noted = new ArrayList<>();
            String[][] steps = {
                {"insert", "INSERT INTO accounts (name) VALUES ('before any DDL')"},
                {
                    "add column, no default",
                    "ALTER TABLE contacts ADD COLUMN tier int",
                    "UPDATE contacts SET tier = 2 WHERE id % 3 = 0"
                },
                {
                    "add column, constant default",
                    "ALTER TABLE contacts ADD COLUMN region text NOT NULL DEFAULT 'emea'",
                    "UPDATE contacts SET region = 'apac' WHERE id % 5 = 0"
                },
                {
                    "rename and drop column",
                    "ALTER TABLE contacts RENAME COLUMN email TO mail",
                    "ALTER TABLE contacts DROP COLUMN phone",
                    "UPDATE contacts SET mail = 'renamed@example.com' WHERE id % 7 = 0"
                },
                {
                    "alter column type",
                    "ALTER TABLE deals ALTER COLUMN title TYPE varchar(300)",
                    "UPDATE deals SET title = title || ' (long)' WHERE id % 4 = 0"
                },
                // DDL that rewrites the table: PostgreSQL computes values the change stream never carries
                {
                    "add column, volatile default",
                    "ALTER TABLE contacts ADD COLUMN joined timestamp NOT NULL DEFAULT clock_timestamp()",
                    "UPDATE contacts SET score = 7 WHERE id % 6 = 0"
                },
                {
                    "type change with USING",
                    "ALTER TABLE deals ALTER COLUMN probability TYPE numeric(5,4) USING round(probability::numeric, 4)",
                    "UPDATE deals SET probability = 0.5 WHERE id % 5 = 0"
                },
                {"type change to a date type", "ALTER TABLE contacts ALTER COLUMN last_seen TYPE date"},
                {
                    "type change from a date type",
                    "ALTER TABLE deals ALTER COLUMN close_date TYPE text",
                    "UPDATE deals SET close_date = 'soon' WHERE id % 3 = 0"
                },
                {
                    "create table",
                    "CREATE TABLE notes (id serial PRIMARY KEY, account_id bigint REFERENCES accounts (id), "
                            + "body text NOT NULL)",
                    "INSERT INTO notes (account_id, body) SELECT id, 'note for ' || name FROM accounts WHERE id % 2 = 0"
                },
                {
                    "create table as, then a key",
                    "CREATE TABLE won_deals AS SELECT id, title, amount FROM deals WHERE id % 2 = 0",
                    "ALTER TABLE won_deals ADD PRIMARY KEY (id)",
                    "UPDATE won_deals SET title = 'kept' WHERE id % 4 = 0"
                },
                {"new enum value", "ALTER TYPE deal_stage ADD VALUE 'archived'"},
                {"use new enum value", "UPDATE deals SET stage = 'archived' WHERE id % 3 = 0"},
                {
                    "create and drop index",
                    "CREATE INDEX notes_body_idx ON notes (body)",
                    "CREATE INDEX deals_title_idx ON deals (title)",
                    "DROP INDEX contacts_email_idx"
                },
                {
                    "rename table",
                    "ALTER TABLE notes RENAME TO memos",
                    "INSERT INTO memos (account_id, body) VALUES (1, 'after rename')"
                },
                {"drop table", "DROP TABLE activities"},
                {"truncate", "TRUNCATE memos", "INSERT INTO memos (account_id, body) VALUES (2, 'after truncate')"},
                {
                    "truncate two tables",
                    "TRUNCATE deals, memos",
                    "INSERT INTO deals (account_id, title, stage, amount) VALUES (3, 'fresh', 'won', 10)"
                },
                {
                    "truncate cascade",
                    "TRUNCATE accounts CASCADE",
                    "INSERT INTO accounts (id, name) VALUES (1, 'reborn')",
                    "INSERT INTO contacts (account_id, first_name) VALUES (1, 'Ann')"
                },
            };
            for (String[] step : steps) {
                try (Connection c = f.connect();
                        Statement st = c.createStatement()) {
                    for (int i = 1; i < step.length; i++) {
                        st.execute(step[i]);
                    }
                    noted.add(new Noted(step[0], f.sourceNowMicros(), state(c)));
                }
            }
            f.awaitLogged();
            f.stopAgent();
            for (int i = 0; i < noted.size(); i++) {
                Noted n = noted.get(i);
                f.restore(Micros.format(n.micros()), "crm_ddl_" + i);
                try (Connection c = f.cluster.connect("crm_ddl_" + i)) {
                    assertEquals(n.state(), state(c), "after step '" + n.step() + "'");
                }
            }
        }
    }
}
