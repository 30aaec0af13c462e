using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrderCore.Api.Platform.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class SealedIdempotentAnswers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "sealed_for",
                table: "idempotency_records",
                type: "text",
                nullable: true);

            // Answers stored before this change that hold a key or a secret in plaintext go now.
            migrationBuilder.Sql("""
                DELETE FROM idempotency_records
                WHERE position('"oc_live_'::bytea in body) > 0 OR position('"whsec_'::bytea in body) > 0 OR position('"token":"cat_'::bytea in body) > 0
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "sealed_for",
                table: "idempotency_records");
        }
    }
}
