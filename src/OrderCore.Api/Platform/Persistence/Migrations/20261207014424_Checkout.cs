using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrderCore.Api.Platform.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Checkout : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "checkout_access_tokens",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    token_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    api_key_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    allowed_skus = table.Column<List<string>>(type: "text[]", nullable: true),
                    max_quantity = table.Column<int>(type: "integer", nullable: true),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_checkout_access_tokens", x => new { x.tenant_id, x.id });
                    table.ForeignKey(
                        name: "fk_checkout_access_tokens_api_keys_tenant_id_api_key_id",
                        columns: x => new { x.tenant_id, x.api_key_id },
                        principalTable: "api_keys",
                        principalColumns: new[] { "tenant_id", "id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "checkout_sessions",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    status = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    access_token_id = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    currency = table.Column<string>(type: "character(3)", fixedLength: true, maxLength: 3, nullable: false),
                    merchant_reference_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true, collation: "C"),
                    buyer_email = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: true),
                    buyer_first_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    buyer_last_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    buyer_phone_number = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    subtotal = table.Column<decimal>(type: "numeric(19,4)", precision: 19, scale: 4, nullable: false),
                    total = table.Column<decimal>(type: "numeric(19,4)", precision: 19, scale: 4, nullable: false),
                    priced_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    reservation_ids = table.Column<List<string>>(type: "text[]", nullable: false),
                    payment_intent_id = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true, collation: "C"),
                    payment_provider = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    payment_reference = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    order_id = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    order_number = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    lines = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_checkout_sessions", x => new { x.tenant_id, x.id });
                    table.ForeignKey(
                        name: "fk_checkout_sessions_checkout_access_tokens_tenant_id_access_t",
                        columns: x => new { x.tenant_id, x.access_token_id },
                        principalTable: "checkout_access_tokens",
                        principalColumns: new[] { "tenant_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_checkout_sessions_orders_tenant_id_order_id",
                        columns: x => new { x.tenant_id, x.order_id },
                        principalTable: "orders",
                        principalColumns: new[] { "tenant_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_checkout_access_tokens_tenant_id_api_key_id",
                table: "checkout_access_tokens",
                columns: new[] { "tenant_id", "api_key_id" });

            migrationBuilder.CreateIndex(
                name: "ix_checkout_access_tokens_token_hash",
                table: "checkout_access_tokens",
                column: "token_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_checkout_sessions_expires_at",
                table: "checkout_sessions",
                column: "expires_at",
                filter: "status IN ('incomplete', 'ready_for_complete')");

            migrationBuilder.CreateIndex(
                name: "ix_checkout_sessions_tenant_id_access_token_id",
                table: "checkout_sessions",
                columns: new[] { "tenant_id", "access_token_id" });

            migrationBuilder.CreateIndex(
                name: "ix_checkout_sessions_tenant_id_merchant_reference_id_id",
                table: "checkout_sessions",
                columns: new[] { "tenant_id", "merchant_reference_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_checkout_sessions_tenant_id_order_id",
                table: "checkout_sessions",
                columns: new[] { "tenant_id", "order_id" },
                unique: true,
                filter: "order_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_checkout_sessions_tenant_id_status_id",
                table: "checkout_sessions",
                columns: new[] { "tenant_id", "status", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "checkout_sessions");

            migrationBuilder.DropTable(
                name: "checkout_access_tokens");
        }
    }
}
