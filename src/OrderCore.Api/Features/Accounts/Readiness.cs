using OrderCore.Api.Features.Customers;

namespace OrderCore.Api.Features.Accounts;

internal sealed record ReadinessResponse(bool Ready, IReadOnlyList<ReadinessCheckResult> Checks);

internal static class Readiness
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

/// <summary>The key can run the order flow: it holds orders:read and orders:write (or *).</summary>
internal sealed class ApiKeyAccessCheck : IReadinessCheck
{
    private static readonly string[] Needed = [OrderScopes.Read, OrderScopes.Write];

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
internal sealed class ApiKeyTtlCheck : IReadinessCheck
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
