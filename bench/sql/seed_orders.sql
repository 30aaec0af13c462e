-- Adds :n orders (one line each) to tenant :'tenant' with plain SQL, fast: the scale scenarios measure
-- get / list / lookup against tables of this size. Ids are shaped like real ones but sort before them
-- (older), numbers continue from the tenant's sequence (the first seeded order takes the number
-- next_order_number gives, which also creates the sequence if missing; the sequence is then moved past
-- the last one), and every order has a merchant reference.
\set ON_ERROR_STOP on
BEGIN;
SELECT next_order_number(:'tenant') - 1 AS base \gset
INSERT INTO orders (id, tenant_id, number, status, currency, merchant_reference_id, subtotal, total, event_sequence, created_at, updated_at, lines)
SELECT 'order_' || lpad(to_hex(:base + i), 32, '0'), :'tenant', :base + i, 'pending', 'USD', 'seed-' || (:base + i), 10, 10, 1,
       now() - make_interval(secs => :n - i), now() - make_interval(secs => :n - i),
       jsonb_build_array(jsonb_build_object('Id', 'oli_' || lpad(to_hex(:base + i), 32, '0'), 'Position', 0, 'SkuId', :'sku', 'SkuCode', 'BENCH-1',
           'ProductId', 'p', 'ProductName', 'Bench product', 'Quantity', 1, 'UnitPrice', 10, 'LineTotal', 10))
FROM generate_series(1, :n) AS i;
SELECT setval(quote_ident('order_numbers_' || :'tenant')::regclass, :base + :n);
COMMIT;
ANALYZE orders;
