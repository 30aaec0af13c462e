namespace OrderCore.Api.Features.Orders;

/// <summary>Go-live: the tenant has created an order.</summary>
internal sealed class OrderCreatedCheck : IReadinessCheck
{
    public string Name => "order_created";

    public async Task<ReadinessCheckResult> CheckAsync(ReadinessContext context, CancellationToken cancellationToken) =>
        await context.Db.Orders.AnyAsync(cancellationToken)
            ? this.Result(ReadinessStatus.Pass, "at least one order was created")
            : this.Result(ReadinessStatus.Fail, "no order yet; create a test order");
}
