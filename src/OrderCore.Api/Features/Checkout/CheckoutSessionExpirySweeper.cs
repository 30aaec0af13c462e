namespace OrderCore.Api.Features.Checkout;

/// <summary>
/// Cancels open checkout sessions whose <c>expires_at</c> has passed, for every tenant. Their stock needs
/// nothing here: a session's reservations carry the same expiry, so <c>ReservationExpirySweeper</c>
/// releases them.
/// </summary>
internal sealed class CheckoutSessionExpirySweeper(IServiceScopeFactory scopes, TimeProvider clock, ILogger<CheckoutSessionExpirySweeper> logger)
    : PeriodicJob(clock, logger)
{
    public const int BatchSize = 500;

    protected override TimeSpan Interval => TimeSpan.FromSeconds(30);

    public override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        int canceled;
        do
        {
            await using var scope = scopes.CreateAsyncScope();
            canceled = await CancelExpiredAsync(scope.ServiceProvider.GetRequiredService<OrderCoreDbContext>(), Clock.GetUtcNow(), BatchSize,
                cancellationToken);
            if (canceled > 0)
            {
                Logger.LogInformation("Canceled {Count} expired checkout session(s)", canceled);
            }
        }
        while (canceled == BatchSize);
    }

    /// <summary>
    /// One statement: a session being completed holds its row lock, so SKIP LOCKED passes it by (the
    /// completion re-checks the expiry itself), and the status condition never cancels a completed one.
    /// </summary>
    public static Task<int> CancelExpiredAsync(OrderCoreDbContext db, DateTimeOffset now, int batchSize, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"""
            UPDATE checkout_sessions SET status = 'canceled', updated_at = {now}
            WHERE (tenant_id, id) IN (
                SELECT tenant_id, id FROM checkout_sessions
                WHERE status IN ('incomplete', 'ready_for_complete') AND expires_at <= {now}
                LIMIT {batchSize}
                FOR UPDATE SKIP LOCKED)
            """, cancellationToken);
}
