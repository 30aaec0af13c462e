-- Adds :n orders (one line each) to tenant :'tenant' with plain SQL, fast: the scale scenarios measure
-- get / list / lookup against tables of this size. Ids are shaped like real ones but sort before them
-- (older), numbers continue from the tenant's sequence (the first seeded order takes the number
-- next_order_number gives, which also creates the sequence if missing; the sequence is then moved past
-- the last one), and every order has a merchant reference.
\set ON_ERROR_STOP on
BEGIN;
SELECT next_order_number(:'tenant') - 1 AS base \gset
INSERT INTO orders (id, tenant_id, number, status, currency, merchant_reference_id, subtotal, total, event_sequence, created_at, updated_at)
SELECT 'order_' || lpad(to_hex(:base + i), 32, '0'), :'tenant', :base + i, 'pending', 'USD', 'seed-' || (:base + i), 10, 10, 1,
       now() - make_interval(secs => :n - i), now() - make_interval(secs => :n - i)
FROM generate_series(1, :n) AS i;
INSERT INTO order_lines (id, order_id, tenant_id, position, sku_id, sku_code, product_id, product_name, quantity, unit_price, line_total)
SELECT 'oli_' || lpad(to_hex(:base + i), 32, '0'), 'order_' || lpad(to_hex(:base + i), 32, '0'), :'tenant', 0, :'sku', 'BENCH-1', 'p', 'Bench product', 1, 10, 10
FROM generate_series(1, :n) AS i;
SELECT setval(quote_ident('order_numbers_' || :'tenant')::regclass, :base + :n);
COMMIT;
ANALYZE orders; ANALYZE order_lines;
