using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrderCore.Api.Platform.Persistence.Migrations
{
    /// <summary>
    /// Webhook dispatch reads events past a cursor instead of marking each one dispatched (which rewrote every event row),
    /// and nothing NOTIFYs inside a writing transaction any more (the outbox signal wakes the workers after the commit).
    /// </summary>
    public partial class OutboxCursors : Migration
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
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
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
