using Microsoft.EntityFrameworkCore.Storage;

namespace OrderCore.Api.Platform.Persistence;

/// <summary>
/// One database transaction, the tenant its queries see, and the work to do once it has committed: the
/// same for a request (scoped; the idempotency filter begins and ends it) and for background work
/// (<see cref="UnitOfWorkFactory"/>).
/// <list type="bullet">
/// <item>Tenant: a request's unit sees its <see cref="Auth.CurrentTenant"/>; background work sees no tenant
/// until it runs as one (<see cref="RunAsTenantAsync{T}"/>), so the normal query filters and tenant
/// stamping apply there too and no code writes tenant conditions by hand.</item>
/// <item><see cref="OnCommitted"/>: hooks that run after a successful commit, never after a rollback
/// (nor after a rollback to a savepoint taken before they were added).</item>
/// <item>A commit that wrote outbox rows (events, deliveries) wakes their readers through <see cref="OutboxSignal"/>, after
/// the commit and outside the transaction.</item>
/// </list>
/// </summary>
public sealed class UnitOfWork(OrderCoreDbContext db, OutboxSignal outbox) : IAsyncDisposable
{
    private readonly List<Func<CancellationToken, Task>> _onCommitted = [];
    private readonly Dictionary<string, int> _hooksAtSavepoint = new(StringComparer.Ordinal);
    private IDbContextTransaction? _transaction;
    private AsyncServiceScope? _ownedScope;

    public OrderCoreDbContext Db => db;

    /// <summary>The tenant whose rows the queries of this unit see at the moment; null: none.</summary>
    public string? TenantId => db.TenantId;

    private IDbContextTransaction Transaction => _transaction ?? throw new InvalidOperationException("The unit of work has not begun or has ended.");

    /// <summary>A unit of work of its own over the context of <paramref name="scope"/>, which it disposes at the end.</summary>
    internal static UnitOfWork Owning(AsyncServiceScope scope) =>
        new(scope.ServiceProvider.GetRequiredService<OrderCoreDbContext>(), scope.ServiceProvider.GetRequiredService<OutboxSignal>())
        {
            _ownedScope = scope,
        };

    public async Task BeginAsync(CancellationToken cancellationToken)
    {
        if (_transaction is not null)
        {
            throw new InvalidOperationException("The unit of work has already begun.");
        }

        _transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.WroteOutboxRows = false;
        // Savepoints are taken where they are needed (SavepointAsync); EF's own around every SaveChanges would
        // only add two round trips per write.
        db.Database.AutoSavepointsEnabled = false;
    }

    public async Task SavepointAsync(string name, CancellationToken cancellationToken)
    {
        await Transaction.CreateSavepointAsync(name, cancellationToken);
        _hooksAtSavepoint[name] = _onCommitted.Count;
    }

    /// <summary>Undoes everything since the savepoint, including the <see cref="OnCommitted"/> hooks added since.</summary>
    public async Task RollbackToSavepointAsync(string name, CancellationToken cancellationToken)
    {
        await Transaction.RollbackToSavepointAsync(name, cancellationToken);
        var hooks = _hooksAtSavepoint[name];
        _onCommitted.RemoveRange(hooks, _onCommitted.Count - hooks);
    }

    /// <summary>
    /// Runs <paramref name="hook"/> after this unit commits (for example: wait until every instance knows
    /// of a change), and never if it rolls back.
    /// </summary>
    public void OnCommitted(Func<CancellationToken, Task> hook)
    {
        if (_transaction is null)
        {
            throw new InvalidOperationException("Work to do after commit needs a unit of work that has begun.");
        }

        _onCommitted.Add(hook);
    }

    /// <summary>
    /// Commits, then runs the <see cref="OnCommitted"/> hooks in order. The commit stands whatever a hook
    /// does; a hook's exception reaches the caller.
    /// </summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        var hooks = _onCommitted.ToArray();
        try
        {
            await Transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            await EndAsync();
        }

