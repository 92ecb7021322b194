-- Step 2 of the CRM fixture's history: quotes, a reporting rework and partition maintenance.
-- Same form as base.sql: ';' ends a statement outside quotes, bodies are dollar-quoted.

CREATE SCHEMA import AUTHORIZATION crm_owner;
SET ROLE crm_owner;

-- created
CREATE TABLE import.contact_upload (
    line integer PRIMARY KEY,
    raw jsonb NOT NULL,
    loaded_at timestamp with time zone DEFAULT now()
);
CREATE TYPE public.score_range AS RANGE (subtype = integer);
CREATE DOMAIN public.percentage AS numeric(5,2) CONSTRAINT percentage_range CHECK (VALUE BETWEEN 0 AND 100);
CREATE SEQUENCE sales.quote_number_seq AS integer START WITH 100 INCREMENT BY 10;
CREATE TABLE sales.quote (
    number integer PRIMARY KEY DEFAULT nextval('sales.quote_number_seq'),
    deal_id bigint NOT NULL REFERENCES sales.deal (id) ON DELETE CASCADE,
    discount public.percentage,
    lead_score public.score_range,
    valid_until date
);
ALTER SEQUENCE sales.quote_number_seq OWNED BY sales.quote.number;
-- a partition made on its own and attached afterwards
CREATE TABLE public.activity_2024_05 (LIKE public.activity INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE public.activity ATTACH PARTITION public.activity_2024_05 FOR VALUES FROM ('2024-05-01 00:00+00') TO ('2024-06-01 00:00+00');
CREATE VIEW public.contact_directory_tagged AS
    SELECT d.id, d.full_name, t.label
    FROM public.contact_directory d JOIN public.contact_tag ct ON ct.contact_id = d.id JOIN public.tag t ON t.id = ct.tag_id;
CREATE MATERIALIZED VIEW sales.pipeline_by_stage AS
    SELECT stage, currency, count(*) AS deals, sum(amount) AS amount FROM sales.deal GROUP BY stage, currency
    WITH DATA;
CREATE UNIQUE INDEX pipeline_by_stage_key ON sales.pipeline_by_stage (stage, currency);
CREATE PROCEDURE sales.archive_lost_deals(keep interval)
    LANGUAGE plpgsql
    AS $$
BEGIN
    DELETE FROM sales.deal WHERE stage = 'lost' AND updated_at < now() - keep;
    COMMIT;
END;
$$;
CREATE TRIGGER contact_tag_audit AFTER INSERT OR DELETE ON public.contact_tag FOR EACH ROW EXECUTE FUNCTION public.audit_row();
CREATE RULE audit_log_no_delete AS ON DELETE TO public.audit_log DO INSTEAD NOTHING;
CREATE POLICY deal_reader_recent ON sales.deal FOR SELECT TO crm_reader USING (created_at > now() - interval '1 year');
CREATE STATISTICS public.contact_names (ndistinct) ON first_name, last_name FROM public.contact;

-- altered
ALTER TYPE public.postal_address ADD ATTRIBUTE region text;
ALTER TABLE public.account ALTER COLUMN id SET INCREMENT BY 5;
ALTER TABLE sales.invoice ADD CONSTRAINT invoice_total_positive CHECK ((total)::numeric > 0) NOT VALID;
ALTER TABLE public.activity DETACH PARTITION public.activity_2024_01;
ALTER TABLE public.contact ENABLE TRIGGER contact_audit;
ALTER TABLE sales.invoice ENABLE ALWAYS TRIGGER invoice_audit;
ALTER POLICY deal_owner_all ON sales.deal RENAME TO deal_owner_everything;
ALTER DOMAIN public.money_amount DROP CONSTRAINT money_amount_non_negative;
ALTER DOMAIN public.money_amount ADD CONSTRAINT money_amount_in_range CHECK (VALUE >= 0 AND VALUE < 1000000000);
ALTER STATISTICS sales.deal_stage_currency SET STATISTICS 500;
ALTER INDEX sales.invoice_deal_idx RENAME TO invoice_by_deal_idx;
ALTER TABLE public.contact ALTER COLUMN first_name SET STATISTICS 200;
COMMENT ON VIEW public.contact_directory IS 'Contacts with their account and phone';
COMMENT ON PROCEDURE sales.archive_lost_deals(interval) IS 'Deletes lost deals older than keep';
GRANT UPDATE (stage) ON sales.deal TO crm_reader;
REVOKE SELECT ON public.contact_directory FROM crm_reader;

-- replaced
CREATE OR REPLACE FUNCTION sales.account_pipeline(account bigint) RETURNS numeric
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(sum(amount), 0) FROM sales.deal WHERE account_id = account AND stage IN ('lead', 'qualified', 'proposal', 'negotiation') $$;
CREATE OR REPLACE FUNCTION public.audit_row() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
BEGIN
    INSERT INTO public.audit_log (table_name, operation, row_data)
    VALUES (TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, TG_OP,
            jsonb_build_object('row', CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END,
                               'by', session_user));
    RETURN NULL;
END;
$$;

-- dropped
ALTER TABLE sales.deal DROP COLUMN discount_band;
DROP TYPE public.price_band;
DROP MATERIALIZED VIEW sales.account_revenue;
DROP PROCEDURE sales.close_stale_deals(interval);
DROP RULE audit_log_no_update ON public.audit_log;
DROP POLICY deal_reader_open ON sales.deal;

RESET ROLE;
