namespace OrderCore.Api.Features.Orders;

/// <summary>Orders' public surface for what others need of them: order numbers and counts.</summary>
public static class OrderNumbers
{
    /// <summary>
    /// Adds to <paramref name="batch"/> the draw of the tenant's next number from its own sequence (<c>next_order_number</c>,
    /// created by the OrderNumberSequences migration): unique and increasing per tenant. <c>nextval</c> holds no lock
    /// until commit, so orders of one tenant do not queue behind each other; the price is that a refused or rolled-back
    /// order (insufficient stock included: the number is drawn in the same round trip as the reservation) leaves a gap,
    /// since <c>nextval</c> is never rolled back.
    /// </summary>
    public static SqlResult<List<long>> Next(SqlBatch batch) =>
        batch.AddRows($"SELECT next_order_number({SqlBatch.Tenant})", row => row.GetInt64(0));

    /// <summary>
    /// Creates the tenant's order-number sequence when the tenant is provisioned. <c>next_order_number</c>
    /// would create it on the first order too, but racing first orders then queue on an advisory lock
    /// until the creating order commits; this way that is only the fallback (tenants from before the
    /// sequences, or a sequence dropped by hand).
    /// </summary>
    public static async Task CreateSequenceAsync(OrderCoreDbContext db, string tenantId, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlAsync($"SELECT create_order_number_sequence({tenantId})", cancellationToken);

    /// <summary>How many orders the tenant created in [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public static Task<long> CountCreatedAsync(OrderCoreDbContext db, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken) =>
        db.Orders.LongCountAsync(o => o.CreatedAt >= start && o.CreatedAt < end, cancellationToken);
}
