-- The hot queries on trace events, as the services send them, with EXPLAIN (ANALYZE, BUFFERS); run after
-- generate_events.sql: psql -f explain.sql capacity_db. Lot CAP500100 is a transformation output (its
-- inputs are CAP500099 and CAP500098); every lot has 10 events.
\set ON_ERROR_STOP on
SELECT id AS lot FROM batch WHERE lot_code = 'CAP500100' \gset
\echo '== sizes'
SELECT relname, n_live_tup, pg_size_pretty(pg_relation_size(relid)) AS heap,
       pg_size_pretty(pg_indexes_size(relid)) AS indexes, pg_size_pretty(pg_total_relation_size(relid)) AS total
FROM pg_stat_user_tables WHERE relname IN ('trace_event', 'event_quantity', 'batch', 'lot_head') ORDER BY relname;
\echo '== trace page 1/2: the lot''s event ids (services.trace.events.events_of_many)'
EXPLAIN (ANALYZE, BUFFERS) SELECT batch_id, event_id FROM event_quantity WHERE batch_id IN (:lot);
SELECT string_agg(event_id::text, ',') AS ids FROM event_quantity WHERE batch_id = :lot \gset
\echo '== trace page 2/2: the events'
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM trace_event WHERE id IN (:ids);
\echo '== trace page integrity key: the lot''s newest event (services.trace.integrity.integrity_cached)'
EXPLAIN (ANALYZE, BUFFERS) SELECT q.*, e.* FROM event_quantity q JOIN trace_event e ON e.id = q.event_id
WHERE q.batch_id = :lot ORDER BY q.event_id DESC LIMIT 1;
\echo '== EPCIS query: bizStep=shipping, one day window, first page (services.trace.epcis_query)'
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM trace_event WHERE biz_step IN ('shipping')
AND event_time >= '2025-06-01 00:00+07' AND event_time < '2025-06-02 00:00+07' ORDER BY event_time, id LIMIT 31;
\echo '== EPCIS query: bizStep=retail_selling, one year window, first page'
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM trace_event WHERE biz_step IN ('retail_selling')
AND event_time >= '2025-01-01 00:00+07' AND event_time < '2026-01-01 00:00+07' ORDER BY event_time, id LIMIT 31;
\echo '== EPCIS query: one lot (MATCH_epcClass) in a year window'
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM trace_event WHERE id IN (SELECT event_id FROM event_quantity
WHERE batch_id IN (:lot) AND role IN ('subject')) AND event_time >= '2024-01-01 00:00+07'
AND event_time < '2027-01-01 00:00+07' ORDER BY event_time, id LIMIT 31;
\echo '== recall lineage, one level backward (services.trace.lineage.lineage)'
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM batch WHERE id IN (SELECT batch_id FROM event_quantity WHERE role = 'input'
AND event_id IN (SELECT event_id FROM event_quantity WHERE role = 'output' AND batch_id IN (:lot))) ORDER BY id;
\echo '== recall lineage, one level forward from an input lot'
SELECT :lot - 1 AS input_lot \gset
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM batch WHERE id IN (SELECT batch_id FROM event_quantity WHERE role = 'output'
AND event_id IN (SELECT event_id FROM event_quantity WHERE role = 'input' AND batch_id IN (:input_lot))) ORDER BY id;
\echo '== EPCIS query, worst case: a bizStep that never occurs (destroying), one month window'
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM trace_event WHERE biz_step IN ('destroying')
AND event_time >= '2025-06-01 00:00+07' AND event_time < '2025-07-01 00:00+07' ORDER BY event_time, id LIMIT 31;
