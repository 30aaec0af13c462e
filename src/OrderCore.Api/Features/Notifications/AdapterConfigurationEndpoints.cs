namespace OrderCore.Api.Features.Notifications;

/// <summary>Per-tenant adapter configuration, read by <c>{configuration.adapter.&lt;key&gt;}</c> in invoke URLs.</summary>
internal static class AdapterConfigurations
{
    private const int MaxKeys = 100;
    private const int MaxValueLength = 2048;

    /// <summary>Creates or replaces the adapter's configuration: an object of keys to strings, numbers or booleans.</summary>
    public static async Task<Results<Ok<AdapterConfigurationResponse>, ApiError>> Put([FromRoute(Name = "adapter_id")] string adapterId,
        JsonObject configuration, OrderCoreDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!Ids.IsWritable(adapterId))
        {
            return ApiError.Validation("adapter_id", ClientIds.Rule);
        }

        if (Problems(configuration) is { Count: > 0 } problems)
        {
            return ApiError.Validation(problems);
        }

        var now = clock.GetUtcNow();
        var stored = await db.AdapterConfigurations.SingleOrDefaultAsync(c => c.AdapterId == adapterId, cancellationToken);
        if (stored is null)
        {
            stored = new AdapterConfiguration { AdapterId = adapterId, CreatedAt = now };
            db.AdapterConfigurations.Add(stored);
        }

        stored.Values = configuration;
        stored.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(AdapterConfigurationResponse.From(stored));
    }

    public static async Task<Results<Ok<AdapterConfigurationResponse>, ApiError>> Get([FromRoute(Name = "adapter_id")] string adapterId,
        OrderCoreDbContext db, CancellationToken cancellationToken)
    {
        var stored = await db.AdapterConfigurations.AsNoTracking().SingleOrDefaultAsync(c => c.AdapterId == adapterId, cancellationToken);
        return stored is null ? ApiError.NotFound($"Adapter {adapterId} has no configuration") : TypedResults.Ok(AdapterConfigurationResponse.From(stored));
    }

    private static Dictionary<string, string[]> Problems(JsonObject configuration)
    {
        var problems = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (configuration.Count > MaxKeys)
        {
            problems["(body)"] = [$"must have at most {MaxKeys} keys"];
        }

        foreach (var (key, value) in configuration)
        {
            if (key.Length is 0 or > 128)
            {
                problems[key] = ["keys must be 1 to 128 characters"];
            }
            else if (value is not JsonValue scalar || scalar.GetValueKind() is JsonValueKind.Null)
            {
                problems[key] = ["must be a string, a number or a boolean"];
            }
            else if (scalar.ToJsonString().Length > MaxValueLength)
            {
                problems[key] = [$"must be at most {MaxValueLength} characters"];
            }
        }

        return problems;
    }
}
