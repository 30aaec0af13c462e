namespace OrderCore.Api.Features.Orders;

/// <summary>Orders' public surface for what others need of them: order numbers and counts.</summary>
public static class OrderNumbers
{
    /// <summary>
    /// The tenant's next number from its own sequence (<c>next_order_number</c>, created by the
    /// OrderNumberSequences migration): unique and increasing per tenant. <c>nextval</c> holds no lock
    /// until commit, so orders of one tenant do not queue behind each other; the price is that a failed or
    /// rolled-back order leaves a gap (<c>nextval</c> is never rolled back). Taken after stock is reserved,
    /// so the commonest refusal, insufficient stock, uses no number.
    /// </summary>
    public static async Task<long> NextAsync(OrderCoreDbContext db, string tenantId, CancellationToken cancellationToken)
    {
        var numbers = await db.Database.SqlQuery<long>($"SELECT next_order_number({tenantId}) AS \"Value\"").ToListAsync(cancellationToken);
        return numbers.Single();
    }

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
