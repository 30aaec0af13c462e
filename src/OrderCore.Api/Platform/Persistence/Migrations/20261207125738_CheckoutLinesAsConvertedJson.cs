using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrderCore.Api.Platform.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class CheckoutLinesAsConvertedJson : Migration
    {
        /// <summary>
        /// Checkout lines are now a converted JSON value (HasJsonValue) instead of an EF Core JSON-owned collection: the
        /// content stays as it is; a session without lines holds an empty array, so the column becomes NOT NULL.
        /// </summary>
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("UPDATE checkout_sessions SET lines = '[]' WHERE lines IS NULL");
            migrationBuilder.AlterColumn<string>(
                name: "lines",
                table: "checkout_sessions",
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
                table: "checkout_sessions",
                type: "jsonb",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "jsonb");
        }
    }
}
