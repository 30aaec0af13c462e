using Microsoft.AspNetCore.DataProtection;

namespace OrderCore.Api.Platform.Idempotency;

/// <summary>
/// The transaction boundary of every write request of a route group, and idempotency for every POST
/// (<see cref="IdempotencyRouting.WithIdempotency{TBuilder}"/>, outermost among the group's filters but for the retry boundary, <see cref="DatabaseRetryFilter"/>).
/// <list type="bullet">
/// <item>Each write runs in the request's <see cref="UnitOfWork"/>, begun here (again, when the retry boundary outside reruns
/// the request after a transient database failure). An answer of 400 or more rolls the
/// handler's changes back, so a rejected request changes nothing; otherwise changes the handler left unsaved are saved
/// here, in one batch with the stored answer, and committed.</item>
/// <item>With an <c>Idempotency-Key</c> (header or body field <c>idempotency_key</c>) the first round trip of the
/// transaction takes a transaction-scoped advisory lock on the key and then reads its stored answer (two statements: the
/// read's snapshot follows the lock). A stored answer is replayed, whether or not the lock was free (any number of
/// retries of a finished request can run at once); without one, a key locked by another request gets 409
/// <c>idempotency_key_in_use</c>, and otherwise the handler runs and its answer (status &lt; 500) is stored in the same
/// transaction as the rows it describes: no crash can separate the two. A refusal (4xx) is stored after the rollback, in
/// a transaction of its own under the same lock, unless another request with the key has meanwhile taken it.</item>
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

    private readonly IDataProtector _sealer = dataProtection.CreateProtector("OrderCore.Idempotency.SecretAnswer.v1");

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var method = http.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method))
        {
            return await next(context);
        }

        var read = HttpMethods.IsPost(method) ? ReadKey(http) : null;
        if (read is { Error: { } keyError })
        {
            return keyError;
        }

        var services = http.RequestServices;
        var tenant = services.GetRequiredService<CurrentTenant>();
        var key = read?.Value is { } value
            ? new RequestKey(tenant.IdempotencyScope ?? AdminScope, value, HashRequest(http),
                // Who may have this answer replayed: on a route whose answer holds a secret, only the caller that made it.
                http.GetEndpoint()?.Metadata.GetMetadata<SecretInAnswer>() is null ? null : tenant.ApiKeyId ?? AdminScope)
            : null;

        var cancellationToken = http.RequestAborted;
        var work = services.GetRequiredService<UnitOfWork>();
        await work.BeginAsync(cancellationToken);
        try
        {
            var claim = key is null ? null : await ClaimAsync(work.Db, key, cancellationToken);
            if (claim?.Answer is { } answer)
            {
                return answer;
            }

            if (claim is { Locked: false })
            {
                return ApiError.Conflict("idempotency_key_in_use", "A request with this Idempotency-Key is still being processed; retry shortly");
            }

            var response = http.Response;
            var originalBody = response.Body;
            using var buffer = new MemoryStream();
            response.Body = buffer;
            object? result;
            try
            {
                result = await next(context);
                await ExecuteAsync(result, http);
            }
            finally
            {
                response.Body = originalBody;
            }

            var status = response.StatusCode;
            if (status >= StatusCodes.Status400BadRequest)
            {
                await work.RollbackAsync();
                // 5xx: nothing is kept, so the client may retry with the same key.
                if (key is not null && status < StatusCodes.Status500InternalServerError)
                {
                    await StoreRefusalAsync(work, key, response, buffer.ToArray(), cancellationToken);
                }
            }
            else
            {
                if (key is not null)
                {
                    await StoreAsync(work.Db, key, claim!.ExpiredRecordExists, response, buffer.ToArray(), (result as IValueHttpResult)?.Value,
                        cancellationToken);
                }

                await work.Db.SaveChangesAsync(cancellationToken);
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

    /// <summary>An Idempotency-Key as this request uses it: its scope (tenant or admin), the request's hash, and who a sealed answer is for.</summary>
    private sealed record RequestKey(string Scope, string Value, byte[] RequestHash, string? SealFor)
    {
        public string LockName => $"idempotency\n{Scope}\n{Value}";
    }

    /// <summary>What the first round trip learnt: whether the key's lock was taken, the answer to give instead of running the handler.</summary>
    private sealed record Claim(bool Locked, IResult? Answer, bool ExpiredRecordExists);

    /// <summary>Takes the key's lock and reads its stored answer, in one round trip of the unit's transaction.</summary>
    private async Task<Claim> ClaimAsync(OrderCoreDbContext db, RequestKey key, CancellationToken cancellationToken)
    {
        var batch = new SqlBatch(db);
        var locked = batch.TryLock(key.LockName);
        // An answer stored as an event's object (EventId) is read from the event, which outlives the record.
        var stored = batch.AddRows($"""
            SELECT i.request_hash, i.status_code, i.content_type, i.location,
                   CASE WHEN i.event_id IS NULL THEN i.body ELSE convert_to(e.data::text, 'UTF8') END, i.sealed_for, i.expires_at
            FROM idempotency_records i LEFT JOIN events e ON e.tenant_id = i.scope AND e.id = i.event_id
            WHERE i.scope = {key.Scope} AND i.key = {key.Value}
            """, row => (Record: new IdempotencyRecord
        {
            Scope = key.Scope,
            Key = key.Value,
            RequestHash = (byte[])row[0],
            StatusCode = row.GetInt32(1),
            ContentType = row.IsDBNull(2) ? null : row.GetString(2),
            Location = row.IsDBNull(3) ? null : row.GetString(3),
            Body = row.IsDBNull(4) ? [] : (byte[])row[4],
            SealedFor = row.IsDBNull(5) ? null : row.GetString(5),
            ExpiresAt = row.GetFieldValue<DateTimeOffset>(6),
        },
            // The event of an answer stored by reference is gone (impossible while the retention rules hold): the record
            // then counts as expired.
            Lost: row.IsDBNull(4)));
        await batch.ExecuteAsync(cancellationToken);
        var (record, lost) = stored.Value.SingleOrDefault();
        var live = record is not null && !lost && record.ExpiresAt > clock.GetUtcNow();
        return new Claim(locked.Value.Single(), live ? Answer(record!, key) : null, ExpiredRecordExists: record is not null && !live);
    }

    /// <summary>The stored answer for this key (replayed), or 422 for a different request, or 409 for another caller of a sealed one.</summary>
    private IResult Answer(IdempotencyRecord stored, RequestKey key)
    {
        if (!CryptographicOperations.FixedTimeEquals(stored.RequestHash, key.RequestHash))
        {
            return new ApiError(StatusCodes.Status422UnprocessableEntity, "idempotency_key_mismatch",
                "This Idempotency-Key was used with a different request (method, path or body)");
        }

        if (stored.SealedFor is null)
        {
            return new StoredAnswer(stored, stored.Body);
        }

        // The answer holds a secret: only the caller that made the first request may see it again.
        if (!string.Equals(stored.SealedFor, key.SealFor, StringComparison.Ordinal))
        {
            return ApiError.Conflict("idempotency_key_other_caller",
                "This Idempotency-Key's answer holds a secret and is replayed only to the API key that made the first request");
        }

        return new StoredAnswer(stored, _sealer.Unprotect(stored.Body));
    }

    /// <summary>
    /// Stores a refusal once the handler's changes are rolled back: in a transaction of its own, under the key's lock, unless
    /// another request with the key took the lock or stored an answer in between (that one then stands).
    /// </summary>
    private async Task StoreRefusalAsync(UnitOfWork work, RequestKey key, HttpResponse response, byte[] body, CancellationToken cancellationToken)
    {
        await work.BeginAsync(cancellationToken);
        var claim = await ClaimAsync(work.Db, key, cancellationToken);
        if (claim is { Locked: true, Answer: null })
        {
            await StoreAsync(work.Db, key, claim.ExpiredRecordExists, response, body, answered: null, cancellationToken);
            await work.Db.SaveChangesAsync(cancellationToken);
            await work.CommitAsync(cancellationToken);
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

    private static byte[] HashRequest(HttpContext context)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var request = context.Request;
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method}\n{request.Path}{request.QueryString}\n"));
        hash.AppendData(context.Features.Get<RequestBody>()?.Raw ?? []);
        return hash.GetHashAndReset();
    }

    /// <summary>
    /// Adds the answer to the unit's next save, which writes it in one batch with the handler's rows. An expired record of the
    /// key (the lock is ours and no live one exists) is deleted first, a statement of its own: rare. When the answer is an
    /// object an aggregate raised as an event in this unit (<paramref name="answered"/>, the same object, serialized to the
    /// same bytes), the record names the event instead of holding the body again.
    /// </summary>
    private async Task StoreAsync(OrderCoreDbContext db, RequestKey key, bool replaceExpired, HttpResponse response, byte[] body, object? answered,
        CancellationToken cancellationToken)
    {
        var byEvent = key.SealFor is null && answered is not null && options.Value.Retention <= EventOptions.MinimumRetention
            && db.FindRaisedEvent(answered) is { } raised && body.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(raised.Json))
            ? raised.Id
            : null;
        var now = clock.GetUtcNow();
        var retention = options.Value.Retention;
        if (key.SealFor is not null)
        {
            body = _sealer.Protect(body);
            retention = TimeSpan.FromTicks(Math.Min(retention.Ticks, options.Value.SecretRetention.Ticks));
        }

        var location = response.Headers.Location.ToString();
        var record = new IdempotencyRecord
        {
            Scope = key.Scope, Key = key.Value, RequestHash = key.RequestHash, StatusCode = response.StatusCode, ContentType = response.ContentType,
            Location = location.Length > 0 ? location : null, Body = byEvent is null ? body : [], EventId = byEvent, SealedFor = key.SealFor,
            CreatedAt = now, ExpiresAt = now + retention,
        };
        if (replaceExpired)
        {
            await db.Set<IdempotencyRecord>().Where(r => r.Scope == key.Scope && r.Key == key.Value).ExecuteDeleteAsync(cancellationToken);
        }

        db.Set<IdempotencyRecord>().Add(record);
        logger.LogDebug("Storing idempotent answer {StatusCode} for key in scope {Scope}", response.StatusCode, key.Scope);
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
