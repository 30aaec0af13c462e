using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrderCore.Api.Platform.Persistence.Migrations
{
    /// <summary>
    /// Fewer rows and bytes per order: an idempotent answer that is an event's object (a new order's) names the event instead
    /// of holding the same JSON again, event data is kept as sent (<c>json</c>) so that a replay is the answer byte for byte;
    /// orders without a customer need no entry in the by-customer index; and an order's lines move into its row
    /// (<c>orders.lines</c>, JSON): they never change after creation, every read of an order wants them, and a row per line
    /// cost a heap tuple and an index entry each.
    /// </summary>
    public partial class CompactOrderRows : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "event_id",
                table: "idempotency_records",
                type: "text",
                nullable: true,
                collation: "C");

            // Event data as sent, byte for byte (jsonb would reorder its keys): a replay of an answer stored by reference
            // must be the answer.
            migrationBuilder.Sql("ALTER TABLE events ALTER COLUMN data TYPE json USING data::json;");

            migrationBuilder.DropIndex(
                name: "ix_orders_tenant_id_customer_id_id",
                table: "orders");

            migrationBuilder.CreateIndex(
                name: "ix_orders_tenant_id_customer_id_id",
                table: "orders",
                columns: new[] { "tenant_id", "customer_id", "id" },
                filter: "customer_id IS NOT NULL");

            migrationBuilder.AddColumn<string>(
                name: "lines",
                table: "orders",
                type: "jsonb",
                nullable: true);

            // Each order's lines, in position order, as EF Core reads them from the column (property names as in the model).
            migrationBuilder.Sql("""
                UPDATE orders o SET lines = l.lines
                FROM (SELECT tenant_id, order_id,
                             jsonb_agg(jsonb_build_object('Id', id, 'LineTotal', line_total, 'Position', position, 'ProductId', product_id,
                                 'ProductName', product_name, 'Quantity', quantity, 'SkuCode', sku_code, 'SkuId', sku_id, 'UnitPrice', unit_price)
                                 ORDER BY position) AS lines
                      FROM order_lines GROUP BY tenant_id, order_id) l
                WHERE o.tenant_id = l.tenant_id AND o.id = l.order_id;
                """);

            migrationBuilder.DropTable(
                name: "order_lines");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "lines",
                table: "orders");

            migrationBuilder.CreateTable(
                name: "order_lines",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    order_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    line_total = table.Column<decimal>(type: "numeric(19,4)", precision: 19, scale: 4, nullable: false),
                    position = table.Column<int>(type: "integer", nullable: false),
                    product_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    product_name = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    quantity = table.Column<int>(type: "integer", nullable: false),
                    sku_code = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    sku_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    unit_price = table.Column<decimal>(type: "numeric(19,4)", precision: 19, scale: 4, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_order_lines", x => new { x.tenant_id, x.order_id, x.id });
                    table.CheckConstraint("ck_order_lines_quantity", "quantity > 0");
                    table.ForeignKey(
                        name: "fk_order_lines_orders_tenant_id_order_id",
                        columns: x => new { x.tenant_id, x.order_id },
                        principalTable: "orders",
                        principalColumns: new[] { "tenant_id", "id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.DropIndex(
                name: "ix_orders_tenant_id_customer_id_id",
                table: "orders");

            migrationBuilder.CreateIndex(
                name: "ix_orders_tenant_id_customer_id_id",
                table: "orders",
                columns: new[] { "tenant_id", "customer_id", "id" });

            migrationBuilder.DropColumn(
                name: "event_id",
                table: "idempotency_records");

            migrationBuilder.Sql("ALTER TABLE events ALTER COLUMN data TYPE jsonb USING data::jsonb;");
        }
    }
}
