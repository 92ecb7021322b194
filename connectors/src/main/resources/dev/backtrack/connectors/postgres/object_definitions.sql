-- Every object of the captured schemas that pg_dump would dump, except the rows and the table
-- versions Backtrack keeps on their own (columns, keys, indexes and constraints of captured tables):
-- one row per object, (key, definition as jsonb). Installed in ${S}: schema backtrack for the DDL
-- event trigger, or pg_temp when the agent reads the catalog itself. ${INCLUDE}/${EXCLUDE} are the
-- table patterns. The jsonb is what dev.backtrack.repository.objects.ObjectDefinition reads. The
-- helpers have no search_path of their own so the planner inlines them into object_definitions, which
-- sets it (a SQL function that is not inlined is planned again at every call: 0.6 s for 35 objects).

-- GRANT statements that give an object exactly the privileges of acl (NULL: the defaults, nothing to do).
CREATE OR REPLACE FUNCTION ${S}.acl_sql(target text, acl aclitem[], owner oid, columns text DEFAULT NULL) RETURNS jsonb
LANGUAGE sql STABLE AS $fn$
  SELECT CASE WHEN acl IS NULL THEN '[]'::jsonb ELSE
    CASE WHEN columns IS NULL THEN jsonb_build_array(
      format('REVOKE ALL ON %s FROM PUBLIC', target),
      format('REVOKE ALL ON %s FROM %I', target, pg_get_userbyid(owner))) ELSE '[]'::jsonb END
    || coalesce((SELECT jsonb_agg(format('GRANT %s%s ON %s TO %s%s', g.privs, coalesce(' (' || columns || ')', ''), target,
                                         CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(g.grantee)) END,
                                         CASE WHEN g.grantable THEN ' WITH GRANT OPTION' ELSE '' END) ORDER BY g.grantee, g.grantable)
                 FROM (SELECT x.grantee, x.is_grantable AS grantable, string_agg(x.privilege_type, ', ' ORDER BY x.privilege_type) AS privs
                       FROM aclexplode(acl) x GROUP BY x.grantee, x.is_grantable) g), '[]'::jsonb)
  END
$fn$;

-- The roles an object's privileges name (the restore checks that the target has them; its owner is ownerRole).
CREATE OR REPLACE FUNCTION ${S}.acl_roles(acl aclitem[]) RETURNS jsonb
LANGUAGE sql STABLE AS $fn$
  SELECT coalesce(jsonb_agg(DISTINCT pg_get_userbyid(x.grantee)), '[]'::jsonb) FROM aclexplode(acl) x WHERE x.grantee <> 0
$fn$;

CREATE OR REPLACE FUNCTION ${S}.comment_sql(target text, objoid oid, catalog regclass, sub int DEFAULT 0) RETURNS jsonb
LANGUAGE sql STABLE AS $fn$
  SELECT coalesce(jsonb_agg(format('COMMENT ON %s IS %L', target, d.description)), '[]'::jsonb)
  FROM pg_description d WHERE d.objoid = $2 AND d.classoid = $3 AND d.objsubid = $4
$fn$;

-- Whether an object is made by another: an extension's script, or the server along with its owner
-- (a range type's constructor functions and casts). pg_dump leaves these out too.
CREATE OR REPLACE FUNCTION ${S}.in_extension(catalog regclass, objoid oid) RETURNS boolean
LANGUAGE sql STABLE AS $fn$
  SELECT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = $1 AND d.objid = $2
                 AND (d.deptype = 'e' OR (d.deptype = 'i' AND $1 IN ('pg_proc'::regclass, 'pg_cast'::regclass))))
$fn$;

-- A table Backtrack captures (its rows are in the log): an ordinary or partitioned table matching the patterns.
CREATE OR REPLACE FUNCTION ${S}.captured_table(rel oid) RETURNS boolean
LANGUAGE sql STABLE AS $fn$
  SELECT n.nspname <> 'backtrack' AND c.relkind IN ('r', 'p') AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
     AND (cardinality(${INCLUDE}::text[]) = 0 OR EXISTS (SELECT 1 FROM unnest(${INCLUDE}::text[]) p WHERE n.nspname || '.' || c.relname ~ ('^(' || p || ')$')))
     AND NOT EXISTS (SELECT 1 FROM unnest(${EXCLUDE}::text[]) p WHERE n.nspname || '.' || c.relname ~ ('^(' || p || ')$'))
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = rel
$fn$;

-- The schemas whose objects are kept: every user schema when no table pattern is set, else those
-- holding a captured table, and those holding an extension.
CREATE OR REPLACE FUNCTION ${S}.captured_schemas() RETURNS TABLE (oid oid, nspname name)
LANGUAGE sql STABLE AS $fn$
  SELECT n.oid, n.nspname FROM pg_namespace n
  WHERE n.nspname NOT IN ('backtrack', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
    AND (cardinality(${INCLUDE}::text[]) = 0
         OR EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid AND ${S}.captured_table(c.oid))
         OR EXISTS (SELECT 1 FROM pg_extension e WHERE e.extnamespace = n.oid))
$fn$;

CREATE OR REPLACE FUNCTION ${S}.default_acl_objects(objtype "char") RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
  SELECT CASE objtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES' ELSE 'SCHEMAS' END
$fn$;

