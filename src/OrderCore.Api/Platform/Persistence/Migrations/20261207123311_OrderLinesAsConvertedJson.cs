using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrderCore.Api.Platform.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class OrderLinesAsConvertedJson : Migration
    {
        /// <summary>
        /// Order lines are now a converted JSON value (OrderLinesJson) instead of an EF Core JSON-owned collection: the
        /// column and its content stay as they are; every order has lines, so the column becomes NOT NULL.
        /// </summary>
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "lines",
                table: "orders",
                type: "jsonb",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "jsonb",
                oldNullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "lines",
                table: "orders",
                type: "jsonb",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "jsonb");
        }
    }
}
