-- Installed by the agent (needs a superuser) in schema backtrack. ${PUBLICATION}, ${INCLUDE} and
-- ${EXCLUDE} are filled in by the agent. Every DDL on a table writes the table's new definition into
-- the change stream as a transactional logical decoding message, so the log knows each table as it
-- was at every position; new tables that the agent captures join its publication.
-- the triggers an earlier start installed skip this script's own statements (each would read every definition)
SET backtrack.installing = 'on';
CREATE SCHEMA IF NOT EXISTS backtrack;

CREATE OR REPLACE FUNCTION backtrack.table_definition(oid) RETURNS jsonb LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $def$
${TABLE_DEFINITION}
$def$;

${OBJECT_DEFINITIONS}

-- What the last recorded definitions were (a hash per object), so each DDL logs only what it changed.
CREATE TABLE IF NOT EXISTS backtrack.object_state (key text PRIMARY KEY, hash text NOT NULL, kind text, name text, drop_sql text);

-- Logs the object definitions that differ from object_state (all of them when full) as one
-- transactional message (docs/FORMAT.md "Object definitions"), and remembers them. Returns the
-- tables whose own entry changed (attached, detached, ...): their definitions may have too.
DROP FUNCTION IF EXISTS backtrack.record_objects(boolean);
CREATE FUNCTION backtrack.record_objects(full_set boolean) RETURNS oid[] LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  changed jsonb;
  dropped jsonb;
BEGIN
  WITH cur AS MATERIALIZED (SELECT d.key, d.def, md5(d.def::text) AS hash FROM backtrack.object_definitions() d),
  diff AS (SELECT c.* FROM cur c LEFT JOIN backtrack.object_state s ON s.key = c.key WHERE full_set OR s.hash IS DISTINCT FROM c.hash),
  gone AS (DELETE FROM backtrack.object_state s WHERE NOT EXISTS (SELECT 1 FROM cur c WHERE c.key = s.key) RETURNING s.*),
  saved AS (INSERT INTO backtrack.object_state AS s (key, hash, kind, name, drop_sql)
            SELECT key, hash, def->>'kind', def->>'name', def->>'drop' FROM diff
            ON CONFLICT (key) DO UPDATE SET hash = excluded.hash, kind = excluded.kind, name = excluded.name, drop_sql = excluded.drop_sql)
  -- (a data-modifying WITH runs whether or not the query reads it)
  SELECT (SELECT jsonb_agg(def ORDER BY key) FROM diff),
         (SELECT jsonb_agg(jsonb_build_object('key', key, 'kind', kind, 'name', name, 'drop', drop_sql) ORDER BY key) FROM gone)
    INTO changed, dropped;
  IF full_set OR changed IS NOT NULL OR dropped IS NOT NULL THEN
    -- the statement too, for a migration to replay (a definition alone cannot say ALTER TYPE ... ADD ATTRIBUTE)
    PERFORM pg_logical_emit_message(true, 'backtrack.objects', jsonb_build_object('full', full_set,
      'query', CASE WHEN full_set THEN NULL ELSE current_query() END,
      'objects', coalesce(changed, '[]'::jsonb), 'dropped', CASE WHEN full_set THEN '[]'::jsonb ELSE coalesce(dropped, '[]'::jsonb) END)::text);
  END IF;
  RETURN ARRAY(SELECT substr(o->>'key', 10)::oid FROM jsonb_array_elements(coalesce(changed, '[]'::jsonb)) o WHERE o->>'kind' = 'table');
END
$fn$;

CREATE OR REPLACE FUNCTION backtrack.captured(rel oid) RETURNS boolean LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $cap$
  SELECT n.nspname <> 'backtrack' AND c.relkind IN ('r', 'p')
     AND (cardinality(${INCLUDE}::text[]) = 0 OR EXISTS (SELECT 1 FROM unnest(${INCLUDE}::text[]) p WHERE n.nspname || '.' || c.relname ~ ('^(' || p || ')$')))
     AND NOT EXISTS (SELECT 1 FROM unnest(${EXCLUDE}::text[]) p WHERE n.nspname || '.' || c.relname ~ ('^(' || p || ')$'))
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = rel
$cap$;

-- A DDL that rewrites a table (a volatile default, a type change with USING or to a date/time type)
-- computes values the change stream never carries. The table_rewrite trigger notes the table; once
-- the DDL is done, capture_ddl writes its rows, as rewritten, into the stream in the same transaction.
CREATE OR REPLACE FUNCTION backtrack.note_rewrite() RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
  PERFORM set_config('backtrack.rewritten',
    coalesce(nullif(current_setting('backtrack.rewritten', true), ''), '') || ' ' || pg_event_trigger_table_rewrite_oid()::text, true);