        if (db.WroteOutboxRows)
        {
            db.WroteOutboxRows = false;
            outbox.Committed();
        }

        foreach (var hook in hooks)
        {
            await hook(cancellationToken);
        }
    }

    /// <summary>Rolls back everything (if the unit is still open), forgets the hooks and what the context tracked (none of it was kept).</summary>
    public async Task RollbackAsync()
    {
        if (_transaction is not null)
        {
            try
            {
                // Never cancelled: the connection must not go back to the pool with the transaction open.
                await _transaction.RollbackAsync(CancellationToken.None);
            }
            finally
            {
                db.ChangeTracker.Clear();
                await EndAsync();
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> as <paramref name="tenantId"/> inside this unit, then saves: queries see
    /// only that tenant's rows and new rows are stamped with it. For background work that claimed rows of
    /// several tenants in one statement and now handles them tenant by tenant in the same transaction.
    /// </summary>
    public async Task<T> RunAsTenantAsync<T>(string tenantId, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        db.RunAs(tenantId);
        try
        {
            var result = await work(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            return result;
        }
        finally
        {
            // Nothing tracked for this tenant may be written under the next one.
            db.ChangeTracker.Clear();
            db.RunAs(null);
        }
    }

    public Task RunAsTenantAsync(string tenantId, Func<CancellationToken, Task> work, CancellationToken cancellationToken) =>
        RunAsTenantAsync(tenantId, async ct =>
        {
            await work(ct);
            return true;
        }, cancellationToken);

    /// <summary>Ends the unit: a transaction still open is rolled back by disposing it, which also copes with a broken connection.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_transaction is not null)
            {
                await EndAsync();
            }
        }
        finally
        {
            if (_ownedScope is { } scope)
            {
                _ownedScope = null;
                await scope.DisposeAsync();
            }
        }
    }

    private async Task EndAsync()
    {
        var transaction = _transaction!;
        _transaction = null;
        _onCommitted.Clear();
        _hooksAtSavepoint.Clear();
        await transaction.DisposeAsync();
    }
}

/// <summary>
/// Units of work for background code (workers, sweepers, jobs), each with a scope and a pooled context of
/// its own. Claim across tenants in one statement with <see cref="BeginAsync"/>, then handle each tenant's
/// rows through <see cref="UnitOfWork.RunAsTenantAsync{T}"/>; or do one tenant's work with
/// <see cref="RunAsTenantAsync{T}"/>.
/// </summary>
public sealed class UnitOfWorkFactory(IServiceScopeFactory scopes)
{
    /// <summary>A begun unit of work without a tenant: tenant-owned rows are invisible to it until it runs as one.</summary>
    public async Task<UnitOfWork> BeginAsync(CancellationToken cancellationToken)
    {
        var work = UnitOfWork.Owning(scopes.CreateAsyncScope());
        try
        {
            await work.BeginAsync(cancellationToken);
            return work;
        }
        catch
        {
            await work.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <paramref name="work"/> in a unit of work of its own without a tenant, and commits it.</summary>
    public async Task<T> RunAsync<T>(Func<UnitOfWork, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var unit = await BeginAsync(cancellationToken);
        var result = await work(unit, cancellationToken);
        await unit.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>Runs <paramref name="work"/> as <paramref name="tenantId"/> in a unit of work of its own, saves and commits it.</summary>
    public Task<T> RunAsTenantAsync<T>(string tenantId, Func<OrderCoreDbContext, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        RunAsync((unit, ct) => unit.RunAsTenantAsync(tenantId, inner => work(unit.Db, inner), ct), cancellationToken);

    public Task RunAsTenantAsync(string tenantId, Func<OrderCoreDbContext, CancellationToken, Task> work, CancellationToken cancellationToken) =>
        RunAsTenantAsync(tenantId, async (db, ct) =>
        {
            await work(db, ct);
            return true;
        }, cancellationToken);
}
