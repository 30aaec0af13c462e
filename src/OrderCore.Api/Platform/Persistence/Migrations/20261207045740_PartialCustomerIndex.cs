using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrderCore.Api.Platform.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class PartialCustomerIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_orders_tenant_id_customer_id_id",
                table: "orders");

            migrationBuilder.CreateIndex(
                name: "ix_orders_tenant_id_customer_id_id",
                table: "orders",
                columns: new[] { "tenant_id", "customer_id", "id" },
                filter: "customer_id IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_orders_tenant_id_customer_id_id",
                table: "orders");

            migrationBuilder.CreateIndex(
                name: "ix_orders_tenant_id_customer_id_id",
                table: "orders",
                columns: new[] { "tenant_id", "customer_id", "id" });
        }
    }
}
