using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrderCore.Api.Platform.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class OrderNotifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "endpoint_id",
                table: "webhook_deliveries",
                type: "text",
                nullable: true,
                collation: "C",
                oldClrType: typeof(string),
                oldType: "text",
                oldCollation: "C");

            migrationBuilder.AddColumn<string>(
                name: "notification_id",
                table: "webhook_deliveries",
                type: "text",
                nullable: true,
                collation: "C");

            migrationBuilder.AddColumn<string>(
                name: "payload",
                table: "webhook_deliveries",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "target_url",
                table: "webhook_deliveries",
                type: "character varying(4096)",
                maxLength: 4096,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "adapter_id",
                table: "order_status_changes",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true,
                collation: "C");

            migrationBuilder.AddColumn<string>(
                name: "adapter_id",
                table: "events",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true,
                collation: "C");

            migrationBuilder.CreateTable(
                name: "adapter_configurations",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    adapter_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    values = table.Column<string>(type: "jsonb", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_adapter_configurations", x => new { x.tenant_id, x.adapter_id });
                });

            migrationBuilder.CreateTable(
                name: "order_hooks",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    timeout_ms = table.Column<int>(type: "integer", nullable: false),
                    on_error = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    order_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    adapter_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true, collation: "C"),
                    description = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    scope = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    schema = table.Column<string>(type: "jsonb", nullable: true),
                    invoke = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    secret_ciphertext = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_order_hooks", x => new { x.tenant_id, x.id });
                    table.ForeignKey(
                        name: "fk_order_hooks_orders_tenant_id_order_id",
                        columns: x => new { x.tenant_id, x.order_id },
                        principalTable: "orders",
                        principalColumns: new[] { "tenant_id", "id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "order_notifications",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    reference = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    version = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    delay_ms = table.Column<int>(type: "integer", nullable: false),
                    order_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    adapter_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true, collation: "C"),
                    description = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    scope = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    schema = table.Column<string>(type: "jsonb", nullable: true),
                    invoke = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    secret_ciphertext = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_order_notifications", x => new { x.tenant_id, x.id });
                    table.ForeignKey(
                        name: "fk_order_notifications_orders_tenant_id_order_id",
                        columns: x => new { x.tenant_id, x.order_id },
                        principalTable: "orders",
                        principalColumns: new[] { "tenant_id", "id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_tenant_id_notification_id_id",
                table: "webhook_deliveries",
                columns: new[] { "tenant_id", "notification_id", "id" },
                filter: "notification_id IS NOT NULL");

            migrationBuilder.AddCheckConstraint(
                name: "ck_webhook_deliveries_target",
                table: "webhook_deliveries",
                sql: "(endpoint_id IS NULL) <> (notification_id IS NULL)");

            migrationBuilder.CreateIndex(
                name: "ix_order_hooks_tenant_id_order_id_id",
                table: "order_hooks",
                columns: new[] { "tenant_id", "order_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_order_notifications_tenant_id_order_id_id",
                table: "order_notifications",
                columns: new[] { "tenant_id", "order_id", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "adapter_configurations");

            migrationBuilder.DropTable(
                name: "order_hooks");

            migrationBuilder.DropTable(
                name: "order_notifications");

            migrationBuilder.DropIndex(
                name: "ix_webhook_deliveries_tenant_id_notification_id_id",
                table: "webhook_deliveries");

            migrationBuilder.DropCheckConstraint(
                name: "ck_webhook_deliveries_target",
                table: "webhook_deliveries");

            migrationBuilder.DropColumn(
                name: "notification_id",
                table: "webhook_deliveries");

            migrationBuilder.DropColumn(
                name: "payload",
                table: "webhook_deliveries");

            migrationBuilder.DropColumn(
                name: "target_url",
                table: "webhook_deliveries");

            migrationBuilder.DropColumn(
                name: "adapter_id",
                table: "order_status_changes");

            migrationBuilder.DropColumn(
                name: "adapter_id",
                table: "events");

            migrationBuilder.AlterColumn<string>(
                name: "endpoint_id",
                table: "webhook_deliveries",
                type: "text",
                nullable: false,
                defaultValue: "",
                collation: "C",
                oldClrType: typeof(string),
                oldType: "text",
                oldNullable: true,
                oldCollation: "C");
        }
    }
}
