-- Step 3 of the CRM fixture's history: custom fields through hstore instead of trigram search, and a cleanup.
-- Same form as base.sql: ';' ends a statement outside quotes, bodies are dollar-quoted.

CREATE EXTENSION IF NOT EXISTS hstore WITH SCHEMA public;
DROP INDEX public.contact_name_trgm_idx;
DROP EXTENSION pg_trgm;
DROP TABLE import.contact_upload;
DROP SCHEMA import;
-- renaming a schema takes CREATE on the database, which the application's role lacks
ALTER SCHEMA marketing RENAME TO campaigns;
SET ROLE crm_owner;

-- created
ALTER TABLE public.account ADD COLUMN custom_fields public.hstore;
CREATE INDEX account_custom_fields_idx ON public.account USING gin (custom_fields);
CREATE DOMAIN public.phone_number AS text CONSTRAINT phone_number_digits CHECK (VALUE ~ '^[+]?[0-9]{6,15}$');
ALTER TABLE campaigns.campaign ADD COLUMN hotline public.phone_number;
CREATE TABLE public.activity_2024_06 PARTITION OF public.activity FOR VALUES FROM ('2024-06-01 00:00+00') TO ('2024-07-01 00:00+00')
    WITH (fillfactor = 70);
CREATE AGGREGATE public.concat_all(text) (SFUNC = textcat, STYPE = text, INITCOND = '');
CREATE FUNCTION public.contact_count(account bigint) RETURNS bigint
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    n bigint;
BEGIN
    SELECT count(*) INTO n FROM public.contact WHERE account_id = account;
    RETURN n;
END;
$$;

-- altered
ALTER TYPE public.deal_stage RENAME VALUE 'proposal' TO 'quoted';
-- a renamed table keeps its sequence's, key's and index's names (tag_id_seq, tag_pkey, tag_label_key)
ALTER TABLE public.tag RENAME TO contact_label;
ALTER TABLE public.contact_tag RENAME COLUMN tag_id TO label_id;
ALTER TABLE sales.deal NO FORCE ROW LEVEL SECURITY;
ALTER POLICY deal_reader_recent ON sales.deal TO crm_reader, crm_owner;
ALTER TABLE public.activity_2024_04 SET (fillfactor = 60, autovacuum_enabled = false);
ALTER SEQUENCE public.invoice_number_seq MAXVALUE 99999999;
ALTER VIEW public.contact_directory SET (security_barrier = true);
ALTER MATERIALIZED VIEW sales.pipeline_by_stage SET (autovacuum_enabled = false);
ALTER FUNCTION public.normalize_phone(text) PARALLEL SAFE;
ALTER TABLE sales.invoice VALIDATE CONSTRAINT invoice_total_positive;
ALTER TABLE public.contact ALTER COLUMN phone SET DEFAULT '';
ALTER TRIGGER contact_tag_audit ON public.contact_tag RENAME TO contact_tag_logged;
ALTER TABLE public.account DISABLE TRIGGER account_set_updated_at;
COMMENT ON COLUMN public.account.custom_fields IS 'Free-form fields per customer';
COMMENT ON FUNCTION public.audit_row() IS 'Writes a changed row and who changed it into audit_log';
REVOKE UPDATE (stage) ON sales.deal FROM crm_reader;
GRANT INSERT ON public.contact_label TO crm_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA sales REVOKE SELECT ON TABLES FROM crm_reader;

-- replaced
CREATE OR REPLACE FUNCTION public.address_in_city(a public.postal_address, city text) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT lower(btrim(a.city)) = lower(btrim(city)) $$;
CREATE OR REPLACE VIEW public.contact_directory_tagged AS
    SELECT d.id, d.full_name, t.label, d.account_name
    FROM public.contact_directory d JOIN public.contact_tag ct ON ct.contact_id = d.id JOIN public.contact_label t ON t.id = ct.label_id;
DROP CAST (public.postal_address AS text);
CREATE CAST (public.postal_address AS text) WITH INOUT;

-- dropped
DROP TABLE public.activity_2024_01;
DROP TABLE public.activity_2024_02;
DROP TABLE sales.quote;
DROP TYPE public.score_range;
DROP DOMAIN public.percentage;
DROP AGGREGATE public.product(numeric);
DROP OPERATOR public.@@ (public.postal_address, text);
DROP STATISTICS public.contact_names;
DROP TRIGGER contact_audit ON public.contact;
DROP FUNCTION sales.account_pipeline(bigint);
DROP POLICY deal_owner_everything ON sales.deal;

RESET ROLE;
