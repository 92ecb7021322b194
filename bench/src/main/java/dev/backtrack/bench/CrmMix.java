package dev.backtrack.bench;

import dev.backtrack.cli.demo.CrmSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The CRM-shaped workload of the PITR benchmark, beside pgbench's TPC-B in the same database: the
 * demo's CRM schema (wide contact rows with jsonb profiles, notes of ~2.6 KB that PostgreSQL stores
 * out of line in TOAST, enum stages, numeric amounts) seeded in SQL, and two pgbench scripts:
 * {@code crm_touch} changes a contact without its notes (so the TOASTed value arrives unchanged),
 * a deal and logs an activity; {@code crm_notes} rewrites a contact's notes and adds a contact.
 */
final class CrmMix {
    /** pgbench weights: tpcb-like 5, crm_touch 4, crm_notes 1. */
    static final int TPCB_WEIGHT = 5, TOUCH_WEIGHT = 4, NOTES_WEIGHT = 1;
    /** Row changes per transaction of each script: TPC-B 4, crm_touch 3, crm_notes 2. */
    static final double ROW_CHANGES_PER_TX = (TPCB_WEIGHT * 4 + TOUCH_WEIGHT * 3 + NOTES_WEIGHT * 2)
            / (double) (TPCB_WEIGHT + TOUCH_WEIGHT + NOTES_WEIGHT);

    // 80 md5 strings: 2,639 characters of hex that pglz cannot shrink by the 25 % it needs, so the value goes out of
    // line
    private static String notes(String seed) {
        return "(SELECT string_agg(md5(" + seed + " || ':' || i), ' ') FROM generate_series(1, 80) i)";
    }

    private CrmMix() {}

    /**
     * Creates and fills the CRM tables: {@code accounts} accounts, three contacts, two deals and two activities each.
     */
    static void seed(Connection c, int accounts) throws SQLException {
        CrmSchema.create(c);
        try (Statement st = c.createStatement()) {
            st.execute("""
                    INSERT INTO accounts (name, domain, industry, employees, annual_revenue, tags, created_at)
                    SELECT 'Account ' || g, 'acct' || g || '.example.com', (ARRAY['software', 'retail', \
                    'health', 'finance'])[1 + g % 4],
                      10 + g % 5000, (g * 137.25)::numeric(14,2), ARRAY['t' || g % 7, 'region-' || g % 5], \
                    now() - make_interval(mins => g)
                    FROM generate_series(1, {N}) g""".replace("{N}", Integer.toString(accounts)));
            st.execute("""
                    INSERT INTO contacts (account_id, first_name, last_name, email, phone, birthday, score, \
                    external_id, profile, notes,
                      avatar, last_seen)
                    SELECT 1 + (g - 1) / 3, 'First' || g, 'Last' || g, 'c' || g || '@example.com', '+1-555-' \
                    || lpad((g % 10000)::text, 4, '0'),
                      DATE '1960-01-01' + g % 15000, (g % 100)::smallint, md5(g::text)::uuid,
                      jsonb_build_object('visits', g % 50, 'source', 'web', 'consent', g % 2 = 0, 'tags', \
                    jsonb_build_array('a' || g % 9, 'b' || g % 11)),
                      {NOTES}, decode(md5(g::text), 'hex'), now() - make_interval(hours => g % 1000)
                    FROM generate_series(1, {N}) \
                    g""".replace("{NOTES}", notes("g")).replace("{N}", Integer.toString(3 * accounts)));
            st.execute("""
                    INSERT INTO deals (account_id, contact_id, title, stage, amount, probability, close_date, custom)
                    SELECT 1 + (g - 1) / 2, 1 + ((g - 1) / 2) * 3, 'Deal ' || g, (ARRAY['lead', 'qualified', \
                    'proposal', 'won', 'lost']::deal_stage[])[1 + g % 5],
                      (g % 100000) * 10.5, (g % 100) / 100.0, DATE '2026-01-01' + g % 365, \
                    json_build_object('owner', 'rep' || g % 40)
                    FROM generate_series(1, {N}) g""".replace("{N}", Integer.toString(2 * accounts)));
            st.execute("""
                    INSERT INTO activities (account_id, kind, happened_at, detail)
                    SELECT 1 + (g - 1) / 2, (ARRAY['call', 'email', 'meeting'])[1 + g % 3], now() - \
                    make_interval(secs => g), 'note ' || md5(g::text)
                    FROM generate_series(1, {N}) g""".replace("{N}", Integer.toString(2 * accounts)));
            st.execute("VACUUM ANALYZE");
        }
    }

    /**
     * Writes the two pgbench scripts into {@code dir} (readable by the postgres user); returns pgbench's script
     * arguments.
     */
    static List<String> scripts(Path dir) throws IOException {
        Path touch = dir.resolve("crm_touch.sql");
        Files.writeString(touch, """
                \\set cid random(1, 3 * :accounts)
                \\set did random(1, 2 * :accounts)
                \\set aid random(1, :accounts)
                BEGIN;
                UPDATE contacts SET score = (:cid % 100)::smallint, updated_at = now(), last_seen = now()::timestamp,
                  profile = jsonb_set(profile, '{visits}', to_jsonb(coalesce((profile->>'visits')::int, 0) + \
                1)) WHERE id = :cid;
                UPDATE deals SET amount = amount + 1, probability = random() WHERE id = :did;
                INSERT INTO activities (account_id, kind, happened_at, detail) VALUES (:aid, 'call', now(), \
                'called contact ' || :cid);
                END;
                """);
        Path notes = dir.resolve("crm_notes.sql");
        Files.writeString(notes, """
                \\set cid random(1, 3 * :accounts)
                \\set aid random(1, :accounts)
                BEGIN;
                UPDATE contacts SET notes = {NOTES}, updated_at = now() WHERE id = :cid;
                INSERT INTO contacts (account_id, first_name, last_name, email, profile, notes)
                  VALUES (:aid, 'New', 'Contact', 'new' || :cid || '@example.com', '{"visits": 0, "source": \
                "import"}', {NOTES});
                END;
                """.replace("{NOTES}", notes("random()")));
        return List.of(
                "-b", "tpcb-like@" + TPCB_WEIGHT, "-f", touch + "@" + TOUCH_WEIGHT, "-f", notes + "@" + NOTES_WEIGHT);
    }
}
