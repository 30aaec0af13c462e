namespace OrderCore.Api.Features.Inventory;

/// <summary>
/// Releases active reservations whose <c>expires_at</c> has passed, for every tenant, in small batches.
/// Several instances may run at once: each batch claims its rows with <c>FOR UPDATE SKIP LOCKED</c>.
/// </summary>
internal sealed class ReservationExpirySweeper(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ReservationExpirySweeper> logger)
    : PeriodicJob(clock, logger)
{
    public const int BatchSize = 100;

    protected override TimeSpan Interval => TimeSpan.FromSeconds(30);

    public override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        int released;
        do
        {
            await using var scope = scopes.CreateAsyncScope();
            released = await ReleaseExpiredAsync(scope.ServiceProvider, Clock.GetUtcNow(), BatchSize, cancellationToken);
            if (released > 0)
            {
                Logger.LogInformation("Released {Count} expired reservation(s)", released);
            }
        }
        while (released == BatchSize);
    }

    /// <summary>
    /// Releases up to <paramref name="batchSize"/> expired active reservations of every tenant in one unit of
    /// work of its own and answers how many it released. <paramref name="scope"/> must be a scope without
    /// a tenant and without an open transaction (this is background work, not a request).
    /// </summary>
    public static async Task<int> ReleaseExpiredAsync(IServiceProvider scope, DateTimeOffset now, int batchSize, CancellationToken cancellationToken)
    {
        var outbox = scope.GetRequiredService<Outbox>();
        await using var work = scope.GetRequiredService<UnitOfWork>();
        var db = work.Db;
        await work.BeginAsync(cancellationToken);

        // The guarantee against releasing one reservation twice: the rows of this batch stay locked until
        // the commit, and SKIP LOCKED makes another instance take other rows instead of waiting for these.
        var expired = await db.Database.SqlQuery<ExpiredReservation>($"""
            SELECT tenant_id, id, sku_id, location_id, quantity, order_id FROM inventory_reservations
            WHERE status = 'active' AND expires_at <= {now}
            ORDER BY expires_at
            LIMIT {batchSize}
            FOR UPDATE SKIP LOCKED
            """).ToListAsync(cancellationToken);

        var released = 0;
        foreach (var tenant in expired.GroupBy(r => r.TenantId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            released += await work.RunAsTenantAsync(tenant.Key, async ct =>
            {
                var releasedHere = 0;
                // Levels are changed in key order, the order in which orders lock them, so neither can deadlock the other.
                foreach (var reservation in tenant.OrderBy(r => r.LocationId, StringComparer.Ordinal).ThenBy(r => r.SkuId, StringComparer.Ordinal))
                {
                    if (await Stock.ReleaseAsync(db, outbox, reservation.ToReservation(), "expired", now, ct) is not null)
                    {
                        releasedHere++;
                    }
                }

                return releasedHere;
            }, cancellationToken);
        }

        await work.CommitAsync(cancellationToken);
        return released;
    }

    /// <summary>What releasing needs of a reservation the claim locked.</summary>
    private sealed class ExpiredReservation
    {
        public required string TenantId { get; init; }
        public required string Id { get; init; }
        public required string SkuId { get; init; }
        public required string LocationId { get; init; }
        public int Quantity { get; init; }
        public string? OrderId { get; init; }

        public InventoryReservation ToReservation() =>
            new() { TenantId = TenantId, Id = Id, SkuId = SkuId, LocationId = LocationId, Quantity = Quantity, OrderId = OrderId };
    }
}
