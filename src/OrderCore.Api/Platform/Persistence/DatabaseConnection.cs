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
/// <item><c>Options</c> = <c>-c random_page_cost=1.1 -c plan_cache_mode=force_generic_plan</c>. The first is the usual
/// setting for a database on SSDs or in memory (the default, 4, prices a random page read as on a spinning disk: generic
/// plans then read small tables whole, every SKU, product and price of a 1,000-SKU tenant for each order, 1.8 ms against
/// 0.2 ms by index). The second keeps PostgreSQL from planning a prepared statement again on every execution when it
/// guesses a custom plan cheaper: the order's catalog read was planned anew for every order (0.9-1.2 ms of PostgreSQL CPU,
/// more than running it). Every query here is keyed by tenant and id or code, so one plan serves all parameters; a plan is
/// made again when ANALYZE changes a table's statistics. The operator's own <c>Options</c> replace both.</item>
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
            Options = "-c random_page_cost=1.1 -c plan_cache_mode=force_generic_plan",
        };
        return new NpgsqlConnectionStringBuilder($"{defaults.ConnectionString};{connectionString}").ConnectionString;
    }
}
