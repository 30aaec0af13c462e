using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OrderCore.Api.Features.Catalog;
using OrderCore.Api.Features.Inventory;
using OrderCore.Api.Features.Orders;
using OrderCore.Api.Platform.Auth;
using OrderCore.Api.Platform.Persistence;

namespace OrderCore.Api.Features.Accounts;

public enum ReadinessStatus
{
    Pass,
    Warn,
    Fail,
}

public sealed record ReadinessCheckResult(string Name, ReadinessStatus Status, string Detail);

/// <summary>What a check may look at: the tenant's data (through the tenant-filtered context) and the calling key.</summary>
public sealed record ReadinessContext(OrderCoreDbContext Db, ApiKey Key, DateTimeOffset Now);

/// <summary>
/// One item of the go-live checklist (<c>GET /v1/account/readiness</c>). Checks are registered in DI
/// (<see cref="ReadinessSetup.AddReadinessCheck{T}"/>) and run in registration order; another feature
/// (webhooks) adds its own by registering more. <c>ready</c> is true when no check fails; warnings do not block.
/// </summary>
public interface IReadinessCheck
{
    string Name { get; }

    Task<ReadinessCheckResult> CheckAsync(ReadinessContext context, CancellationToken cancellationToken);
}

public sealed record ReadinessResponse(bool Ready, IReadOnlyList<ReadinessCheckResult> Checks);

public static class Readiness
{
    public static async Task<Ok<ReadinessResponse>> Handle(OrderCoreDbContext db, CurrentTenant tenant, IEnumerable<IReadinessCheck> checks,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var key = await db.Set<ApiKey>().AsNoTracking().SingleAsync(k => k.Id == tenant.ApiKeyId, cancellationToken);
        var context = new ReadinessContext(db, key, clock.GetUtcNow());
        var results = new List<ReadinessCheckResult>();
        foreach (var check in checks)
        {
            results.Add(await check.CheckAsync(context, cancellationToken));
        }

        return TypedResults.Ok(new ReadinessResponse(results.TrueForAll(r => r.Status != ReadinessStatus.Fail), results));
    }
}

public static class ReadinessSetup
{
    /// <summary>Appends a check to the checklist.</summary>
    public static IServiceCollection AddReadinessCheck<T>(this IServiceCollection services) where T : class, IReadinessCheck =>
        services.AddScoped<IReadinessCheck, T>();

    /// <summary>
    /// Puts <typeparamref name="TNew"/> where <typeparamref name="TOld"/> was, keeping the checklist's order; e.g. the
    /// deployment with its own delivery check: <c>ReplaceReadinessCheck&lt;WebhookDeliveryCheck, MyDeliveryCheck&gt;()</c>.
    /// </summary>
    public static IServiceCollection ReplaceReadinessCheck<TOld, TNew>(this IServiceCollection services)
        where TOld : class, IReadinessCheck where TNew : class, IReadinessCheck
    {
        var index = services.ToList().FindIndex(d => d.ServiceType == typeof(IReadinessCheck) && d.ImplementationType == typeof(TOld));
        if (index < 0)
        {
            throw new InvalidOperationException($"{typeof(TOld).Name} is not registered as a readiness check.");
        }

        services[index] = ServiceDescriptor.Scoped<IReadinessCheck, TNew>();
        return services;
    }

    /// <summary>The go-live checklist, in the order it is shown.</summary>
    public static IServiceCollection AddAccountReadinessChecks(this IServiceCollection services) => services
        .AddReadinessCheck<ApiKeyAccessCheck>()
        .AddReadinessCheck<ApiKeyTtlCheck>()
        .AddReadinessCheck<CatalogPresentCheck>()
        .AddReadinessCheck<InventoryPresentCheck>()
        .AddReadinessCheck<Webhooks.WebhookEndpointCheck>()
        .AddReadinessCheck<Webhooks.WebhookDeliveryCheck>()
        .AddReadinessCheck<OrderCreatedCheck>();

    internal static ReadinessCheckResult Result(this IReadinessCheck check, ReadinessStatus status, string detail) => new(check.Name, status, detail);
}

/// <summary>The key can run the order flow: it holds orders:read and orders:write (or *).</summary>
public sealed class ApiKeyAccessCheck : IReadinessCheck
{
    private static readonly string[] Needed = [Scopes.OrdersRead, Scopes.OrdersWrite];

    public string Name => "api_key_access";

    public Task<ReadinessCheckResult> CheckAsync(ReadinessContext context, CancellationToken cancellationToken)
    {
        var missing = Scopes.Missing(context.Key.Scopes, Needed);
        return Task.FromResult(missing.Length == 0
            ? this.Result(ReadinessStatus.Pass, "this key can create and read orders")
            : this.Result(ReadinessStatus.Fail, $"this key lacks {string.Join(", ", missing)}"));
    }
}

/// <summary>The key will not expire under the integration: no expiry or more than 30 days (warn from 30, fail under 7).</summary>
public sealed class ApiKeyTtlCheck : IReadinessCheck
{
    public string Name => "api_key_ttl";

    public Task<ReadinessCheckResult> CheckAsync(ReadinessContext context, CancellationToken cancellationToken)
    {
        var result = context.Key.ExpiresAt switch
        {
            null => this.Result(ReadinessStatus.Pass, "this key does not expire"),
            { } at when at - context.Now < ApiKeyExpiry.SoonWindow =>
                this.Result(ReadinessStatus.Fail, $"this key expires at {at.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}, in less than 7 days; roll it"),
            { } at when at - context.Now < TimeSpan.FromDays(30) =>
                this.Result(ReadinessStatus.Warn, $"this key expires at {at.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}, in less than 30 days"),
            { } at => this.Result(ReadinessStatus.Pass, $"this key expires at {at.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}"),
        };
        return Task.FromResult(result);
    }
}

public sealed class CatalogPresentCheck : IReadinessCheck
{
    public string Name => "catalog";

    public async Task<ReadinessCheckResult> CheckAsync(ReadinessContext context, CancellationToken cancellationToken)
    {
        var products = context.Db.Products;
        var orderable = await context.Db.Skus.CountAsync(
            s => s.Status == SkuStatus.Active && products.Any(p => p.Id == s.ProductId && p.Status == ProductStatus.Active), cancellationToken);
        return orderable > 0
            ? this.Result(ReadinessStatus.Pass, $"{orderable} orderable SKU(s)")
            : this.Result(ReadinessStatus.Fail, "no active product with an active SKU; create one or import a catalog");
    }
}

public sealed class InventoryPresentCheck : IReadinessCheck
{
    public string Name => "inventory";

    public async Task<ReadinessCheckResult> CheckAsync(ReadinessContext context, CancellationToken cancellationToken)
    {
        var inStock = await context.Db.InventoryLevels.CountAsync(l => l.OnHand - l.Reserved > 0, cancellationToken);
        return inStock > 0
            ? this.Result(ReadinessStatus.Pass, $"{inStock} stock level(s) with available stock")
            : this.Result(ReadinessStatus.Fail, "no SKU has available stock at any location; adjust inventory");
    }
}

public sealed class OrderCreatedCheck : IReadinessCheck
{
    public string Name => "order_created";

    public async Task<ReadinessCheckResult> CheckAsync(ReadinessContext context, CancellationToken cancellationToken) =>
        await context.Db.Orders.AnyAsync(cancellationToken)
            ? this.Result(ReadinessStatus.Pass, "at least one order was created")
            : this.Result(ReadinessStatus.Fail, "no order yet; create a test order");
}
