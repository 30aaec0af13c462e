namespace OrderCore.Api.Platform.Persistence;

/// <summary>
/// The retry boundary of a request (<see cref="DatabaseRetry"/>), outside the idempotency filter's unit of work, so that an
/// attempt is the whole unit: begin, lock, handler, stored answer, commit. Only requests that are safe to run again are
/// retried: reads, and POSTs with an <c>Idempotency-Key</c> (a second attempt after a commit whose outcome was lost finds
/// the stored answer and replays it). Any other write answers 503 at its first transient failure (<see cref="ErrorHandling"/>).
/// </summary>
public sealed class DatabaseRetryFilter(DatabaseRetry retry) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!IsSafeToRepeat(http))
        {
            return await next(context);
        }

        var aborted = http.RequestAborted;
        var response = http.Response;
        try
        {
            return await retry.ExecuteAsync(http, http.RequestServices.GetRequiredService<OrderCoreDbContext>(), async budget =>
            {
                // What runs inside sees the budget as the request's token (as ASP.NET Core's request timeouts do).
                http.RequestAborted = budget;
                return await next(context);
            }, () =>
            {
                response.StatusCode = StatusCodes.Status200OK;
                response.Headers.Location = default;
                response.Headers.Remove(IdempotencyFilter.ReplayedHeader);
            });
        }
        catch (DatabaseUnavailableException)
        {
            return ApiError.Unavailable();
        }
        finally
        {
            http.RequestAborted = aborted;
        }
    }

    private static bool IsSafeToRepeat(HttpContext http)
    {
        var method = http.Request.Method;
        return HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || (HttpMethods.IsPost(method) && IdempotencyFilter.HasKey(http));
    }
}
