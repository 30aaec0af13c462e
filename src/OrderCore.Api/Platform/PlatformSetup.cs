using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using OrderCore.Api.Platform.Health;
using OrderCore.Api.Platform.RateLimiting;
using OrderCore.Api.Platform.Usage;

namespace OrderCore.Api.Platform;

public static class PlatformSetup
{
    /// <summary>What every feature relies on: persistence, auth and tenancy, JSON, errors, idempotency, logging, telemetry, probes, OpenAPI.</summary>
    public static void AddPlatform(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        builder.AddLogging();
        builder.AddTelemetry();
        services.AddHealthProbes(configuration);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.AnswerRejectedRequestsAsProblems();
        });

        services.AddSingleton(TimeProvider.System);
        services.ConfigureHttpJsonOptions(options => JsonDefaults.Configure(options.SerializerOptions));
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) =>
            member is null ? null : JsonNamingPolicy.SnakeCaseLower.ConvertName(member.Name);
        ValidatorOptions.Global.DisplayNameResolver = ValidatorOptions.Global.PropertyNameResolver;
        services.AddValidatorsFromAssemblyContaining<OrderCoreDbContext>(ServiceLifetime.Singleton, includeInternalTypes: true);

        var connectionString = configuration["ORDERCORE_DB"] ?? configuration.GetConnectionString("OrderCore")
            ?? throw new InvalidOperationException("Set ORDERCORE_DB to an Npgsql connection string, e.g. Host=127.0.0.1;Port=55432;Username=postgres;Database=ordercore");
        services.AddScoped<CurrentTenant>();
        OrderCoreDbContext.AddOrderCoreDatabase(services, connectionString);
        services.AddScoped<UnitOfWork>();
        services.AddSingleton<UnitOfWorkFactory>();
        services.Configure<DatabaseOptions>(configuration.GetSection("Database"));
        services.Configure<DatabaseRetryOptions>(configuration.GetSection("DatabaseRetry"));
        services.AddSingleton<DatabaseRetry>();
        services.AddHostedService<DatabaseMigrator>();
        services.AddHostedService<PostgresListener>();
        services.AddHostedService<DataProtectionKeyBootstrap>();
        // Keys live in the database so that every instance can decrypt what another encrypted.
        services.AddDataProtection().SetApplicationName("OrderCore").PersistKeysToDbContext<OrderCoreDbContext>();
        services.AddScoped<Outbox>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<IPostgresNotificationHandler>(provider => provider.GetRequiredService<OutboxSignal>());
        services.AddHostedService<OutboxNotifier>();
        services.Configure<EventOptions>(configuration.GetSection("Events"));
        services.AddHostedService<EventRetentionSweeper>();

        services.Configure<IdempotencyOptions>(configuration.GetSection("Idempotency"));
        services.AddHostedService<IdempotencyRecordSweeper>();

        services.Configure<AdminOptions>(options => options.Token = configuration["ORDERCORE_ADMIN_TOKEN"]);
        services.AddSingleton<ScopeCatalog>();
        services.AddSingleton<ApiKeyCache>();
        services.AddSingleton<IPostgresNotificationHandler>(provider => provider.GetRequiredService<ApiKeyCache>());
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, AdminTokenAuthenticationHandler>(AdminTokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .SetDefaultPolicy(new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build())
            .AddPolicy(AdminTokenAuthenticationHandler.PolicyName, policy => policy
                .AddAuthenticationSchemes(AdminTokenAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser());
        services.AddSingleton<IAuthorizationHandler, ScopeAuthorizationHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ApiAuthorizationResultHandler>();
        services.AddApiKeyRateLimiting(configuration);
        services.AddApiUsage(configuration);

        services.AddApiDocument();
    }

    /// <summary>The request pipeline, outermost first.</summary>
    public static void UsePlatform(this WebApplication app)
    {
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseTelemetry();
        app.UseRequestLogging();
        app.UseApiErrors();
        app.UseSwaggerUI(options =>
        {
            options.SwaggerEndpoint(OpenApiSetup.DocumentPath, "OrderCore API v1");
            options.RoutePrefix = "swagger";
            options.DocumentTitle = "OrderCore API";
        });
        app.UseRouting();
        // Before authentication: a browser's preflight carries no credentials. Policies belong to the features (RequireCors).
        app.UseCors();
        app.UseAuthentication();
        app.UseTenantLogContext();
        // Before authorization, so that every answer to a key (a 403 for a missing scope too) is limited and carries the headers.
        app.UseRateLimiter();
        app.UseMiddleware<ApiRequestCountingMiddleware>();
        app.UseAuthorization();
        app.UseMiddleware<QueryParametersMiddleware>();
        app.UseMiddleware<RequestBodyMiddleware>();

        app.MapOpenApi(OpenApiSetup.DocumentPath.Replace("v1", "{documentName}", StringComparison.Ordinal)).AllowAnonymous();
        app.MapHealthProbes();
    }

    /// <summary>
    /// The <c>/v1</c> group: API-key auth; then, outermost first, each write in one transaction with
    /// idempotency, <see cref="ApiException"/> answers, FluentValidation.
    /// </summary>
    public static RouteGroupBuilder MapApiV1(this IEndpointRouteBuilder app) =>
        app.MapGroup("/v1").RequireAuthorization().WithApiConventions();

    /// <summary>
    /// What every API route has, outermost first: each write in one transaction with idempotency (an architecture
    /// test fails on a write route without it), <see cref="ApiException"/> answers, FluentValidation. For groups
    /// outside <c>/v1</c> (admin, public checkout) and single routes (signed webhooks).
    /// </summary>
    public static TBuilder WithApiConventions<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithIdempotency().WithApiErrors().WithValidation();
}
