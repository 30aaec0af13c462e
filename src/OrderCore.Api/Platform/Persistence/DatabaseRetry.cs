using Npgsql;
using Polly;
using Polly.Retry;

namespace OrderCore.Api.Platform.Persistence;

/// <summary>Bounds of <see cref="DatabaseRetry"/> (section <c>DatabaseRetry</c>).</summary>
public sealed class DatabaseRetryOptions
{
    /// <summary>
    /// How long a request may spend on the database, retries included, before it answers 503 <c>unavailable</c>. Counted from
    /// the first database work of the request, so the key lookup and the handler share it.
    /// </summary>
    public TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>The first pause after a transient failure; later pauses double (with jitter) up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan FirstDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Retries database work that is safe to repeat (a read; a write under an idempotency key, whose record makes a second run
/// replay the first) across transient failures: a restart, a failover, refused or reset connections
/// (<see cref="PostgresErrors.IsTransient"/>). Polly retries with exponential backoff and jitter until the request's
/// <see cref="DatabaseRetryOptions.Budget"/> is spent; then the caller answers 503 <c>unavailable</c> with <c>Retry-After</c>
/// (<see cref="ApiError.Unavailable"/>). Before each new attempt the context forgets what the failed one tracked and the
/// connection pool is emptied, so no attempt picks up a connection the server has already closed.
/// </summary>
public sealed class DatabaseRetry
{
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeSpan _budget;

    // Pauses and the budget run on real time, not on the app's TimeProvider: a test's frozen clock must not stop a retry.
    public DatabaseRetry(IOptions<DatabaseRetryOptions> options, ILogger<DatabaseRetry> logger)
    {
        var settings = options.Value;
        _budget = settings.Budget;
        _pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e.IsTransient()),
                // Bounded by the budget's cancellation, not by a count.
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.FirstDelay,
                MaxDelay = settings.MaxDelay,
                OnRetry = async arguments =>
                {
                    logger.LogWarning("Database unavailable ({Error}); attempt {Attempt} again in {Delay} ms",
                        arguments.Outcome.Exception?.GetType().Name, arguments.AttemptNumber + 2, (int)arguments.RetryDelay.TotalMilliseconds);
                    if (arguments.Context.Properties.TryGetValue(BeforeRetryKey, out var beforeRetry))
                    {
                        await beforeRetry();
                    }
                },
            })
            .Build();
    }

    private static readonly ResiliencePropertyKey<Func<ValueTask>> BeforeRetryKey = new("OrderCore.BeforeRetry");
    private static readonly object BudgetKey = new();

    /// <summary>
    /// Runs <paramref name="work"/> until it succeeds, fails for good, or the budget of the request is spent (then
    /// <see cref="DatabaseUnavailableException"/>). <paramref name="db"/> is reset before each new attempt;
    /// <paramref name="beforeRetry"/> undoes whatever else the failed attempt left behind.
    /// </summary>
    public async Task<T> ExecuteAsync<T>(HttpContext http, DbContext db, Func<CancellationToken, Task<T>> work, Action? beforeRetry = null)
    {
        var aborted = http.RequestAborted;
        var budget = Budget(http);
        var context = ResilienceContextPool.Shared.Get(budget);
        try
        {
            context.Properties.Set(BeforeRetryKey, async () =>
            {
                beforeRetry?.Invoke();
                await ForgetAsync(db);
            });
            return await _pipeline.ExecuteAsync(static async (ctx, state) => await state(ctx.CancellationToken), context, work);
        }
        catch (Exception e) when (e.IsTransient() || e is OperationCanceledException && budget.IsCancellationRequested && !aborted.IsCancellationRequested)
        {
            throw new DatabaseUnavailableException(e);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Cancelled when the request is, or when its budget is spent; the budget starts at the request's first database work.</summary>
    private CancellationToken Budget(HttpContext http)
    {
        if (http.Items[BudgetKey] is not CancellationTokenSource budget)
        {
            budget = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
            budget.CancelAfter(_budget);
            http.Items[BudgetKey] = budget;
            http.Response.RegisterForDispose(budget);
        }

        return budget.Token;
    }

    private static async Task ForgetAsync(DbContext db)
    {
        db.ChangeTracker.Clear();
        var connection = db.Database.GetDbConnection();
        await db.Database.CloseConnectionAsync();
        if (connection is NpgsqlConnection npgsql)
        {
            // The server went away: every idle pooled connection to it is dead too.
            NpgsqlConnection.ClearPool(npgsql);
        }
    }
}

/// <summary>The database stayed unreachable for the whole retry budget of a request: 503 <c>unavailable</c>.</summary>
public sealed class DatabaseUnavailableException(Exception inner) : Exception("The database stayed unreachable", inner);
