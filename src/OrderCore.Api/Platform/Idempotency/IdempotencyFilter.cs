using Microsoft.AspNetCore.DataProtection;

namespace OrderCore.Api.Platform.Idempotency;

/// <summary>
/// The transaction boundary of every write request of a route group, and idempotency for every POST
/// (<see cref="IdempotencyRouting.WithIdempotency{TBuilder}"/>, outermost among the group's filters but for the retry boundary, <see cref="DatabaseRetryFilter"/>).
/// <list type="bullet">
/// <item>Each write runs in the request's <see cref="UnitOfWork"/>, begun here. Handlers only call SaveChanges;
/// an answer of 400 or more rolls their changes back (to a savepoint), so a rejected request changes nothing.</item>
/// <item>With an <c>Idempotency-Key</c> (header or body field <c>idempotency_key</c>) the key is locked
/// for the duration with a transaction-scoped advisory lock (a second request meanwhile gets 409
/// <c>idempotency_key_in_use</c>), a stored answer is replayed, and otherwise the answer (status &lt; 500)
/// is stored in the same transaction as the rows it describes: no crash can separate the two.</item>
/// <item>On a route marked <see cref="IdempotencyRouting.WithSecretInAnswer{TBuilder}"/> the stored answer is encrypted with
/// Data Protection, kept at most <see cref="IdempotencyOptions.SecretRetention"/>, and replayed only to the caller (API key)
/// that made the first request; another key of the tenant gets 409 <c>idempotency_key_other_caller</c>.</item>
/// </list>
/// The handler's result is executed here, into a buffer, so that the answer is stored and committed
/// before any of it goes out.
/// </summary>
public sealed class IdempotencyFilter(
    IOptions<IdempotencyOptions> options,
    TimeProvider clock,
    IDataProtectionProvider dataProtection,
    ILogger<IdempotencyFilter> logger) : IEndpointFilter
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    private const string AdminScope = "admin";
    private const string HandlerSavepoint = "request_handler";

    private readonly IDataProtector _sealer = dataProtection.CreateProtector("OrderCore.Idempotency.SecretAnswer.v1");

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var method = http.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method))
        {
            return await next(context);
        }

        var key = HttpMethods.IsPost(method) ? ReadKey(http) : null;
        if (key is { Error: { } keyError })
        {
            return keyError;
        }

        var cancellationToken = http.RequestAborted;
        var services = http.RequestServices;
        var work = services.GetRequiredService<UnitOfWork>();
        var tenant = services.GetRequiredService<CurrentTenant>();
        var scope = tenant.IdempotencyScope ?? AdminScope;
        var requestHash = key is null ? null : HashRequest(http);
        // Who may have this answer replayed: on a route whose answer holds a secret, only the caller that made it.
        var sealFor = http.GetEndpoint()?.Metadata.GetMetadata<SecretInAnswer>() is null ? null : tenant.ApiKeyId ?? AdminScope;

        // A key that already has its answer is replayed without a transaction or a lock, so that any
        // number of retries of a finished request can run at once.
        if (key?.Value is { } finishedKey && await FindAnswerAsync(work.Db, scope, finishedKey, requestHash!, sealFor, cancellationToken) is { } finished)
        {
            return finished;
        }

        await work.BeginAsync(cancellationToken);
        try
        {
            if (key?.Value is { } idempotencyKey)
            {
                // Held until this transaction ends and never waited for: two requests with one key can
                // never both run the handler.
                if (!await work.Db.TryLockAsync($"idempotency\n{scope}\n{idempotencyKey}", cancellationToken))
                {
                    return ApiError.Conflict("idempotency_key_in_use", "A request with this Idempotency-Key is still being processed; retry shortly");
                }

                // The first request may have committed between the check above and taking the lock.
                if (await FindAnswerAsync(work.Db, scope, idempotencyKey, requestHash!, sealFor, cancellationToken) is { } answer)
                {
                    return answer;
                }
            }

            await work.SavepointAsync(HandlerSavepoint, cancellationToken);
            var response = http.Response;
            var originalBody = response.Body;
            using var buffer = new MemoryStream();
            response.Body = buffer;
            try
            {
                await ExecuteAsync(await next(context), http);
            }
            finally
            {
                response.Body = originalBody;
            }

            var status = response.StatusCode;
            if (status >= StatusCodes.Status500InternalServerError)
            {
                // 5xx: nothing is kept, so the client may retry with the same key.
                await work.RollbackAsync();
            }
            else
            {
                if (status >= StatusCodes.Status400BadRequest)
                {
                    await work.RollbackToSavepointAsync(HandlerSavepoint, cancellationToken);
                }

                if (key?.Value is { } keyToStore)
                {
                    await StoreAsync(work.Db, scope, keyToStore, requestHash!, response, buffer.ToArray(), sealFor, cancellationToken);
                }

                await work.CommitAsync(cancellationToken);
            }

            buffer.Position = 0;
            await buffer.CopyToAsync(originalBody, cancellationToken);
            return Results.Empty;
        }
        finally
        {
            // Rolls back whatever is still open (an early answer, an exception), as disposing a transaction does.
            await work.DisposeAsync();
        }
    }

    /// <summary>The request names a well-formed idempotency key (what makes running it again safe, <see cref="DatabaseRetryFilter"/>).</summary>
    public static bool HasKey(HttpContext context) => ReadKey(context) is { Value: not null };

    /// <summary>What the endpoint would have written, written (into the buffer) now.</summary>
    private static Task ExecuteAsync(object? result, HttpContext context) => result switch
    {
        IResult answer => answer.ExecuteAsync(context),
        null => Task.CompletedTask,
        string text => Results.Text(text).ExecuteAsync(context),
        _ => Results.Json(result).ExecuteAsync(context),
    };

    private static (string? Value, ApiError? Error)? ReadKey(HttpContext context)
    {
        var header = context.Request.Headers[HeaderName].ToString();
        var bodyField = context.Features.Get<RequestBody>()?.StringField(JsonShape.IdempotencyKeyField);
        if (header.Length > 0 && bodyField is not null && !string.Equals(header, bodyField, StringComparison.Ordinal))
        {
            return (null, ApiError.Validation(JsonShape.IdempotencyKeyField, "differs from the Idempotency-Key header; send one or make them equal"));
        }

        var key = header.Length > 0 ? header : bodyField;
        if (key is null)
        {
            return null;
        }

        if (key.Length is 0 or > IdempotencyOptions.MaxKeyLength || key.Any(char.IsControl))
        {
            return (null, ApiError.Validation(JsonShape.IdempotencyKeyField,
                $"must be 1 to {IdempotencyOptions.MaxKeyLength} printable characters"));
        }

        return (key, null);
    }

    /// <summary>The stored answer for this key (replayed), or 422 for a different request; null when there is none.</summary>
    private async Task<IResult?> FindAnswerAsync(OrderCoreDbContext db, string scope, string key, byte[] requestHash, string? caller,
        CancellationToken cancellationToken)
    {
        var stored = await db.Set<IdempotencyRecord>().AsNoTracking()
            .SingleOrDefaultAsync(r => r.Scope == scope && r.Key == key, cancellationToken);
        if (stored is null || stored.ExpiresAt <= clock.GetUtcNow())
        {
            return null;
        }

        if (!CryptographicOperations.FixedTimeEquals(stored.RequestHash, requestHash))
        {
            return new ApiError(StatusCodes.Status422UnprocessableEntity, "idempotency_key_mismatch",
                "This Idempotency-Key was used with a different request (method, path or body)");
        }

        if (stored.SealedFor is null)
        {
            return new StoredAnswer(stored, stored.Body);
        }

        // The answer holds a secret: only the caller that made the first request may see it again.
        if (!string.Equals(stored.SealedFor, caller, StringComparison.Ordinal))
        {
            return ApiError.Conflict("idempotency_key_other_caller",
                "This Idempotency-Key's answer holds a secret and is replayed only to the API key that made the first request");
        }

        return new StoredAnswer(stored, _sealer.Unprotect(stored.Body));
    }

    private static byte[] HashRequest(HttpContext context)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var request = context.Request;
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method}\n{request.Path}{request.QueryString}\n"));
        hash.AppendData(context.Features.Get<RequestBody>()?.Raw ?? []);
        return hash.GetHashAndReset();
    }

    private async Task StoreAsync(OrderCoreDbContext db, string scope, string key, byte[] requestHash, HttpResponse response,
        byte[] body, string? sealFor, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var retention = options.Value.Retention;
        if (sealFor is not null)
        {
            body = _sealer.Protect(body);
            retention = TimeSpan.FromTicks(Math.Min(retention.Ticks, options.Value.SecretRetention.Ticks));
        }

        var expiresAt = now + retention;
        var location = response.Headers.Location.ToString();
        // An expired record for the same key is replaced; a live one cannot exist here (we hold the lock
        // and found none).
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO idempotency_records (scope, key, request_hash, status_code, content_type, location, body, sealed_for, created_at, expires_at)
            VALUES ({scope}, {key}, {requestHash}, {response.StatusCode}, {response.ContentType}, {(location.Length > 0 ? location : null)}, {body}, {sealFor}, {now}, {expiresAt})
            ON CONFLICT (scope, key) DO UPDATE SET
                request_hash = EXCLUDED.request_hash, status_code = EXCLUDED.status_code, content_type = EXCLUDED.content_type,
                location = EXCLUDED.location, body = EXCLUDED.body, sealed_for = EXCLUDED.sealed_for, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
            """, cancellationToken);
        logger.LogDebug("Stored idempotent answer {StatusCode} for key in scope {Scope}", response.StatusCode, scope);
    }

    /// <summary>A stored answer, replayed with <c>Idempotent-Replayed: true</c>.</summary>
    private sealed class StoredAnswer(IdempotencyRecord stored, byte[] body) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = stored.StatusCode;
            response.ContentType = stored.ContentType;
            if (stored.Location is not null)
            {
                response.Headers.Location = stored.Location;
            }

            response.Headers[ReplayedHeader] = "true";
            await response.Body.WriteAsync(body, httpContext.RequestAborted);
        }
    }
}

public static class IdempotencyRouting
{
    /// <summary>
    /// Every write of the group runs in one transaction and POSTs honour <c>Idempotency-Key</c>
    /// (<see cref="IdempotencyFilter"/>); reads and keyed POSTs are retried across transient database failures (<see cref="DatabaseRetryFilter"/>). Add it first, so that validation and <see cref="ApiException"/>
    /// answers are stored and rolled back like any other.
    /// </summary>
    public static TBuilder WithIdempotency<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder, DatabaseRetryFilter>().AddEndpointFilter<TBuilder, IdempotencyFilter>().WithMetadata(TransactionalWrites.Instance);

    /// <summary>The route's answer holds a secret: replays of it are encrypted, short-lived and only for the same caller.</summary>
    public static TBuilder WithSecretInAnswer<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(SecretInAnswer.Instance);
}

/// <summary>
/// Endpoint metadata for a route whose answer holds a secret (an API key, a webhook secret, a token) shown once: an
/// idempotent replay of it is stored encrypted, kept at most an hour and replayed only to the same caller
/// (<see cref="IdempotencyFilter"/>). Named on the route with <see cref="IdempotencyRouting.WithSecretInAnswer{TBuilder}"/>.
/// </summary>
public sealed class SecretInAnswer
{
    public static readonly SecretInAnswer Instance = new();

    private SecretInAnswer()
    {
    }
}

/// <summary>
/// Endpoint metadata for a route that writes through units of work of its own (<see cref="UnitOfWorkFactory"/>) instead of
/// the request's: a signed inbound webhook that must record a rejection it answers with 401, which the request's unit
/// would roll back. Named on the route, so the exception is visible where it is made.
/// </summary>
public sealed class OwnUnitsOfWork
{
    public static readonly OwnUnitsOfWork Instance = new();

    private OwnUnitsOfWork()
    {
    }
}

/// <summary>Endpoint metadata: the endpoint's writes run in the idempotency filter's unit of work.</summary>
public sealed class TransactionalWrites
{
    public static readonly TransactionalWrites Instance = new();

    private TransactionalWrites()
    {
    }
}
