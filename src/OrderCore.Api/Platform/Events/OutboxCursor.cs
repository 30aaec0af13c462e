namespace OrderCore.Api.Platform.Events;

/// <summary>
/// A reader's position in the events table (a row of <c>outbox_cursors</c>): how a reader sees every committed event once,
/// in order, without writing to the events themselves (a per-row "dispatched" mark would rewrite every event).
/// <list type="bullet">
/// <item>Each event carries the id of the transaction that wrote it (<c>events.transaction_id</c>, <c>xid8</c>, the column's
/// default <c>pg_current_xact_id()</c>); the cursor is the last (transaction id, event id) the reader has passed.</item>
/// <item>A page holds only events of transactions older than every transaction still running
/// (<c>pg_snapshot_xmin(pg_current_snapshot())</c>): those have all ended, so no event can still appear behind the
/// cursor, however late a long transaction commits. A transaction left open therefore holds the reader back, never
/// makes it skip.</item>
/// <item>The reader holds the cursor's row lock from <see cref="ReadAsync"/> until its transaction ends, so one instance
/// reads at a time (the others skip their turn), and moves it in the same transaction as what it made of the page: a
/// crash redoes the page.</item>
/// </list>
/// </summary>
public static class OutboxCursor
{
    /// <summary>The webhook dispatcher's cursor.</summary>
    public const string Webhooks = "webhooks";

    /// <summary>
    /// Locks the cursor and reads up to <paramref name="limit"/> events past it, in order; null when another instance holds it.
    /// Runs in the caller's transaction, across tenants.
    /// </summary>
    public static async Task<OutboxPage?> ReadAsync(OrderCoreDbContext db, string name, int limit, CancellationToken cancellationToken)
    {
        var cursor = await db.Database.SqlQuery<Position>($"""
            SELECT transaction_id::text AS transaction_id, event_id FROM outbox_cursors WHERE name = {name} FOR UPDATE SKIP LOCKED
            """).SingleOrDefaultAsync(cancellationToken);
        if (cursor is null)
        {
            return null;
        }

        // In cursor order, each row says whether its transaction is older than every one still running. The page is the
        // prefix of such rows: from the first younger one on (its transaction may still be running, and so may be another
        // that would commit an event before it), the reader must wait.
        // Qualified names throughout: a bare ORDER BY transaction_id would sort by the text column of the output ('1000' before
        // '999') and move the cursor back.
        var rows = await db.Database.SqlQuery<PendingEvent>($"""
            SELECT e.tenant_id, e.id, e.type, e.created_at, e.transaction_id::text AS transaction_id,
                   e.dispatched_at IS NOT NULL AS delivered_by_writer, e.transaction_id < pg_snapshot_xmin(pg_current_snapshot()) AS settled
            FROM events e
            WHERE (e.transaction_id, e.id) > ({cursor.TransactionId}::xid8, {cursor.EventId})
            ORDER BY e.transaction_id, e.id
            LIMIT {limit}
            """).ToListAsync(cancellationToken);
        var settled = rows.TakeWhile(e => e.Settled).ToList();
        return new OutboxPage(name, settled, HeldBack: settled.Count < rows.Count);
    }

    /// <summary>How many committed events lie past the cursor (a gauge of the reader's backlog).</summary>
    public static Task<long> BacklogAsync(OrderCoreDbContext db, string name, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<long>($"""
            SELECT count(*) AS "Value" FROM events e JOIN outbox_cursors c ON c.name = {name}
            WHERE (e.transaction_id, e.id) > (c.transaction_id, c.event_id)
            """).SingleAsync(cancellationToken);

    /// <summary>Where a cursor stands.</summary>
    private sealed class Position
    {
        public required string TransactionId { get; init; }
        public required string EventId { get; init; }
    }
}

/// <summary>
/// Events past a cursor, read under its lock; <see cref="AdvanceAsync"/> moves the cursor past them. <c>HeldBack</c>: more
/// events follow whose transactions were not yet older than every running one; look again shortly.
/// </summary>
public sealed class OutboxPage(string name, IReadOnlyList<PendingEvent> events, bool HeldBack)
{
    public IReadOnlyList<PendingEvent> Events => events;

    public bool HeldBack { get; } = HeldBack;

    public async Task AdvanceAsync(OrderCoreDbContext db, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        var last = events[^1];
        await db.Database.ExecuteSqlAsync($"""
            UPDATE outbox_cursors SET transaction_id = {last.TransactionId}::xid8, event_id = {last.Id} WHERE name = {name}
            """, cancellationToken);
    }
}

/// <summary>
/// What a reader needs of an event past its cursor. <see cref="DeliveredByWriter"/>: its writer made its deliveries itself
/// (the webhook smoke test), so the dispatcher must not make them again.
/// </summary>
public sealed class PendingEvent
{
    public required string TenantId { get; init; }
    public required string Id { get; init; }
    public required string Type { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public required string TransactionId { get; init; }
    public bool DeliveredByWriter { get; init; }

    /// <summary>Its transaction is older than every transaction still running: no event can commit before it any more.</summary>
    public bool Settled { get; init; }
}
