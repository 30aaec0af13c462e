using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrderCore.Api.Platform.Persistence.Migrations
{
    /// <summary>
    /// An idempotent answer that is an event's object (a new order's) names the event instead of holding the same JSON
    /// again; event data is kept as sent (<c>json</c>), so that a replay is the answer byte for byte.
    /// </summary>
    public partial class IdempotentAnswersByEvent : Migration
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "event_id",
                table: "idempotency_records");

            migrationBuilder.Sql("ALTER TABLE events ALTER COLUMN data TYPE jsonb USING data::jsonb;");
        }
    }
}
