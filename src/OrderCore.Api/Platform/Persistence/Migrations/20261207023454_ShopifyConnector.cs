using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrderCore.Api.Platform.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ShopifyConnector : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "shopify_orders",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    shop_domain = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    shopify_order_id = table.Column<long>(type: "bigint", nullable: false),
                    shopify_order_name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    order_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    financial_status = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    note = table.Column<string>(type: "character varying(5000)", maxLength: 5000, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shopify_orders", x => new { x.tenant_id, x.shop_domain, x.shopify_order_id });
                });

            migrationBuilder.CreateTable(
                name: "shopify_stores",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    shop_domain = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    secret_ciphertext = table.Column<string>(type: "text", nullable: false),
                    location_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true, collation: "C"),
                    price_list_code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    connected_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    disconnected_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shopify_stores", x => new { x.tenant_id, x.id });
                });

            migrationBuilder.CreateTable(
                name: "shopify_sync_logs",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    event_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    shop_domain = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    shopify_order_id = table.Column<long>(type: "bigint", nullable: true),
                    shopify_order_name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    order_id = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    topic = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    action = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    outcome = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    message = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shopify_sync_logs", x => new { x.tenant_id, x.id });
                });

            migrationBuilder.CreateTable(
                name: "shopify_webhook_events",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    store_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    shop_domain = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    webhook_id = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true, collation: "C"),
                    accepted_webhook_id = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true, collation: "C"),
                    topic = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    shopify_order_id = table.Column<long>(type: "bigint", nullable: true),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    payload = table.Column<string>(type: "text", nullable: true),
                    error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    order_id = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    processed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shopify_webhook_events", x => new { x.tenant_id, x.id });
                });

            migrationBuilder.CreateIndex(
                name: "ix_shopify_orders_tenant_id_order_id",
                table: "shopify_orders",
                columns: new[] { "tenant_id", "order_id" });

            migrationBuilder.CreateIndex(
                name: "ix_shopify_stores_shop_domain",
                table: "shopify_stores",
                column: "shop_domain",
                unique: true,
                filter: "disconnected_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_shopify_sync_logs_tenant_id_event_id",
                table: "shopify_sync_logs",
                columns: new[] { "tenant_id", "event_id" });

            migrationBuilder.CreateIndex(
                name: "ix_shopify_webhook_events_next_attempt_at",
                table: "shopify_webhook_events",
                column: "next_attempt_at",
                filter: "status = 'pending'");

            migrationBuilder.CreateIndex(
                name: "ix_shopify_webhook_events_tenant_id_shop_domain_accepted_webho",
                table: "shopify_webhook_events",
                columns: new[] { "tenant_id", "shop_domain", "accepted_webhook_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_shopify_webhook_events_tenant_id_shop_domain_shopify_order_",
                table: "shopify_webhook_events",
                columns: new[] { "tenant_id", "shop_domain", "shopify_order_id" });

            migrationBuilder.CreateIndex(
                name: "ix_shopify_webhook_events_tenant_id_status_id",
                table: "shopify_webhook_events",
                columns: new[] { "tenant_id", "status", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "shopify_orders");

            migrationBuilder.DropTable(
                name: "shopify_stores");

            migrationBuilder.DropTable(
                name: "shopify_sync_logs");

            migrationBuilder.DropTable(
                name: "shopify_webhook_events");
        }
    }
}
