using OrderCore.Api.Features.Orders;
using OrderCore.Api.Platform.Usage;

namespace OrderCore.Api.Features.Accounts;

/// <summary>Order quotas per calendar month by plan (configuration section <c>Plans</c>); null is unlimited.</summary>
internal sealed class PlanOptions
{
    public long? TrialOrderQuota { get; set; } = 100;
    public long? StarterOrderQuota { get; set; } = 1_000;
    public long? GrowthOrderQuota { get; set; } = 10_000;
    public long? EnterpriseOrderQuota { get; set; }

    public long? OrderQuota(TenantPlan plan) => plan switch
    {
        TenantPlan.Trial => TrialOrderQuota,
        TenantPlan.Starter => StarterOrderQuota,
        TenantPlan.Growth => GrowthOrderQuota,
        _ => EnterpriseOrderQuota,
    };
}

/// <summary>
/// Counts from other features (webhook deliveries) that usage reports. The webhooks feature registers its own;
/// until then <see cref="NoWebhookDeliveries"/> answers 0.
/// </summary>
public interface IWebhookDeliveryCounter
{
    Task<long> CountDeliveriesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}

internal sealed class NoWebhookDeliveries : IWebhookDeliveryCounter
{
    public Task<long> CountDeliveriesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) => Task.FromResult(0L);
}

internal sealed record AccountUsageResponse(
    string Period,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    long OrdersCreated,
    long ApiRequests,
    long WebhookDeliveries,
    TenantPlan Plan,
    long? OrderQuota,
    long ProjectedOrders,
    bool ProjectedExceedsQuota);

internal static class AccountUsage
{
    public static async Task<Ok<AccountUsageResponse>> Handle(OrderCoreDbContext db, CurrentTenant tenant, ApiRequestCounter counter,
        IWebhookDeliveryCounter webhooks, IOptions<PlanOptions> plans, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var month = ApiRequestCounter.MonthOf(now);
        var start = new DateTimeOffset(month.Year, month.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var end = start.AddMonths(1);

        var plan = await db.Set<Tenant>().Where(t => t.Id == tenant.Id).Select(t => t.Plan).SingleAsync(cancellationToken);
        var orders = await OrderNumbers.CountCreatedAsync(db, start, end, cancellationToken);
        // Flushed counts (all instances) plus what this instance has counted since its last flush.
        var flushed = await db.Set<ApiUsage>().Where(u => u.Month == month).Select(u => (long?)u.ApiRequests).SingleOrDefaultAsync(cancellationToken) ?? 0;
        var requests = flushed + counter.Pending(tenant.RequiredId, month);
        var deliveries = await webhooks.CountDeliveriesAsync(start, end, cancellationToken);

        var quota = plans.Value.OrderQuota(plan);
        var projected = Project(orders, start, end, now);
        return TypedResults.Ok(new AccountUsageResponse(
            $"{month:yyyy-MM}", start, end, orders, requests, deliveries, plan, quota, projected, quota is { } q && projected > q));
    }

    /// <summary>Linear: the month so far scaled to the whole month. At least one hour counts as elapsed, so the first minutes do not explode.</summary>
    public static long Project(long soFar, DateTimeOffset start, DateTimeOffset end, DateTimeOffset now)
    {
        var elapsed = Math.Max((now - start).TotalHours, 1);
        var total = (end - start).TotalHours;
        return elapsed >= total ? soFar : (long)Math.Ceiling(soFar * total / elapsed);
    }
}
