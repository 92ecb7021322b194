package dev.backtrack.cli.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Random;

/**
 * A small CRM: accounts, contacts (with TOASTed notes, and a trigger that stamps updated_at), deals
 * (enum stage, money amounts, a view of the open ones) and an activity feed without a primary key,
 * partitioned by year. Used by the demo and the end-to-end tests.
 */
public final class CrmSchema {
    public static final List<String> TABLES =
            List.of("public.accounts", "public.contacts", "public.deals", "public.activities");

    private CrmSchema() {}

    public static void create(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TYPE deal_stage AS ENUM ('lead', 'qualified', 'proposal', 'won', 'lost')");
            st.execute("""
                    CREATE TABLE accounts (id bigserial PRIMARY KEY, name text NOT NULL, domain varchar(120), \
                    industry text,
                      employees int, annual_revenue numeric(14,2), tags text[], created_at timestamptz NOT \
                    NULL DEFAULT now(),
                      active boolean NOT NULL DEFAULT true)""");
            st.execute("""
                    CREATE TABLE contacts (id bigserial PRIMARY KEY, account_id bigint NOT NULL, first_name \
                    text, last_name text,
                      email text, phone varchar(40), birthday date, score smallint, external_id uuid, profile \
                    jsonb, notes text,
                      avatar bytea, last_seen timestamp, updated_at timestamptz DEFAULT now())""");
            st.execute("""
                    CREATE TABLE deals (id serial PRIMARY KEY, account_id bigint NOT NULL, contact_id bigint, \
                    title text NOT NULL,
                      stage deal_stage NOT NULL, amount numeric(12,2), probability real, close_date date, custom json,
                      created_at timestamptz DEFAULT now())""");
            st.execute("CREATE TABLE activities (account_id bigint, kind text, happened_at timestamptz, detail "
                    + "text) PARTITION BY RANGE (happened_at)");
            st.execute("CREATE TABLE activities_2026 PARTITION OF activities FOR VALUES FROM ('2026-01-01 "
                    + "00:00+00') TO ('2027-01-01 00:00+00')");
            st.execute("CREATE TABLE activities_other PARTITION OF activities DEFAULT");
            st.execute("ALTER TABLE contacts ADD CONSTRAINT contacts_account_fk FOREIGN KEY (account_id) "
                    + "REFERENCES accounts (id)");
            st.execute("ALTER TABLE deals ADD CONSTRAINT deals_amount_positive CHECK (amount >= 0)");
            st.execute("CREATE INDEX contacts_email_idx ON contacts (lower(email))");
            st.execute("CREATE UNIQUE INDEX accounts_domain_key ON accounts (domain) WHERE domain IS NOT NULL");
            st.execute("CREATE INDEX activities_account_idx ON activities (account_id, happened_at DESC)");
            // keyless: every partition logs its whole old row (the setting does not pass down to partitions)
            for (String t : List.of("activities", "activities_2026", "activities_other")) {
                st.execute("ALTER TABLE " + t + " REPLICA IDENTITY FULL");
            }
            st.execute("""
                    CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN NEW.updated_at := now(); RETURN NEW; END $$""");
            st.execute("CREATE TRIGGER contacts_touch BEFORE UPDATE ON contacts FOR EACH ROW EXECUTE FUNCTION "
                    + "touch_updated_at()");
            st.execute("""
                    CREATE VIEW open_deals AS SELECT d.id, a.name AS account, d.stage, d.amount
                    FROM deals d JOIN accounts a ON a.id = d.account_id WHERE d.stage NOT IN ('won', 'lost')""");
        }
    }

    /** Inserts {@code accounts} accounts with three contacts, two deals and two activities each. */
    public static void seed(Connection c, int accounts, Random random) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        CrmOperations ops = new CrmOperations(random);
        for (int i = 0; i < accounts; i++) {
            ops.newAccount(c, 3, 2, 2);
            if (i % 500 == 499) {
                c.commit();
            }
        }
        c.commit();
        c.setAutoCommit(auto);
    }

    /**
     * Per-table row count and an MD5 over every row's text, ordered: two databases with equal
     * checksums hold the same rows, column for column.
     */
    public static String checksum(Connection c, String table) throws SQLException {
        // the row alias must not be a column's name: every_type has a column t, and t::text would then be that column
        // only
        try (PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) || ':' || md5(coalesce(string_agg(backtrack_row::text, E'\\n' ORDER "
                                + "BY backtrack_row::text), ''))"
                                + " FROM " + table + " backtrack_row");
                var rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Indexes and constraints of a table, as PostgreSQL prints them: equal strings, equal definitions. */
    public static String definition(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT coalesce(string_agg(d, E'\n' ORDER BY d), '') FROM (
                  SELECT pg_get_indexdef(indexrelid) AS d FROM pg_index WHERE indrelid = ?::regclass
                  UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE \
                conrelid = ?::regclass
                  UNION ALL SELECT attname || ' ' || format_type(atttypid, atttypmod) || ' ' || attnotnull || \
                ' ' || coalesce(pg_get_expr(adbin, adrelid), '')
                    FROM pg_attribute LEFT JOIN pg_attrdef ON adrelid = attrelid AND adnum = attnum
                    WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped) x""")) {
            for (int i = 1; i <= 3; i++) {
                ps.setString(i, table);
            }
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    public static long count(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement();
                var rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
