using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OrderCore.Api.Platform.Auth;
using OrderCore.Api.Platform.Errors;
using OrderCore.Api.Platform.Json;
using OrderCore.Api.Platform.Persistence;

namespace OrderCore.Api.Platform.Idempotency;

/// <summary>
/// The transaction boundary of every write request, and idempotency for every POST.
/// <list type="bullet">
/// <item>Each write runs in one database transaction opened here. Handlers only call SaveChanges; an
/// answer of 400 or more rolls their changes back (to a savepoint), so a rejected request changes nothing.</item>
/// <item>With an <c>Idempotency-Key</c> (header or body field <c>idempotency_key</c>) the key is locked
/// for the duration with a transaction-scoped advisory lock (a second request meanwhile gets 409
/// <c>idempotency_key_in_use</c>), a stored answer is replayed, and otherwise the answer (status &lt; 500)
/// is stored in the same transaction as the rows it describes: no crash can separate the two.</item>
/// </list>
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, IOptions<IdempotencyOptions> options, TimeProvider clock,
    ILogger<IdempotencyMiddleware> logger)
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    private const string AdminScope = "admin";
    private const string HandlerSavepoint = "request_handler";

    public async Task InvokeAsync(HttpContext context, OrderCoreDbContext db, CurrentTenant tenant)
    {
        var method = context.Request.Method;
        if (!context.GetEndpoint().IsRouteHandler() || HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method))
        {
            await next(context);
            return;
        }

        var key = HttpMethods.IsPost(method) ? ReadKey(context) : null;
        if (key is { Error: { } keyError })
        {
            await ProblemWriter.WriteAsync(context, keyError);
            return;
        }

        var cancellationToken = context.RequestAborted;
        var scope = tenant.IdempotencyScope ?? AdminScope;
        var requestHash = key is null ? null : HashRequest(context);

        // A key that already has its answer is replayed without a transaction or a lock, so that any
        // number of retries of a finished request can run at once.
        if (key?.Value is { } finishedKey && await TryAnswerFromRecordAsync(context, db, scope, finishedKey, requestHash!))
        {
            return;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The savepoint below already makes a failed handler recoverable; EF's own savepoint around every
        // SaveChanges would only add two round trips per write.
        db.Database.AutoSavepointsEnabled = false;

        if (key?.Value is { } idempotencyKey)
        {
            // Held until this transaction ends and never waited for: two requests with one key can
            // never both run the handler.
            if (!await db.TryLockAsync($"idempotency\n{scope}\n{idempotencyKey}", cancellationToken))
            {
                await ProblemWriter.WriteAsync(context, ApiError.Conflict("idempotency_key_in_use",
                    "A request with this Idempotency-Key is still being processed; retry shortly"));
                return;
            }

            // The first request may have committed between the check above and taking the lock.
            if (await TryAnswerFromRecordAsync(context, db, scope, idempotencyKey, requestHash!))
            {
                return;
            }
        }

        await transaction.CreateSavepointAsync(HandlerSavepoint, cancellationToken);
        var response = context.Response;
        var originalBody = response.Body;
        using var buffer = new MemoryStream();
        response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            response.Body = originalBody;
        }

        var status = response.StatusCode;
        if (status >= StatusCodes.Status500InternalServerError)
        {
            // 5xx: nothing is kept, so the client may retry with the same key.
            await transaction.RollbackAsync(CancellationToken.None);
        }
        else
        {
            if (status >= StatusCodes.Status400BadRequest)
            {
                await transaction.RollbackToSavepointAsync(HandlerSavepoint, cancellationToken);
            }

            if (key?.Value is { } keyToStore)
            {
                await StoreAsync(db, scope, keyToStore, requestHash!, response, buffer.ToArray(), cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(originalBody, cancellationToken);
    }

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

    /// <summary>Replays the stored answer for this key, or answers 422 for a different request; false when there is none.</summary>
    private async Task<bool> TryAnswerFromRecordAsync(HttpContext context, OrderCoreDbContext db, string scope, string key, byte[] requestHash)
    {
        var stored = await db.Set<IdempotencyRecord>().AsNoTracking()
            .SingleOrDefaultAsync(r => r.Scope == scope && r.Key == key, context.RequestAborted);
        if (stored is null || stored.ExpiresAt <= clock.GetUtcNow())
        {
            return false;
        }

        if (!CryptographicOperations.FixedTimeEquals(stored.RequestHash, requestHash))
        {
            await ProblemWriter.WriteAsync(context, new ApiError(StatusCodes.Status422UnprocessableEntity,
                "idempotency_key_mismatch", "This Idempotency-Key was used with a different request (method, path or body)"));
            return true;
        }

        await ReplayAsync(context, stored);
        return true;
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
        byte[] body, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var expiresAt = now + options.Value.Retention;
        var location = response.Headers.Location.ToString();
        // An expired record for the same key is replaced; a live one cannot exist here (we hold the lock
        // and found none).
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO idempotency_records (scope, key, request_hash, status_code, content_type, location, body, created_at, expires_at)
            VALUES ({scope}, {key}, {requestHash}, {response.StatusCode}, {response.ContentType}, {(location.Length > 0 ? location : null)}, {body}, {now}, {expiresAt})
            ON CONFLICT (scope, key) DO UPDATE SET
                request_hash = EXCLUDED.request_hash, status_code = EXCLUDED.status_code, content_type = EXCLUDED.content_type,
                location = EXCLUDED.location, body = EXCLUDED.body, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
            """, cancellationToken);
        logger.LogDebug("Stored idempotent answer {StatusCode} for key in scope {Scope}", response.StatusCode, scope);
    }

    private static async Task ReplayAsync(HttpContext context, IdempotencyRecord stored)
    {
        var response = context.Response;
        response.StatusCode = stored.StatusCode;
        response.ContentType = stored.ContentType;
        if (stored.Location is not null)
        {
            response.Headers.Location = stored.Location;
        }

        response.Headers[ReplayedHeader] = "true";
        await response.Body.WriteAsync(stored.Body, context.RequestAborted);
    }
}
