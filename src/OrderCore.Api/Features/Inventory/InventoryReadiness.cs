namespace OrderCore.Api.Features.Inventory;

/// <summary>Go-live: some SKU has available stock.</summary>
internal sealed class InventoryPresentCheck : IReadinessCheck
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
