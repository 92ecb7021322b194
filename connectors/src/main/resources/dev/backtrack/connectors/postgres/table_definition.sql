-- The definition of one table as Backtrack stores it, as jsonb. Used by the agent through a temporary
-- function, and by the DDL event trigger, so both read a table the same way. $1 is the table's oid.
SELECT jsonb_build_object(
  'relationId', c.oid::bigint,
  'schema', n.nspname,
  'table', c.relname,
  'replicaIdentityFull', c.relreplident = 'f',
  'partitionKey', CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
  'columns', coalesce((
    SELECT jsonb_agg(jsonb_build_object(
      'attnum', a.attnum,
      'name', a.attname,
      'type', CASE WHEN t.typtype IN ('e', 'd') THEN quote_ident(tn.nspname) || '.' || quote_ident(t.typname)
                   WHEN et.typtype = 'e' THEN quote_ident(etn.nspname) || '.' || quote_ident(et.typname) || '[]'
                   ELSE format_type(a.atttypid, a.atttypmod) END,
      'nullable', NOT a.attnotnull,
      'defaultExpression', CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END,
      'sequence', pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname),
      'identity', CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END,
      'generated', CASE WHEN a.attgenerated = 's' THEN pg_get_expr(d.adbin, d.adrelid) END,
      'missing', CASE WHEN a.atthasmissing THEN (a.attmissingval::text::text[])[1] END,
      'collation', CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation::regcollation::text END
    ) ORDER BY a.attnum)
    FROM pg_attribute a
    JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace tn ON tn.oid = t.typnamespace
    LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
    LEFT JOIN pg_namespace etn ON etn.oid = et.typnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]'::jsonb),
  'primaryKey', coalesce((
    SELECT jsonb_agg(a.attname ORDER BY array_position(i.indkey::int2[], a.attnum))
    FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
    WHERE i.indrelid = c.oid AND i.indisprimary), '[]'::jsonb),
  'primaryKeyName', (SELECT k.conname FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p'),
  'enums', coalesce((
    SELECT jsonb_object_agg(quote_ident(en.nspname) || '.' || quote_ident(et2.typname),
             (SELECT jsonb_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = et2.oid))
    FROM pg_type et2 JOIN pg_namespace en ON en.oid = et2.typnamespace
    WHERE et2.typtype = 'e' AND et2.oid IN (
      SELECT CASE WHEN t.typtype = 'e' THEN t.oid ELSE t.typelem END FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)), '{}'::jsonb),
  'domains', coalesce((
    SELECT jsonb_object_agg(quote_ident(dn.nspname) || '.' || quote_ident(dt.typname),
             'AS ' || format_type(dt.typbasetype, dt.typtypmod)
             || CASE WHEN dt.typnotnull THEN ' NOT NULL' ELSE '' END
             || coalesce(' DEFAULT ' || dt.typdefault, '')
             || coalesce((SELECT string_agg(' CONSTRAINT ' || quote_ident(k.conname) || ' ' || pg_get_constraintdef(k.oid), '' ORDER BY k.conname)
                          FROM pg_constraint k WHERE k.contypid = dt.oid), ''))
    FROM pg_type dt JOIN pg_namespace dn ON dn.oid = dt.typnamespace
    WHERE dt.typtype = 'd' AND dt.oid IN (
      SELECT CASE WHEN t.typtype = 'd' THEN t.oid ELSE t.typelem END FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)), '{}'::jsonb),
  'indexes', coalesce((
    SELECT jsonb_agg(pg_get_indexdef(i.indexrelid) ORDER BY ic.relname)
    FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
    WHERE i.indrelid = c.oid AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = c.oid)), '[]'::jsonb),
  'constraints', coalesce((
    SELECT jsonb_agg(jsonb_build_object('name', k.conname, 'kind', k.contype, 'definition', pg_get_constraintdef(k.oid)) ORDER BY k.contype, k.conname)
    -- a constraint a partition has from its parent (inherited, or cloned) is made by the parent's
    FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype IN ('u', 'c', 'f', 'x') AND k.conislocal AND k.conparentid = 0), '[]'::jsonb)
)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = $1