CREATE OR REPLACE FUNCTION ${S}.object_definitions() RETURNS TABLE (key text, def jsonb)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $fn$
SELECT u.key, u.def || jsonb_build_object('key', u.key) FROM (
WITH s AS (SELECT * FROM ${S}.captured_schemas()),
rel AS (
  -- qname as SQL writes it; tname as Backtrack's table versions name a table (schema.table, unquoted)
  SELECT c.*, format('%I.%I', n.nspname, c.relname) AS qname, n.nspname || '.' || c.relname AS tname, n.nspname
  FROM pg_class c JOIN s n ON n.oid = c.relnamespace
  WHERE NOT ${S}.in_extension('pg_class', c.oid)),
fn AS (
  SELECT p.*, n.nspname, p.oid::regprocedure::text AS sig,
         CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END AS word
  FROM pg_proc p JOIN s n ON n.oid = p.pronamespace
  WHERE NOT ${S}.in_extension('pg_proc', p.oid)),
typ AS (
  SELECT t.*, n.nspname, format('%I.%I', n.nspname, t.typname) AS qname
  FROM pg_type t JOIN s n ON n.oid = t.typnamespace
  WHERE NOT ${S}.in_extension('pg_type', t.oid) AND t.typtype IN ('e', 'c', 'r', 'd')
    AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
-- schemas
SELECT 'pg_namespace:' || n.oid, jsonb_build_object('kind', 'schema', 'name', quote_ident(n.nspname), 'schema', n.nspname, 'phase', 'pre', 'rank', 0,
  'create', jsonb_build_array(format('CREATE SCHEMA IF NOT EXISTS %I', n.nspname)),
  'drop', format('DROP SCHEMA IF EXISTS %I', n.nspname),
  'owner', format('ALTER SCHEMA %I OWNER TO %I', n.nspname, pg_get_userbyid(ns.nspowner)),
  'ownerRole', pg_get_userbyid(ns.nspowner),
  'acl', ${S}.acl_sql(format('SCHEMA %I', n.nspname), ns.nspacl, ns.nspowner),
  'comment', ${S}.comment_sql(format('SCHEMA %I', n.nspname), n.oid, 'pg_namespace'),
  'roles', ${S}.acl_roles(ns.nspacl))
FROM s n JOIN pg_namespace ns ON ns.oid = n.oid
UNION ALL
-- extensions (in the schema they were created in, at their version), before anything that uses them
SELECT 'pg_extension:' || e.oid, jsonb_build_object('kind', 'extension', 'name', quote_ident(e.extname), 'schema', n.nspname, 'phase', 'pre', 'rank', 1,
  'create', jsonb_build_array(format('CREATE EXTENSION IF NOT EXISTS %I WITH SCHEMA %I VERSION %L', e.extname, n.nspname, e.extversion)),
  'drop', format('DROP EXTENSION IF EXISTS %I', e.extname),
  'comment', ${S}.comment_sql(format('EXTENSION %I', e.extname), e.oid, 'pg_extension'),
  'extension', jsonb_build_object('name', e.extname, 'version', e.extversion))
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname <> 'plpgsql'
UNION ALL
-- collations
SELECT 'pg_collation:' || c.oid, jsonb_build_object('kind', 'collation', 'name', format('%I.%I', n.nspname, c.collname), 'schema', n.nspname, 'phase', 'pre', 'rank', 2,
  'create', jsonb_build_array(format('CREATE COLLATION %I.%I (provider = %s, locale = %L, deterministic = %s)', n.nspname, c.collname,
            CASE c.collprovider WHEN 'i' THEN 'icu' ELSE 'libc' END, coalesce(c.colliculocale, c.collcollate), CASE WHEN c.collisdeterministic THEN 'true' ELSE 'false' END)),
  'drop', format('DROP COLLATION IF EXISTS %I.%I', n.nspname, c.collname),
  'owner', format('ALTER COLLATION %I.%I OWNER TO %I', n.nspname, c.collname, pg_get_userbyid(c.collowner)),
  'ownerRole', pg_get_userbyid(c.collowner),
  'comment', ${S}.comment_sql(format('COLLATION %I.%I', n.nspname, c.collname), c.oid, 'pg_collation'),
  'roles', '[]'::jsonb)
FROM pg_collation c JOIN s n ON n.oid = c.collnamespace
WHERE NOT ${S}.in_extension('pg_collation', c.oid)
UNION ALL
-- enum, composite, range types and domains
SELECT 'pg_type:' || t.oid, jsonb_build_object('kind', CASE t.typtype WHEN 'd' THEN 'domain' ELSE 'type' END, 'name', t.qname, 'schema', t.nspname, 'phase', 'pre',
  'rank', CASE t.typtype WHEN 'e' THEN 3 WHEN 'r' THEN 3 ELSE 4 END,
  'create', CASE t.typtype
    WHEN 'e' THEN jsonb_build_array(format('CREATE TYPE %s AS ENUM (%s)', t.qname,
         (SELECT coalesce(string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder), '') FROM pg_enum e WHERE e.enumtypid = t.oid)))
    WHEN 'c' THEN jsonb_build_array(format('CREATE TYPE %s AS (%s)', t.qname,
         (SELECT coalesce(string_agg(format('%I %s%s', a.attname, format_type(a.atttypid, a.atttypmod),
                   CASE WHEN a.attcollation <> 0 AND a.attcollation <> ty.typcollation THEN ' COLLATE ' || a.attcollation::regcollation::text ELSE '' END), ', ' ORDER BY a.attnum), '')
          FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)))
    WHEN 'r' THEN (SELECT jsonb_build_array(format('CREATE TYPE %s AS RANGE (SUBTYPE = %s%s%s%s%s, MULTIRANGE_TYPE_NAME = %s)', t.qname,
         format_type(r.rngsubtype, NULL),
         CASE WHEN r.rngsubopc <> (SELECT o.oid FROM pg_opclass o JOIN pg_am am ON am.oid = o.opcmethod WHERE am.amname = 'btree' AND o.opcintype = r.rngsubtype AND o.opcdefault LIMIT 1)
              THEN ', SUBTYPE_OPCLASS = ' || (SELECT format('%I.%I', on2.nspname, o.opcname) FROM pg_opclass o JOIN pg_namespace on2 ON on2.oid = o.opcnamespace WHERE o.oid = r.rngsubopc) ELSE '' END,
         CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> (SELECT typcollation FROM pg_type WHERE oid = r.rngsubtype) THEN ', COLLATION = ' || r.rngcollation::regcollation::text ELSE '' END,
         CASE WHEN r.rngcanonical <> 0 THEN ', CANONICAL = ' || r.rngcanonical::regproc::text ELSE '' END,
         CASE WHEN r.rngsubdiff <> 0 THEN ', SUBTYPE_DIFF = ' || r.rngsubdiff::regproc::text ELSE '' END,
         r.rngmultitypid::regtype::text)) FROM pg_range r WHERE r.rngtypid = t.oid)
    ELSE jsonb_build_array(format('CREATE DOMAIN %s AS %s%s%s%s', t.qname, format_type(t.typbasetype, t.typtypmod),
         CASE WHEN t.typcollation <> 0 AND t.typcollation <> (SELECT typcollation FROM pg_type WHERE oid = t.typbasetype) THEN ' COLLATE ' || t.typcollation::regcollation::text ELSE '' END,
         coalesce(' DEFAULT ' || t.typdefault, ''), CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END))
         || coalesce((SELECT jsonb_agg(format('ALTER DOMAIN %s ADD CONSTRAINT %I %s', t.qname, k.conname, pg_get_constraintdef(k.oid)) ORDER BY k.conname)
                      FROM pg_constraint k WHERE k.contypid = t.oid), '[]'::jsonb)
  END,
  'drop', format('DROP %s IF EXISTS %s', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.qname),
  'owner', format('ALTER %s %s OWNER TO %I', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.qname, pg_get_userbyid(t.typowner)),
  'ownerRole', pg_get_userbyid(t.typowner),
  'acl', ${S}.acl_sql(format('%s %s', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.qname), t.typacl, t.typowner),
  'comment', ${S}.comment_sql(format('%s %s', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.qname), t.oid, 'pg_type')
     || coalesce((SELECT jsonb_agg(format('COMMENT ON CONSTRAINT %I ON DOMAIN %s IS %L', k.conname, t.qname, d.description))
                  FROM pg_constraint k JOIN pg_description d ON d.objoid = k.oid AND d.classoid = 'pg_constraint'::regclass WHERE k.contypid = t.oid), '[]'::jsonb)
     || coalesce((SELECT jsonb_agg(format('COMMENT ON COLUMN %s.%I IS %L', t.qname, a.attname, d.description))
                  FROM pg_attribute a JOIN pg_description d ON d.objoid = a.attrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
                  WHERE t.typtype = 'c' AND a.attrelid = t.typrelid), '[]'::jsonb),
  'roles', ${S}.acl_roles(t.typacl))
FROM typ t
UNION ALL
-- functions and procedures (their text as the server prints it), aggregates
SELECT 'pg_proc:' || f.oid, jsonb_build_object('kind', lower(f.word), 'name', f.sig, 'schema', f.nspname, 'phase', 'pre', 'rank', CASE WHEN f.prokind = 'a' THEN 6 ELSE 5 END,
  'create', CASE WHEN f.prokind = 'a' THEN (
      SELECT jsonb_build_array(format('CREATE AGGREGATE %I.%I(%s) (%s)', f.nspname, f.proname,
        CASE WHEN f.pronargs = 0 THEN '*' ELSE pg_get_function_arguments(f.oid) END,
        concat_ws(', ', 'SFUNC = ' || a.aggtransfn::regproc::text, 'STYPE = ' || format_type(a.aggtranstype, NULL),
          CASE WHEN a.aggtransspace <> 0 THEN 'SSPACE = ' || a.aggtransspace END,
          CASE WHEN a.aggfinalfn <> 0 THEN 'FINALFUNC = ' || a.aggfinalfn::regproc::text END,
          CASE WHEN a.aggfinalextra THEN 'FINALFUNC_EXTRA' END,
          CASE WHEN a.aggfinalfn <> 0 AND a.aggfinalmodify <> 'r' THEN 'FINALFUNC_MODIFY = ' || CASE a.aggfinalmodify WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END END,
          CASE WHEN a.aggcombinefn <> 0 THEN 'COMBINEFUNC = ' || a.aggcombinefn::regproc::text END,
          CASE WHEN a.aggserialfn <> 0 THEN 'SERIALFUNC = ' || a.aggserialfn::regproc::text END,
          CASE WHEN a.aggdeserialfn <> 0 THEN 'DESERIALFUNC = ' || a.aggdeserialfn::regproc::text END,
          CASE WHEN a.agginitval IS NOT NULL THEN 'INITCOND = ' || quote_literal(a.agginitval) END,
          CASE WHEN a.aggmtransfn <> 0 THEN 'MSFUNC = ' || a.aggmtransfn::regproc::text END,
          CASE WHEN a.aggminvtransfn <> 0 THEN 'MINVFUNC = ' || a.aggminvtransfn::regproc::text END,
          CASE WHEN a.aggmtranstype <> 0 THEN 'MSTYPE = ' || format_type(a.aggmtranstype, NULL) END,
          CASE WHEN a.aggmfinalfn <> 0 THEN 'MFINALFUNC = ' || a.aggmfinalfn::regproc::text END,
          CASE WHEN a.aggminitval IS NOT NULL THEN 'MINITCOND = ' || quote_literal(a.aggminitval) END,
          CASE WHEN a.aggsortop <> 0 THEN 'SORTOP = OPERATOR(' || a.aggsortop::regoper::text || ')' END,
          CASE f.proparallel WHEN 's' THEN 'PARALLEL = SAFE' WHEN 'r' THEN 'PARALLEL = RESTRICTED' END)))
      FROM pg_aggregate a WHERE a.aggfnoid = f.oid)
    ELSE jsonb_build_array(pg_get_functiondef(f.oid)) END,
  'drop', format('DROP %s IF EXISTS %s', f.word, f.sig),
  'owner', format('ALTER %s %s OWNER TO %I', f.word, f.sig, pg_get_userbyid(f.proowner)),
  'ownerRole', pg_get_userbyid(f.proowner),
  'acl', ${S}.acl_sql(format('%s %s', CASE WHEN f.prokind = 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, f.sig), f.proacl, f.proowner),
  'comment', ${S}.comment_sql(format('%s %s', f.word, f.sig), f.oid, 'pg_proc'),
  'roles', ${S}.acl_roles(f.proacl))
FROM fn f
UNION ALL
-- operators
SELECT 'pg_operator:' || o.oid, jsonb_build_object('kind', 'operator', 'name', o.oid::regoperator::text, 'schema', n.nspname, 'phase', 'pre', 'rank', 7,
  'create', jsonb_build_array(format('CREATE OPERATOR %I.%s (%s)', n.nspname, o.oprname, concat_ws(', ',
      'FUNCTION = ' || o.oprcode::regproc::text,
      CASE WHEN o.oprleft <> 0 THEN 'LEFTARG = ' || format_type(o.oprleft, NULL) END,
      CASE WHEN o.oprright <> 0 THEN 'RIGHTARG = ' || format_type(o.oprright, NULL) END,
      CASE WHEN o.oprcom <> 0 THEN 'COMMUTATOR = OPERATOR(' || (SELECT format('%I.%s', cn.nspname, co.oprname) FROM pg_operator co JOIN pg_namespace cn ON cn.oid = co.oprnamespace WHERE co.oid = o.oprcom) || ')' END,
      CASE WHEN o.oprnegate <> 0 THEN 'NEGATOR = OPERATOR(' || (SELECT format('%I.%s', cn.nspname, co.oprname) FROM pg_operator co JOIN pg_namespace cn ON cn.oid = co.oprnamespace WHERE co.oid = o.oprnegate) || ')' END,
      CASE WHEN o.oprrest <> 0 THEN 'RESTRICT = ' || o.oprrest::regproc::text END,
      CASE WHEN o.oprjoin <> 0 THEN 'JOIN = ' || o.oprjoin::regproc::text END,
      CASE WHEN o.oprcanhash THEN 'HASHES' END, CASE WHEN o.oprcanmerge THEN 'MERGES' END))),
  'drop', format('DROP OPERATOR IF EXISTS %s', o.oid::regoperator::text),
  'owner', format('ALTER OPERATOR %s OWNER TO %I', o.oid::regoperator::text, pg_get_userbyid(o.oprowner)),
  'ownerRole', pg_get_userbyid(o.oprowner),
  'comment', ${S}.comment_sql(format('OPERATOR %s', o.oid::regoperator::text), o.oid, 'pg_operator'),
  'roles', '[]'::jsonb)
FROM pg_operator o JOIN s n ON n.oid = o.oprnamespace
WHERE NOT ${S}.in_extension('pg_operator', o.oid)
UNION ALL
-- casts the schema defines (from, to or through one of its types or functions)
SELECT 'pg_cast:' || c.oid, jsonb_build_object('kind', 'cast', 'name', format('(%s AS %s)', format_type(c.castsource, NULL), format_type(c.casttarget, NULL)), 'phase', 'pre', 'rank', 8,
  'create', jsonb_build_array(format('CREATE CAST (%s AS %s) %s%s', format_type(c.castsource, NULL), format_type(c.casttarget, NULL),
      CASE c.castmethod WHEN 'f' THEN 'WITH FUNCTION ' || c.castfunc::regprocedure::text WHEN 'i' THEN 'WITH INOUT' ELSE 'WITHOUT FUNCTION' END,
      CASE c.castcontext WHEN 'a' THEN ' AS ASSIGNMENT' WHEN 'i' THEN ' AS IMPLICIT' ELSE '' END)),
  'drop', format('DROP CAST IF EXISTS (%s AS %s)', format_type(c.castsource, NULL), format_type(c.casttarget, NULL)),
  'comment', ${S}.comment_sql(format('CAST (%s AS %s)', format_type(c.castsource, NULL), format_type(c.casttarget, NULL)), c.oid, 'pg_cast'))
FROM pg_cast c
WHERE c.oid >= 16384 AND NOT ${S}.in_extension('pg_cast', c.oid)
  AND (EXISTS (SELECT 1 FROM pg_type t JOIN s ON s.oid = t.typnamespace WHERE t.oid IN (c.castsource, c.casttarget))
       OR EXISTS (SELECT 1 FROM pg_proc p JOIN s ON s.oid = p.pronamespace WHERE p.oid = c.castfunc))
UNION ALL
-- sequences: created before the tables; an identity column's own sequence gets its options once the table made it
SELECT 'pg_class:' || r.oid, jsonb_build_object('kind', 'sequence', 'name', r.qname, 'schema', r.nspname,
  -- a sequence a column owns belongs to that column's table: a restore that leaves the table out leaves it out too
  'table', (SELECT tn.nspname || '.' || tc.relname FROM pg_depend d JOIN pg_class tc ON tc.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
            WHERE d.classid = 'pg_class'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')),
  'phase', CASE WHEN ident.refobjid IS NULL THEN 'pre' ELSE 'table' END, 'rank', CASE WHEN ident.refobjid IS NULL THEN 9 ELSE 1 END,
  'create', jsonb_build_array(format('%s %s AS %s INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH %s CACHE %s %s',
      CASE WHEN ident.refobjid IS NULL THEN 'CREATE SEQUENCE IF NOT EXISTS' ELSE 'ALTER SEQUENCE' END, r.qname,
      format_type(q.seqtypid, NULL), q.seqincrement, q.seqmin, q.seqmax, q.seqstart, q.seqcache, CASE WHEN q.seqcycle THEN 'CYCLE' ELSE 'NO CYCLE' END)),
  -- the column it belongs to is made with the tables: once everything is made
  'after', coalesce((SELECT jsonb_build_array(format('ALTER SEQUENCE %s OWNED BY %s.%I', r.qname, d.refobjid::regclass::text, a.attname))
                 FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                 WHERE d.classid = 'pg_class'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a' AND ident.refobjid IS NULL), '[]'::jsonb),
  'drop', CASE WHEN ident.refobjid IS NULL THEN format('DROP SEQUENCE IF EXISTS %s', r.qname) END,
  'owner', format('ALTER SEQUENCE %s OWNER TO %I', r.qname, pg_get_userbyid(r.relowner)),
  'ownerRole', pg_get_userbyid(r.relowner),
  'acl', ${S}.acl_sql(format('SEQUENCE %s', r.qname), r.relacl, r.relowner),
  'comment', ${S}.comment_sql(format('SEQUENCE %s', r.qname), r.oid, 'pg_class'),
  'roles', ${S}.acl_roles(r.relacl))
FROM rel r JOIN pg_sequence q ON q.seqrelid = r.oid
LEFT JOIN pg_depend ident ON ident.classid = 'pg_class'::regclass AND ident.objid = r.oid AND ident.deptype = 'i'
WHERE r.relkind = 'S'
UNION ALL
-- what a table has beyond its columns, keys, indexes and constraints: partition bound, options, comments, ownership, privileges
SELECT 'pg_class:' || r.oid, jsonb_build_object('kind', 'table', 'name', r.qname, 'schema', r.nspname, 'table', r.tname, 'phase', 'table', 'rank', 0,
  'parent', (SELECT pn.nspname || '.' || pc.relname FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
             WHERE i.inhrelid = r.oid AND r.relispartition),
  'create', coalesce((SELECT jsonb_agg(format('ALTER TABLE ONLY %s ATTACH PARTITION %s %s', i.inhparent::regclass::text, r.qname, pg_get_expr(r.relpartbound, r.oid)))
                      FROM pg_inherits i WHERE i.inhrelid = r.oid AND r.relispartition), '[]'::jsonb)
    || coalesce((SELECT jsonb_agg(format('ALTER TABLE ONLY %s INHERIT %s', r.qname, i.inhparent::regclass::text) ORDER BY i.inhseqno)
                 FROM pg_inherits i WHERE i.inhrelid = r.oid AND NOT r.relispartition), '[]'::jsonb)
    || CASE WHEN r.relpersistence = 'u' THEN jsonb_build_array(format('ALTER TABLE %s SET UNLOGGED', r.qname)) ELSE '[]'::jsonb END
    || CASE WHEN r.reloptions IS NOT NULL THEN jsonb_build_array(format('ALTER TABLE ONLY %s SET (%s)', r.qname, array_to_string(r.reloptions, ', '))) ELSE '[]'::jsonb END
    || coalesce((SELECT jsonb_build_array(format('ALTER TABLE ONLY %s SET (%s)', r.qname,
                   (SELECT string_agg('toast.' || o, ', ') FROM unnest(tc.reloptions) o)))
                 FROM pg_class tc WHERE tc.oid = r.reltoastrelid AND tc.reloptions IS NOT NULL), '[]'::jsonb)
    || CASE r.relreplident WHEN 'f' THEN jsonb_build_array(format('ALTER TABLE ONLY %s REPLICA IDENTITY FULL', r.qname))
                           WHEN 'n' THEN jsonb_build_array(format('ALTER TABLE ONLY %s REPLICA IDENTITY NOTHING', r.qname)) ELSE '[]'::jsonb END
    || coalesce((SELECT jsonb_agg(x ORDER BY a.attnum, x) FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid,
                 LATERAL unnest(ARRAY[
                   CASE WHEN a.attstattarget >= 0 THEN format('ALTER TABLE ONLY %s ALTER COLUMN %I SET STATISTICS %s', r.qname, a.attname, a.attstattarget) END,
                   CASE WHEN a.attstorage <> ty.typstorage THEN format('ALTER TABLE ONLY %s ALTER COLUMN %I SET STORAGE %s', r.qname, a.attname,
                        CASE a.attstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL' WHEN 'm' THEN 'MAIN' ELSE 'EXTENDED' END) END,
                   CASE WHEN a.attcompression <> '' THEN format('ALTER TABLE ONLY %s ALTER COLUMN %I SET COMPRESSION %s', r.qname, a.attname,
                        CASE a.attcompression WHEN 'l' THEN 'lz4' ELSE 'pglz' END) END,
                   -- options named pg_* are the server's own bookkeeping, not settings (pg_dump leaves them out too)
                   (SELECT format('ALTER TABLE ONLY %s ALTER COLUMN %I SET (%s)', r.qname, a.attname, string_agg(o, ', '))
                    FROM unnest(a.attoptions) o WHERE o NOT LIKE 'pg\_%' HAVING count(*) > 0)]) x
                 WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped AND x IS NOT NULL), '[]'::jsonb),
  'after', coalesce((SELECT jsonb_agg(format('ALTER TABLE ONLY %s REPLICA IDENTITY USING INDEX %I', r.qname, ic.relname))
                     FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = r.oid AND i.indisreplident AND r.relreplident = 'i'), '[]'::jsonb)
    || coalesce((SELECT jsonb_agg(format('ALTER TABLE %s CLUSTER ON %I', r.qname, ic.relname))
                 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = r.oid AND i.indisclustered), '[]'::jsonb)
    || CASE WHEN r.relrowsecurity THEN jsonb_build_array(format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', r.qname)) ELSE '[]'::jsonb END
    || CASE WHEN r.relforcerowsecurity THEN jsonb_build_array(format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', r.qname)) ELSE '[]'::jsonb END,
  'owner', format('ALTER TABLE %s OWNER TO %I', r.qname, pg_get_userbyid(r.relowner)),
  'ownerRole', pg_get_userbyid(r.relowner),
  'acl', ${S}.acl_sql(format('TABLE %s', r.qname), r.relacl, r.relowner)
    || coalesce((SELECT jsonb_agg(g ORDER BY a.attnum) FROM pg_attribute a, LATERAL jsonb_array_elements_text(${S}.acl_sql(format('TABLE %s', r.qname), a.attacl, r.relowner, quote_ident(a.attname))) g
                 WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL), '[]'::jsonb),
  'comment', ${S}.comment_sql(format('TABLE %s', r.qname), r.oid, 'pg_class')
    || coalesce((SELECT jsonb_agg(format('COMMENT ON COLUMN %s.%I IS %L', r.qname, a.attname, d.description) ORDER BY a.attnum)
                 FROM pg_attribute a JOIN pg_description d ON d.objoid = r.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
                 WHERE a.attrelid = r.oid AND NOT a.attisdropped), '[]'::jsonb)
    || coalesce((SELECT jsonb_agg(format('COMMENT ON CONSTRAINT %I ON %s IS %L', k.conname, r.qname, d.description) ORDER BY k.conname)
                 FROM pg_constraint k JOIN pg_description d ON d.objoid = k.oid AND d.classoid = 'pg_constraint'::regclass WHERE k.conrelid = r.oid), '[]'::jsonb)
    || coalesce((SELECT jsonb_agg(format('COMMENT ON INDEX %s IS %L', i.indexrelid::regclass::text, d.description) ORDER BY 1)
                 FROM pg_index i JOIN pg_description d ON d.objoid = i.indexrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
                 WHERE i.indrelid = r.oid AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = r.oid)), '[]'::jsonb),
  'roles', ${S}.acl_roles(r.relacl)
     || coalesce((SELECT jsonb_agg(DISTINCT pg_get_userbyid(x.grantee)) FROM pg_attribute a, LATERAL aclexplode(a.attacl) x
                  WHERE a.attrelid = r.oid AND a.attacl IS NOT NULL AND x.grantee <> 0), '[]'::jsonb))
FROM rel r WHERE r.relkind IN ('r', 'p')
UNION ALL
-- views and materialized views (a materialized view is made empty and refreshed after the rows are loaded, as pg_restore does)
SELECT 'pg_class:' || r.oid, jsonb_build_object('kind', CASE r.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END, 'name', r.qname, 'schema', r.nspname,
  'phase', 'table', 'rank', CASE r.relkind WHEN 'v' THEN 2 ELSE 3 END,
  'create', CASE r.relkind
    WHEN 'v' THEN jsonb_build_array(format('CREATE OR REPLACE VIEW %s%s AS %s', r.qname,
                  coalesce(' WITH (' || array_to_string(r.reloptions, ', ') || ')', ''), rtrim(pg_get_viewdef(r.oid), ';')))
    ELSE jsonb_build_array(format('CREATE MATERIALIZED VIEW %s%s AS %s WITH NO DATA', r.qname,
                  coalesce(' WITH (' || array_to_string(r.reloptions, ', ') || ')', ''), rtrim(pg_get_viewdef(r.oid), ';'))) END
    || coalesce((SELECT jsonb_agg(format('ALTER VIEW %s ALTER COLUMN %I SET DEFAULT %s', r.qname, a.attname, pg_get_expr(d.adbin, d.adrelid)))
                 FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE a.attrelid = r.oid AND r.relkind = 'v'), '[]'::jsonb),
  'after', CASE WHEN r.relkind = 'm' AND r.relispopulated THEN jsonb_build_array(format('REFRESH MATERIALIZED VIEW %s', r.qname)) ELSE '[]'::jsonb END,
  'drop', format('DROP %s IF EXISTS %s', CASE r.relkind WHEN 'v' THEN 'VIEW' ELSE 'MATERIALIZED VIEW' END, r.qname),
  'owner', format('ALTER TABLE %s OWNER TO %I', r.qname, pg_get_userbyid(r.relowner)),
  'ownerRole', pg_get_userbyid(r.relowner),
  'acl', ${S}.acl_sql(format('TABLE %s', r.qname), r.relacl, r.relowner),
  'comment', ${S}.comment_sql(format('%s %s', CASE r.relkind WHEN 'v' THEN 'VIEW' ELSE 'MATERIALIZED VIEW' END, r.qname), r.oid, 'pg_class')
    || coalesce((SELECT jsonb_agg(format('COMMENT ON COLUMN %s.%I IS %L', r.qname, a.attname, d.description) ORDER BY a.attnum)
                 FROM pg_attribute a JOIN pg_description d ON d.objoid = r.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
                 WHERE a.attrelid = r.oid), '[]'::jsonb),
  'roles', ${S}.acl_roles(r.relacl))
FROM rel r WHERE r.relkind IN ('v', 'm')
UNION ALL
-- indexes of materialized views (a captured table's indexes are part of its table version)
SELECT 'pg_class:' || i.indexrelid, jsonb_build_object('kind', 'index', 'name', i.indexrelid::regclass::text, 'schema', r.nspname, 'table', r.tname, 'phase', 'post', 'rank', 0,
  'create', jsonb_build_array(pg_get_indexdef(i.indexrelid)),
  'drop', format('DROP INDEX IF EXISTS %s', i.indexrelid::regclass::text),
  'comment', ${S}.comment_sql(format('INDEX %s', i.indexrelid::regclass::text), i.indexrelid, 'pg_class'))
FROM pg_index i JOIN rel r ON r.oid = i.indrelid WHERE r.relkind = 'm'
UNION ALL
-- triggers (after the rows are loaded), with their enabled state; a partition's clone of its parent's trigger comes with the parent's
SELECT 'pg_trigger:' || g.oid, jsonb_build_object('kind', 'trigger', 'name', format('%I ON %s', g.tgname, r.qname), 'schema', r.nspname, 'table', r.tname, 'phase', 'post', 'rank', 1,
  'create', jsonb_build_array(pg_get_triggerdef(g.oid))
    || CASE g.tgenabled WHEN 'D' THEN jsonb_build_array(format('ALTER TABLE %s DISABLE TRIGGER %I', r.qname, g.tgname))
                        WHEN 'R' THEN jsonb_build_array(format('ALTER TABLE %s ENABLE REPLICA TRIGGER %I', r.qname, g.tgname))
                        WHEN 'A' THEN jsonb_build_array(format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', r.qname, g.tgname)) ELSE '[]'::jsonb END,
  'drop', format('DROP TRIGGER IF EXISTS %I ON %s', g.tgname, r.qname),
  'comment', ${S}.comment_sql(format('TRIGGER %I ON %s', g.tgname, r.qname), g.oid, 'pg_trigger'))
FROM pg_trigger g JOIN rel r ON r.oid = g.tgrelid
WHERE NOT g.tgisinternal AND g.tgparentid = 0
UNION ALL
-- rules (a view's own _RETURN rule is the view)
SELECT 'pg_rewrite:' || w.oid, jsonb_build_object('kind', 'rule', 'name', format('%I ON %s', w.rulename, r.qname), 'schema', r.nspname, 'table', r.tname, 'phase', 'post', 'rank', 2,
  'create', jsonb_build_array(rtrim(pg_get_ruledef(w.oid), ';'))
    || CASE w.ev_enabled WHEN 'D' THEN jsonb_build_array(format('ALTER TABLE %s DISABLE RULE %I', r.qname, w.rulename))
                         WHEN 'R' THEN jsonb_build_array(format('ALTER TABLE %s ENABLE REPLICA RULE %I', r.qname, w.rulename))
                         WHEN 'A' THEN jsonb_build_array(format('ALTER TABLE %s ENABLE ALWAYS RULE %I', r.qname, w.rulename)) ELSE '[]'::jsonb END,
  'drop', format('DROP RULE IF EXISTS %I ON %s', w.rulename, r.qname),
  'comment', ${S}.comment_sql(format('RULE %I ON %s', w.rulename, r.qname), w.oid, 'pg_rewrite'))
FROM pg_rewrite w JOIN rel r ON r.oid = w.ev_class
WHERE w.rulename <> '_RETURN'
UNION ALL
-- row-level security policies
SELECT 'pg_policy:' || p.oid, jsonb_build_object('kind', 'policy', 'name', format('%I ON %s', p.polname, r.qname), 'schema', r.nspname, 'table', r.tname, 'phase', 'post', 'rank', 3,
  'create', jsonb_build_array(format('CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s', p.polname, r.qname,
      CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
      CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
      (SELECT string_agg(CASE WHEN x = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x)) END, ', ' ORDER BY 1) FROM unnest(p.polroles) x),
      coalesce(' USING (' || pg_get_expr(p.polqual, p.polrelid) || ')', ''),
      coalesce(' WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')', ''))),
  'drop', format('DROP POLICY IF EXISTS %I ON %s', p.polname, r.qname),
  'comment', ${S}.comment_sql(format('POLICY %I ON %s', p.polname, r.qname), p.oid, 'pg_policy'),
  'roles', coalesce((SELECT jsonb_agg(DISTINCT pg_get_userbyid(x)) FROM unnest(p.polroles) x WHERE x <> 0), '[]'::jsonb))
FROM pg_policy p JOIN rel r ON r.oid = p.polrelid
UNION ALL
-- extended statistics
SELECT 'pg_statistic_ext:' || x.oid, jsonb_build_object('kind', 'statistics', 'name', format('%I.%I', n.nspname, x.stxname), 'schema', n.nspname,
  'table', (SELECT tn.nspname || '.' || tc.relname FROM pg_class tc JOIN pg_namespace tn ON tn.oid = tc.relnamespace WHERE tc.oid = x.stxrelid),
  'phase', 'post', 'rank', 4,
  'create', jsonb_build_array(pg_get_statisticsobjdef(x.oid))
    || CASE WHEN x.stxstattarget >= 0 THEN jsonb_build_array(format('ALTER STATISTICS %I.%I SET STATISTICS %s', n.nspname, x.stxname, x.stxstattarget)) ELSE '[]'::jsonb END,
  'drop', format('DROP STATISTICS IF EXISTS %I.%I', n.nspname, x.stxname),
  'owner', format('ALTER STATISTICS %I.%I OWNER TO %I', n.nspname, x.stxname, pg_get_userbyid(x.stxowner)),
  'ownerRole', pg_get_userbyid(x.stxowner),
  'comment', ${S}.comment_sql(format('STATISTICS %I.%I', n.nspname, x.stxname), x.oid, 'pg_statistic_ext'),
  'roles', '[]'::jsonb)
FROM pg_statistic_ext x JOIN s n ON n.oid = x.stxnamespace
UNION ALL
-- default privileges for objects created later
SELECT 'pg_default_acl:' || d.oid, jsonb_build_object('kind', 'default privileges', 'name', format('for %I%s on %s', pg_get_userbyid(d.defaclrole),
      coalesce(' in ' || quote_ident(n.nspname), ''), d.defaclobjtype), 'schema', n.nspname, 'phase', 'post', 'rank', 9,
  -- a global entry replaces the built-in defaults (revoke them first); one for a schema only adds to them
  'create', CASE WHEN d.defaclnamespace = 0 THEN jsonb_build_array(
                format('ALTER DEFAULT PRIVILEGES FOR ROLE %I REVOKE ALL ON %s FROM PUBLIC', pg_get_userbyid(d.defaclrole), ${S}.default_acl_objects(d.defaclobjtype)),
                format('ALTER DEFAULT PRIVILEGES FOR ROLE %I REVOKE ALL ON %s FROM %I', pg_get_userbyid(d.defaclrole), ${S}.default_acl_objects(d.defaclobjtype), pg_get_userbyid(d.defaclrole)))
            ELSE '[]'::jsonb END
    || (SELECT coalesce(jsonb_agg(format('ALTER DEFAULT PRIVILEGES FOR ROLE %I%s GRANT %s ON %s TO %s%s', pg_get_userbyid(d.defaclrole),
                coalesce(' IN SCHEMA ' || quote_ident(n.nspname), ''), g.privs,
                ${S}.default_acl_objects(d.defaclobjtype),
                CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(g.grantee)) END,
                CASE WHEN g.grantable THEN ' WITH GRANT OPTION' ELSE '' END) ORDER BY g.grantee), '[]'::jsonb)
             FROM (SELECT x.grantee, x.is_grantable AS grantable, string_agg(x.privilege_type, ', ' ORDER BY x.privilege_type) AS privs
                   FROM aclexplode(d.defaclacl) x GROUP BY x.grantee, x.is_grantable) g),
  -- undone by revoking what it grants; a global entry also gives back the built-in defaults it replaced
  'drop', (SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I%s REVOKE ALL ON %s FROM %s', pg_get_userbyid(d.defaclrole),
                coalesce(' IN SCHEMA ' || quote_ident(n.nspname), ''), ${S}.default_acl_objects(d.defaclobjtype),
                string_agg(DISTINCT CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x.grantee)) END, ', '))
             || CASE WHEN d.defaclnamespace = 0 THEN format(';
ALTER DEFAULT PRIVILEGES FOR ROLE %1$I GRANT ALL ON %2$s TO %1$I', pg_get_userbyid(d.defaclrole),
                  ${S}.default_acl_objects(d.defaclobjtype)) || CASE d.defaclobjtype
                    WHEN 'f' THEN format(';
ALTER DEFAULT PRIVILEGES FOR ROLE %I GRANT EXECUTE ON FUNCTIONS TO PUBLIC', pg_get_userbyid(d.defaclrole))
                    WHEN 'T' THEN format(';
ALTER DEFAULT PRIVILEGES FOR ROLE %I GRANT USAGE ON TYPES TO PUBLIC', pg_get_userbyid(d.defaclrole)) ELSE '' END
                ELSE '' END
           FROM aclexplode(d.defaclacl) x),
  'roles', ${S}.acl_roles(d.defaclacl) || jsonb_build_array(pg_get_userbyid(d.defaclrole)))
FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
WHERE d.defaclnamespace = 0 OR d.defaclnamespace IN (SELECT oid FROM s)
) u(key, def)
$fn$;
