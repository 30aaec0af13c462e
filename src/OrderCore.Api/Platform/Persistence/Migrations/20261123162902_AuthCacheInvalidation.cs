using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrderCore.Api.Platform.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class AuthCacheInvalidation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Every instance empties its API-key cache (LISTEN ordercore_auth) when a key or tenant changes,
            // whoever changed it; the notification is sent when the writing transaction commits.
            migrationBuilder.Sql("""
                CREATE FUNCTION notify_auth_cache() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('ordercore_auth', '');
                    RETURN NULL;
                END $$;
                CREATE TRIGGER api_keys_notify_auth_cache AFTER UPDATE OR DELETE OR TRUNCATE ON api_keys
                    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_cache();
                CREATE TRIGGER tenants_notify_auth_cache AFTER UPDATE OR DELETE OR TRUNCATE ON tenants
                    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_cache();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER tenants_notify_auth_cache ON tenants;
                DROP TRIGGER api_keys_notify_auth_cache ON api_keys;
                DROP FUNCTION notify_auth_cache();
                """);
        }
    }
}
