using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrderCore.Api.Platform.Persistence.Migrations
{
    /// <summary>
    /// Webhook dispatch reads events past a cursor instead of marking each one dispatched (which rewrote every event row);
    /// nothing NOTIFYs inside a writing transaction any more (the outbox signal wakes the workers after the commit);
    /// <c>reserve_stock</c> reserves all the lines of an order in one statement; and an order's creation step is no longer
    /// a row of its own (the order's created_at says it).
    /// </summary>
    public partial class FastOrderPath : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_events_undispatched",
                table: "events");

            // Events already dispatched get transaction id 0, behind the cursor's start; those not yet dispatched keep this
            // migration's transaction id, ahead of it, so the new dispatcher takes them.
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS events_notify_webhook_workers ON events;
                DROP TRIGGER IF EXISTS webhook_deliveries_notify_webhook_workers ON webhook_deliveries;
                DROP FUNCTION IF EXISTS notify_webhook_workers();

                ALTER TABLE events ADD COLUMN transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id();
                UPDATE events SET transaction_id = '0' WHERE dispatched_at IS NOT NULL;
                CREATE INDEX ix_events_transaction_id_id ON events (transaction_id, id);

                CREATE TABLE outbox_cursors (
                    name text PRIMARY KEY,
                    transaction_id xid8 NOT NULL,
                    event_id text NOT NULL
                );
                INSERT INTO outbox_cursors (name, transaction_id, event_id) VALUES ('webhooks', '1', '');

                -- An order's creation step is its row's created_at; only transitions are stored.
                DELETE FROM order_status_changes WHERE "from" IS NULL;
                """);

            // Reserves every (SKU, quantity) at a location, or raises SQLSTATE OC409 whose message is the first SKU (in the order given)
            // that is short, its hint what is available (not the detail: clients redact it): then nothing is reserved (the statement fails), and a statement after it
            // in the same batch (the order number) does not run. Levels are locked in SKU order ("C" collation: the ordinal
            // order of the application), the order of every path that locks several, so two reservations cannot deadlock.
            migrationBuilder.Sql("""
                CREATE FUNCTION reserve_stock(p_tenant text, p_location text, p_skus text[], p_quantities integer[], p_now timestamptz)
                RETURNS void LANGUAGE plpgsql AS $$
                DECLARE
                    short record;
                BEGIN
                    PERFORM 1 FROM inventory_levels
                    WHERE tenant_id = p_tenant AND location_id = p_location AND sku_id = ANY (p_skus)
                    ORDER BY sku_id COLLATE "C"
                    FOR UPDATE;

                    SELECT w.sku_id, COALESCE(l.on_hand - l.reserved, 0) AS available INTO short
                    FROM unnest(p_skus, p_quantities) WITH ORDINALITY AS w (sku_id, quantity, position)
                    LEFT JOIN inventory_levels l ON l.tenant_id = p_tenant AND l.location_id = p_location AND l.sku_id = w.sku_id
                    WHERE l.sku_id IS NULL OR l.on_hand - l.reserved < w.quantity
                    ORDER BY w.position
                    LIMIT 1;
                    IF FOUND THEN
                        RAISE EXCEPTION USING ERRCODE = 'OC409', MESSAGE = short.sku_id, HINT = short.available::text;
                    END IF;

                    UPDATE inventory_levels l SET reserved = l.reserved + w.quantity, updated_at = p_now
                    FROM unnest(p_skus, p_quantities) AS w (sku_id, quantity)
                    WHERE l.tenant_id = p_tenant AND l.location_id = p_location AND l.sku_id = w.sku_id;
                END $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                INSERT INTO order_status_changes (tenant_id, order_id, sequence, "to", at)
                SELECT tenant_id, id, 1, 'pending', created_at FROM orders;
                DROP FUNCTION reserve_stock(text, text, text[], integer[], timestamptz);
                UPDATE events e SET dispatched_at = now()
                FROM outbox_cursors c WHERE c.name = 'webhooks' AND (e.transaction_id, e.id) <= (c.transaction_id, c.event_id);
                DROP TABLE outbox_cursors;
                DROP INDEX ix_events_transaction_id_id;
                ALTER TABLE events DROP COLUMN transaction_id;
                CREATE FUNCTION notify_webhook_workers() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('ordercore_webhooks', '');
                    RETURN NULL;
                END $$;
                CREATE TRIGGER events_notify_webhook_workers AFTER INSERT ON events
                    FOR EACH STATEMENT EXECUTE FUNCTION notify_webhook_workers();
                CREATE TRIGGER webhook_deliveries_notify_webhook_workers AFTER INSERT OR UPDATE OF next_attempt_at ON webhook_deliveries
                    FOR EACH STATEMENT EXECUTE FUNCTION notify_webhook_workers();
                """);

            migrationBuilder.CreateIndex(
                name: "ix_events_undispatched",
                table: "events",
                column: "created_at",
                filter: "dispatched_at IS NULL");
        }
    }
}
