-- One order, as POST /v1/orders writes it (two lines, unique Idempotency-Key), for pgbench:
--   pgbench -M simple -f order_txn.sql -D tenant=... -D skus=1000 ...
-- It mirrors, statement for statement and round trip for round trip, what the API sends; checked by
-- capturing the API's statements with log_statement=all (see bench/README.md). Ids the API makes in
-- process are made here in the first SELECT. "\;" joins statements into one round trip, as EF Core
-- batches its INSERTs.
\set s1 random(1, :skus)
\set s2 random(1, :skus)
\set k random(1, 2000000000)
-- no authentication statement: the API answers a known key from its cache (Platform/Auth/ApiKeyCache.cs)
-- a finished request with this key would be replayed from here, without a transaction (outside it, as in the API)
SELECT i.status_code, i.request_hash, i.body FROM idempotency_records i WHERE i.scope = ':tenant' AND i.key = 'pgb-' || :client_id || '-' || :k LIMIT 2;
BEGIN;
SELECT pg_try_advisory_xact_lock(:k::bigint * 1000 + :client_id);
SELECT i.status_code, i.request_hash, i.body FROM idempotency_records i WHERE i.scope = ':tenant' AND i.key = 'pgb-' || :client_id || '-' || :k LIMIT 2;
SAVEPOINT request_handler;
SELECT max(s.id) FILTER (WHERE s.sku_code = 'BENCH-' || :s1) AS sku1, max(s.id) FILTER (WHERE s.sku_code = 'BENCH-' || :s2) AS sku2, 'order_' || replace(gen_random_uuid()::text, '-', '') AS oid, 'evt_' || replace(gen_random_uuid()::text, '-', '') AS eid FROM skus s JOIN products p ON p.tenant_id = s.tenant_id AND p.id = s.product_id WHERE s.tenant_id = ':tenant' AND s.sku_code IN ('BENCH-' || :s1, 'BENCH-' || :s2) \gset
SELECT p.id, p.unit_amount, l.code, l.priority FROM prices p JOIN price_lists l ON l.tenant_id = p.tenant_id AND l.id = p.price_list_id WHERE p.tenant_id = ':tenant' AND p.sku_id IN (':sku1', ':sku2') AND p.currency = 'USD' AND p.active AND l.active AND l.customer_id IS NULL;
SELECT l.id AS loc FROM locations l WHERE l.tenant_id = ':tenant' AND l.is_default LIMIT 1 \gset
UPDATE inventory_levels SET reserved = reserved + 1, updated_at = now() WHERE tenant_id = ':tenant' AND location_id = ':loc' AND sku_id = LEAST(':sku1', ':sku2') AND on_hand - reserved >= 1;
UPDATE inventory_levels SET reserved = reserved + 1, updated_at = now() WHERE tenant_id = ':tenant' AND location_id = ':loc' AND sku_id = GREATEST(':sku1', ':sku2') AND on_hand - reserved >= 1;
SELECT next_order_number(':tenant') AS num \gset
INSERT INTO events (id, tenant_id, api_version, created_at, data, sequence, subject_id, type) VALUES (':eid', ':tenant', 'v1', now(), '{"id":"order","order_number":"OC-000001","status":"pending","customer_id":null,"currency":"USD","merchant_reference_id":null,"payment":null,"channel":null,"source_platform":null,"metadata":null,"items":[{"id":"oli_01a208e61efc71c4bd86c32d484b2953","sku_id":"sku_01a208b03dca772db06ac13945f2e94d","sku_code":"BENCH-1","product_id":"prod_01a208b03dca756eb6801c9c152c1969","product_name":"Bench product","quantity":1,"unit_price":10.00,"line_total":10.00},{"id":"oli_01a208e61efc71c4bd86c32d484b2954","sku_id":"sku_01a208b03dca772db06ac13945f2e94e","sku_code":"BENCH-2","product_id":"prod_01a208b03dca756eb6801c9c152c1970","product_name":"Bench product","quantity":1,"unit_price":10.00,"line_total":10.00}],"subtotal":20.00,"total":20.00,"status_history":[{"from":null,"to":"pending","at":"2026-11-23T14:00:00Z","reason":null,"metadata":null}],"created_at":"2026-11-23T14:00:00Z","updated_at":"2026-11-23T14:00:00Z"}', 1, ':oid', 'order.created') \;
INSERT INTO inventory_movements (id, tenant_id, created_at, location_id, on_hand_delta, order_id, reason, reservation_id, reserved_delta, sku_id) VALUES ('mov_' || md5(':oid' || '1'), ':tenant', now(), ':loc', 0, ':oid', 'reserve', 'res_' || md5(':oid' || '1'), 1, ':sku1') \;
INSERT INTO inventory_movements (id, tenant_id, created_at, location_id, on_hand_delta, order_id, reason, reservation_id, reserved_delta, sku_id) VALUES ('mov_' || md5(':oid' || '2'), ':tenant', now(), ':loc', 0, ':oid', 'reserve', 'res_' || md5(':oid' || '2'), 1, ':sku2') \;
INSERT INTO inventory_reservations (id, tenant_id, created_at, location_id, order_id, quantity, sku_id, status, updated_at) VALUES ('res_' || md5(':oid' || '1'), ':tenant', now(), ':loc', ':oid', 1, ':sku1', 'active', now()) \;
INSERT INTO inventory_reservations (id, tenant_id, created_at, location_id, order_id, quantity, sku_id, status, updated_at) VALUES ('res_' || md5(':oid' || '2'), ':tenant', now(), ':loc', ':oid', 1, ':sku2', 'active', now()) \;
INSERT INTO orders (id, tenant_id, created_at, currency, event_sequence, merchant_reference_id, number, status, subtotal, total, updated_at) VALUES (':oid', ':tenant', now(), 'USD', 1, 'pgb-' || :client_id || '-' || :k, :num, 'pending', 20, 20, now()) \;
INSERT INTO order_lines (id, order_id, tenant_id, line_total, position, product_id, product_name, quantity, sku_code, sku_id, unit_price) VALUES ('oli_' || md5(':oid' || '1'), ':oid', ':tenant', 10, 0, 'p', 'Bench product', 1, 'BENCH-' || :s1, ':sku1', 10) \;
INSERT INTO order_lines (id, order_id, tenant_id, line_total, position, product_id, product_name, quantity, sku_code, sku_id, unit_price) VALUES ('oli_' || md5(':oid' || '2'), ':oid', ':tenant', 10, 1, 'p', 'Bench product', 1, 'BENCH-' || :s2, ':sku2', 10) \;
INSERT INTO order_status_changes (order_id, sequence, tenant_id, at, "to") VALUES (':oid', 1, ':tenant', now(), 'pending');
INSERT INTO idempotency_records (scope, key, request_hash, status_code, content_type, body, created_at, expires_at) VALUES (':tenant', 'pgb-' || :client_id || '-' || :k, sha256('x'::bytea), 201, 'application/json', convert_to(repeat('x', 900), 'UTF8'), now(), now() + interval '24 hours') ON CONFLICT (scope, key) DO UPDATE SET body = EXCLUDED.body;
COMMIT;
