using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OrderCore.Api.Platform.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Webhooks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "dispatched_at",
                table: "events",
                type: "timestamp with time zone",
                nullable: true);

            // Events written before webhooks existed have no endpoint to go to.
            migrationBuilder.Sql("UPDATE events SET dispatched_at = created_at;");

            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    friendly_name = table.Column<string>(type: "text", nullable: true),
                    xml = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_protection_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "webhook_endpoints",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    url = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    description = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    events = table.Column<List<string>>(type: "text[]", nullable: false),
                    secret_ciphertext = table.Column<string>(type: "text", nullable: false),
                    previous_secret_ciphertext = table.Column<string>(type: "text", nullable: true),
                    previous_secret_expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    active = table.Column<bool>(type: "boolean", nullable: false),
                    deactivated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    deactivated_reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    failing_since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhook_endpoints", x => new { x.tenant_id, x.id });
                });

            migrationBuilder.CreateTable(
                name: "webhook_deliveries",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    endpoint_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    event_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    event_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false, collation: "C"),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    attempt = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    locked_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    lease_token = table.Column<Guid>(type: "uuid", nullable: true),
                    last_status_code = table.Column<int>(type: "integer", nullable: true),
                    last_error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    latency_ms = table.Column<int>(type: "integer", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    delivered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhook_deliveries", x => new { x.tenant_id, x.id });
                    table.ForeignKey(
                        name: "fk_webhook_deliveries_webhook_endpoints_tenant_id_endpoint_id",
                        columns: x => new { x.tenant_id, x.endpoint_id },
                        principalTable: "webhook_endpoints",
                        principalColumns: new[] { "tenant_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "webhook_attempts",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    delivery_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    number = table.Column<int>(type: "integer", nullable: false),
                    attempted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    status_code = table.Column<int>(type: "integer", nullable: true),
                    duration_ms = table.Column<int>(type: "integer", nullable: false),
                    error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    response_body = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhook_attempts", x => new { x.tenant_id, x.delivery_id, x.number });
                    table.ForeignKey(
                        name: "fk_webhook_attempts_webhook_deliveries_tenant_id_delivery_id",
                        columns: x => new { x.tenant_id, x.delivery_id },
                        principalTable: "webhook_deliveries",
                        principalColumns: new[] { "tenant_id", "id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_events_undispatched",
                table: "events",
                column: "created_at",
                filter: "dispatched_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_due",
                table: "webhook_deliveries",
                column: "next_attempt_at",
                filter: "status = 'pending'");

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_tenant_id_created_at",
                table: "webhook_deliveries",
                columns: new[] { "tenant_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_tenant_id_endpoint_id_id",
                table: "webhook_deliveries",
                columns: new[] { "tenant_id", "endpoint_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_tenant_id_event_id_endpoint_id",
                table: "webhook_deliveries",
                columns: new[] { "tenant_id", "event_id", "endpoint_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_tenant_id_status_id",
                table: "webhook_deliveries",
                columns: new[] { "tenant_id", "status", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_webhook_endpoints_tenant_id_active_id",
                table: "webhook_endpoints",
                columns: new[] { "tenant_id", "active", "id" });

            // Wakes the delivery workers (LISTEN ordercore_webhooks) when the writing transaction commits.
            migrationBuilder.Sql("""
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS webhook_deliveries_notify_webhook_workers ON webhook_deliveries;
                DROP TRIGGER IF EXISTS events_notify_webhook_workers ON events;
                DROP FUNCTION IF EXISTS notify_webhook_workers();
                """);

            migrationBuilder.DropTable(
                name: "data_protection_keys");

            migrationBuilder.DropTable(
                name: "webhook_attempts");

            migrationBuilder.DropTable(
                name: "webhook_deliveries");

            migrationBuilder.DropTable(
                name: "webhook_endpoints");

            migrationBuilder.DropIndex(
                name: "ix_events_undispatched",
                table: "events");

            migrationBuilder.DropColumn(
                name: "dispatched_at",
                table: "events");
        }
    }
}
