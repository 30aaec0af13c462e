using Microsoft.EntityFrameworkCore.Design;

namespace OrderCore.Api.Platform.Persistence;

/// <summary>Builds the context for migration scaffolding (tools/OrderCore.Migrations, or dotnet-ef where installed).</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<OrderCoreDbContext>
{
    public OrderCoreDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<OrderCoreDbContext>();
        OrderCoreDbContext.Configure(options, Environment.GetEnvironmentVariable("ORDERCORE_DB") ?? "Host=127.0.0.1;Database=ordercore");
        return new OrderCoreDbContext(options.Options);
    }
}
