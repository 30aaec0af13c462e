using Npgsql;

namespace OrderCore.Api.Platform.Persistence;

/// <summary>
/// Connection settings OrderCore runs best with, applied under whatever the operator's connection string
/// says (a setting given there wins):
/// <list type="bullet">
/// <item><c>Maximum Pool Size</c> = 8 per core: PostgreSQL does the work on the same cores, so more
/// connections than it can run at once only add contention (a request waits for a connection instead).</item>
/// <item><c>No Reset On Close</c>: no <c>DISCARD ALL</c> on every reuse. Nothing here leaves session state
/// behind: advisory locks are transaction-scoped, <c>LISTEN</c> runs on its own unpooled connection.</item>
/// <item><c>Max Auto Prepare</c>: statements run repeatedly are prepared once per connection, so PostgreSQL
/// stops parsing and planning the same queries on every request.</item>
/// </list>
/// </summary>
public static class DatabaseConnection
{
    public static int DefaultMaxPoolSize => Math.Max(8, 8 * Environment.ProcessorCount);

    public static string WithDefaults(string connectionString)
    {
        // In a connection string the last occurrence of a setting wins, so the operator's string goes last.
        var defaults = new NpgsqlConnectionStringBuilder
        {
            MaxPoolSize = DefaultMaxPoolSize,
            NoResetOnClose = true,
            MaxAutoPrepare = 100,
            AutoPrepareMinUsages = 2,
        };
        return new NpgsqlConnectionStringBuilder($"{defaults.ConnectionString};{connectionString}").ConnectionString;
    }
}