END
$fn$;

-- Every column as text in fixed output styles (the function's own settings), NULL for generated ones.
CREATE OR REPLACE FUNCTION backtrack.emit_rows(rel oid) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET datestyle = 'ISO, YMD' SET timezone = 'UTC' SET intervalstyle = 'postgres'
SET bytea_output = 'hex' SET extra_float_digits = 1 AS $fn$
DECLARE
  cols text;
  r record;
  chunk jsonb := '[]';
  n int := 0;
  first boolean := true;
BEGIN
  -- through the type's output function, not a cast to text: the schema may define its own cast (a composite type to text)
  SELECT string_agg(CASE WHEN a.attgenerated <> '' THEN 'NULL::text'
                         ELSE format('pg_catalog.textin(%I.%I(%I))', pn.nspname, p.proname, a.attname) END, ', ' ORDER BY a.attnum)
    INTO cols FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid JOIN pg_proc p ON p.oid = ty.typoutput
    JOIN pg_namespace pn ON pn.oid = p.pronamespace
   WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped;
  FOR r IN EXECUTE format('SELECT ARRAY[%s] AS v FROM ONLY %s', cols, rel::regclass) LOOP
    chunk := chunk || jsonb_build_array(to_jsonb(r.v));
    n := n + 1;
    IF n = 1000 THEN
      PERFORM pg_logical_emit_message(true, 'backtrack.rows', jsonb_build_object('relationId', rel::bigint, 'first', first, 'rows', chunk)::text);
      chunk := '[]';
      n := 0;
      first := false;
    END IF;
  END LOOP;
  IF n > 0 OR first THEN
    PERFORM pg_logical_emit_message(true, 'backtrack.rows', jsonb_build_object('relationId', rel::bigint, 'first', first, 'rows', chunk)::text);
  END IF;
END
$fn$;

-- The captured tables with a column holding a value of this type: directly, or in an array, domain,
-- range or composite type made of it. ALTER TYPE on a composite type changes the text of those values
-- (an attribute added or dropped) without rewriting the tables, so their rows are logged again.
CREATE OR REPLACE FUNCTION backtrack.tables_using(typ oid) RETURNS oid[] LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $fn$
  WITH RECURSIVE made_of(part, whole) AS (
    SELECT typelem, oid FROM pg_type WHERE typcategory = 'A' AND typelem <> 0
    UNION ALL SELECT typbasetype, oid FROM pg_type WHERE typtype = 'd'
    UNION ALL SELECT rngsubtype, rngtypid FROM pg_range
    UNION ALL SELECT rngtypid, rngmultitypid FROM pg_range
    UNION ALL SELECT a.atttypid, c.reltype FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
              WHERE c.relkind = 'c' AND a.attnum > 0 AND NOT a.attisdropped),
  types(oid) AS (SELECT typ UNION SELECT m.whole FROM types t JOIN made_of m ON m.part = t.oid)
  -- ordinary tables only: a partitioned table holds no rows of its own, its partitions are listed
  SELECT ARRAY(SELECT DISTINCT a.attrelid FROM pg_attribute a JOIN types t ON t.oid = a.atttypid JOIN pg_class c ON c.oid = a.attrelid
               WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND backtrack.captured(a.attrelid))
$fn$;

CREATE OR REPLACE FUNCTION backtrack.capture_ddl() RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  r record;
  rels oid[] := '{}';
  rel oid;
  defs jsonb := '[]';
  rewritten oid[];
  joined oid[] := '{}';
  retyped oid[] := '{}';
BEGIN
  IF current_setting('backtrack.installing', true) = 'on' THEN
    RETURN;
  END IF;
  FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
    IF r.classid = 'pg_class'::regclass THEN
      rels := rels || coalesce((SELECT indrelid FROM pg_index WHERE indexrelid = r.objid), r.objid);
      IF r.object_type LIKE 'composite type%' THEN
        retyped := retyped || backtrack.tables_using((SELECT reltype FROM pg_class WHERE oid = r.objid));
      END IF;
    ELSIF r.classid = 'pg_constraint'::regclass THEN
      rels := rels || (SELECT conrelid FROM pg_constraint WHERE oid = r.objid);
    ELSIF r.classid = 'pg_type'::regclass THEN
      rels := rels || ARRAY(SELECT DISTINCT a.attrelid FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                            WHERE (a.atttypid = r.objid OR t.typelem = r.objid) AND a.attnum > 0 AND NOT a.attisdropped);
    END IF;
  END LOOP;
  BEGIN
    rels := rels || backtrack.record_objects(false);
  EXCEPTION WHEN OTHERS THEN
    -- the tables' definitions still count; the objects are compared again at the next DDL
    RAISE WARNING 'backtrack could not record the object definitions this DDL changed: %', SQLERRM;
  END;
  -- a DDL on a partitioned table changes its partitions too
  FOR rel IN SELECT x FROM unnest(rels) x WHERE x IS NOT NULL
             UNION SELECT t.relid FROM unnest(rels) x, LATERAL pg_partition_tree(x) t WHERE x IS NOT NULL LOOP
    IF backtrack.captured(rel) THEN
      defs := defs || jsonb_build_array(backtrack.table_definition(rel));
      -- a table joins the publication once its updates and deletes can be published (a key, or REPLICA IDENTITY FULL);
      -- a partitioned table holds no rows of its own: its partitions join
      IF (SELECT relkind FROM pg_class WHERE oid = rel) = 'r' AND NOT EXISTS (SELECT 1 FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid
                     WHERE p.pubname = ${PUBLICATION} AND pr.prrelid = rel)
         AND EXISTS (SELECT 1 FROM pg_publication WHERE pubname = ${PUBLICATION})
         AND (EXISTS (SELECT 1 FROM pg_index WHERE indrelid = rel AND indisprimary)
              OR (SELECT relreplident FROM pg_class WHERE oid = rel) = 'f') THEN
        EXECUTE format('ALTER PUBLICATION %I ADD TABLE %s', ${PUBLICATION}, rel::regclass);
        -- rows it holds already (CREATE TABLE AS, or rows from before it got a key) are logged with it
        joined := joined || rel;
      END IF;
    END IF;
  END LOOP;
  IF jsonb_array_length(defs) > 0 THEN
    PERFORM pg_logical_emit_message(true, 'backtrack.ddl',
      jsonb_build_object('tag', TG_TAG, 'query', current_query(), 'tables', defs)::text);
  END IF;
  rewritten := string_to_array(trim(coalesce(current_setting('backtrack.rewritten', true), '')), ' ')::oid[] || joined || retyped;
  IF cardinality(rewritten) > 0 THEN
    PERFORM set_config('backtrack.rewritten', '', true);
    FOR rel IN SELECT DISTINCT x FROM unnest(rewritten) x LOOP
      IF backtrack.captured(rel) THEN
        PERFORM backtrack.emit_rows(rel);
      END IF;
    END LOOP;
  END IF;
EXCEPTION WHEN OTHERS THEN
  -- never fail the application's DDL; the agent falls back to re-reading the catalog
  RAISE WARNING 'backtrack could not record this DDL: %', SQLERRM;
END
$fn$;

CREATE OR REPLACE FUNCTION backtrack.capture_drop() RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  dropped jsonb;
BEGIN
  SELECT jsonb_agg(jsonb_build_object('type', object_type, 'relationId', objid::bigint, 'schema', schema_name,
                                      'name', object_name, 'identity', object_identity))
    INTO dropped FROM pg_event_trigger_dropped_objects()
   -- a table dropped along with another (a partition with its partitioned table, CASCADE) ends too
   WHERE (original AND object_type IN ('index', 'table constraint')) OR object_type = 'table';
  IF dropped IS NOT NULL THEN
    PERFORM pg_logical_emit_message(true, 'backtrack.drop', jsonb_build_object('tag', TG_TAG, 'query', current_query(), 'objects', dropped)::text);
  END IF;
END
$fn$;

DROP EVENT TRIGGER IF EXISTS backtrack_ddl;
CREATE EVENT TRIGGER backtrack_ddl ON ddl_command_end EXECUTE FUNCTION backtrack.capture_ddl();
DROP EVENT TRIGGER IF EXISTS backtrack_rewrite;
CREATE EVENT TRIGGER backtrack_rewrite ON table_rewrite EXECUTE FUNCTION backtrack.note_rewrite();
DROP EVENT TRIGGER IF EXISTS backtrack_drop;
CREATE EVENT TRIGGER backtrack_drop ON sql_drop EXECUTE FUNCTION backtrack.capture_drop();
RESET backtrack.installing;
