using System.Reflection;

namespace OrderCore.Api.Features.Health;

internal sealed record HealthResponse(string Status, string Database, string Version);

internal static class HealthApi
{
    private static readonly string Version =
        typeof(HealthApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    public static void MapHealthApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/health", Check)
            .AllowAnonymous()
            .WithTags("Health")
            .WithName("Health")
            .WithSummary("Liveness and database reachability (no auth)")
            .Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable);

    public static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> Check(OrderCoreDbContext db, ILogger<HealthResponse> logger,
        CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            await db.Database.ExecuteSqlRawAsync("SELECT 1", timeout.Token);
            return TypedResults.Ok(new HealthResponse("ok", "ok", Version));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Health check: database unreachable ({Error})", ex.GetType().Name);
            return TypedResults.Json(new HealthResponse("degraded", "unreachable", Version), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
