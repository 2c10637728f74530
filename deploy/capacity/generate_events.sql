-- Fills a scratch database (after `server.py migrate` and `server.py demo`) with :lots lots and :events trace
-- events shaped like the real ones: 10 events per lot, interleaved in windows of 10,000 events (1,000 lots
-- active at a time, as on a busy day), event_time spread over 2024-01-01 .. 2026-12-31, one subject
-- quantity per event, and one transformation per 100 lots (inputs: the 2 previous lots) for the lineage walk.
-- Usage: psql -v lots=1000000 -v events=10000000 -f generate_events.sql capacity_db
\set ON_ERROR_STOP on
SET session_replication_role = replica;  -- bulk load: FK triggers off (rows are consistent by construction)
INSERT INTO batch (lot_code, production_date, status, is_published, created_at, product_id)
SELECT 'CAP' || g, DATE '2024-01-01' + (g % 1000), 'active', true, now(),
       (SELECT array_agg(id ORDER BY id) FROM product)[1 + g % (SELECT count(*) FROM product)]
FROM generate_series(1, :lots) g WHERE NOT EXISTS (SELECT 1 FROM batch WHERE lot_code = 'CAP1');
-- Secondary indexes are dropped for the load and built again at the end (much faster than 10 M random inserts).
CREATE TEMP TABLE kept AS
SELECT 'ALTER TABLE ' || conrelid::regclass || ' ADD CONSTRAINT ' || conname || ' ' || pg_get_constraintdef(oid) AS def,
       'ALTER TABLE ' || conrelid::regclass || ' DROP CONSTRAINT ' || conname AS undo
FROM pg_constraint WHERE conrelid IN ('trace_event'::regclass, 'event_quantity'::regclass) AND contype = 'u'
UNION ALL
SELECT pg_get_indexdef(i.indexrelid), 'DROP INDEX ' || i.indexrelid::regclass
FROM pg_index i WHERE i.indrelid IN ('trace_event'::regclass, 'event_quantity'::regclass) AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid);
SELECT undo FROM kept \gexec
CREATE TEMP TABLE lot_base AS SELECT min(id) - 1 AS base, (SELECT coalesce(max(id), 0) FROM trace_event) AS ebase
  FROM batch WHERE lot_code LIKE 'CAP%';
INSERT INTO trace_event (event_type, action, biz_step, disposition, event_time, time_zone_offset, record_time,
                         sources, destinations, biz_transactions, sensor_elements, documents,
                         corrective_event_ids, event_hash, chain_hash, hash_version, read_point_id)
SELECT CASE WHEN k = 5 AND l % 100 = 0 THEN 'TransformationEvent' ELSE 'ObjectEvent' END,
       CASE WHEN k = 0 THEN 'ADD' WHEN k = 5 AND l % 100 = 0 THEN NULL ELSE 'OBSERVE' END,
       (ARRAY['commissioning','packing','inspecting','storing','shipping','receiving','shipping','receiving',
              'retail_selling','inspecting'])[k + 1],
       (ARRAY['active','in_progress','conformant','in_progress','in_transit','in_progress','in_transit',
              'in_progress','retail_sold','conformant'])[k + 1],
       TIMESTAMPTZ '2024-01-01 00:00+07' + (i * (interval '3 years' / :events)),
       '+07:00', TIMESTAMPTZ '2024-01-01 00:00+07' + (i * (interval '3 years' / :events)) + interval '1 minute',
       '[]', '[]', '[]', '[]', '[]', '[]',
       'ni:///sha-256;' || md5(i::text) || md5((-i)::text) || '?ver=CBV2.0', md5(i::text) || md5((i + 7)::text),
       2, (SELECT min(id) FROM location) + (i % 3)
FROM generate_series(1, :events) i,
     LATERAL (SELECT ((i - 1) / 10000) * 1000 + ((i - 1) % 1000) + 1 AS l, ((i - 1) % 10000) / 1000 AS k) s;
-- subject (or transformation output) quantity: event i -> its lot
INSERT INTO event_quantity (role, quantity, unit, previous_chain_hash, batch_id, event_id)
SELECT CASE WHEN e.event_type = 'TransformationEvent' THEN 'output' ELSE 'subject' END, 10, 'KGM',
       md5(e.id::text), b.base + ((e.id - b.ebase - 1) / 10000) * 1000 + ((e.id - b.ebase - 1) % 1000) + 1, e.id
FROM trace_event e, lot_base b WHERE e.id > b.ebase;
-- transformation inputs: the two lots before it
INSERT INTO event_quantity (role, quantity, unit, previous_chain_hash, batch_id, event_id)
SELECT 'input', 5, 'KGM', md5(q.event_id::text), q.batch_id - d, q.event_id
FROM event_quantity q, generate_series(1, 2) d, lot_base b
WHERE q.role = 'output' AND q.batch_id - d > b.base;
SET session_replication_role = origin;
SET maintenance_work_mem = '512MB';
SELECT def FROM kept \gexec
INSERT INTO lot_head (batch_id, event_count, chain_hash)
SELECT id, 10, md5(id::text) FROM batch WHERE lot_code LIKE 'CAP%';
VACUUM ANALYZE batch; VACUUM ANALYZE trace_event; VACUUM ANALYZE event_quantity; VACUUM ANALYZE lot_head;
