namespace OrderCore.Api.Platform.Readiness;

public enum ReadinessStatus
{
    Pass,
    Warn,
    Fail,
}

public sealed record ReadinessCheckResult(string Name, ReadinessStatus Status, string Detail);

/// <summary>What a check may look at: the tenant's data (through the tenant-filtered context) and the calling key.</summary>
public sealed record ReadinessContext(OrderCoreDbContext Db, ApiKey Key, DateTimeOffset Now);

/// <summary>
/// One item of the go-live checklist (<c>GET /v1/account/readiness</c>). Checks are registered in DI
/// (<see cref="ReadinessSetup.AddReadinessCheck{T}"/>) by the feature that owns what they look at, and run in
/// registration order. <c>ready</c> is true when no check fails; warnings do not block.
/// </summary>
public interface IReadinessCheck
{
    string Name { get; }

    Task<ReadinessCheckResult> CheckAsync(ReadinessContext context, CancellationToken cancellationToken);
}

public static class ReadinessSetup
{
    /// <summary>Appends a check to the checklist.</summary>
    public static IServiceCollection AddReadinessCheck<T>(this IServiceCollection services) where T : class, IReadinessCheck =>
        services.AddScoped<IReadinessCheck, T>();

    /// <summary>
    /// Puts <typeparamref name="TNew"/> where <typeparamref name="TOld"/> was, keeping the checklist's order; e.g. the
    /// deployment with its own delivery check: <c>ReplaceReadinessCheck&lt;WebhookDeliveryCheck, MyDeliveryCheck&gt;()</c>.
    /// </summary>
    public static IServiceCollection ReplaceReadinessCheck<TOld, TNew>(this IServiceCollection services)
        where TOld : class, IReadinessCheck where TNew : class, IReadinessCheck
    {
        var index = services.ToList().FindIndex(d => d.ServiceType == typeof(IReadinessCheck) && d.ImplementationType == typeof(TOld));
        if (index < 0)
        {
            throw new InvalidOperationException($"{typeof(TOld).Name} is not registered as a readiness check.");
        }

        services[index] = ServiceDescriptor.Scoped<IReadinessCheck, TNew>();
        return services;
    }

    public static ReadinessCheckResult Result(this IReadinessCheck check, ReadinessStatus status, string detail) => new(check.Name, status, detail);
}
