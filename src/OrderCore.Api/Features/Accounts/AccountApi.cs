using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OrderCore.Api.Features.Accounts;

internal static class AccountApi
{
    public static void AddAccounts(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<DemoTenantOptions>(options => options.KeyFile = builder.Configuration["ORDERCORE_DEMO_API_KEY_FILE"]);
        builder.Services.AddHostedService<DemoTenant>();
        builder.Services.Configure<PlanOptions>(builder.Configuration.GetSection("Plans"));
        // The webhooks feature registers its own counter; whichever order the features are added in, it wins.
        builder.Services.TryAddScoped<IWebhookDeliveryCounter, NoWebhookDeliveries>();
        builder.Services.AddReadinessCheck<ApiKeyAccessCheck>().AddReadinessCheck<ApiKeyTtlCheck>();
    }

    public static void MapAccountApi(this RouteGroupBuilder v1)
    {
        var account = v1.MapGroup("/account").WithTags("Account").RequireScopes(AccountScopes.Read, AccountScopes.Write);

        account.MapGet("/auth", AccountInfo.Auth).WithName("GetAccountAuth")
            .WithSummary("The tenant and key of this request: scopes, rate limit and expiry").ProducesErrors(401);
        account.MapGet("/status", AccountInfo.Status).WithName("GetAccountStatus")
            .WithSummary("The tenant's plan, its status and its keys by status").ProducesErrors(401);
        account.MapGet("/usage", AccountUsage.Handle).WithName("GetAccountUsage")
            .WithSummary("This calendar month (UTC): orders, API requests, webhook deliveries, quota and projection")
            .WithDescription("api_requests are counted in memory and written in batches; the last seconds before a crash may be lost.")
            .ProducesErrors(401);
        account.MapGet("/readiness", Readiness.Handle).WithName("GetAccountReadiness")
            .WithSummary("Go-live checklist: ready is true when no check fails").ProducesErrors(401);

        account.MapGet("/api-keys", ApiKeyManagement.List).WithName("ListApiKeys").WithSummary("List the tenant's API keys, newest first")
            .ProducesErrors(401);
        account.MapPost("/api-keys", ApiKeyManagement.Create).WithName("CreateApiKey").WithSecretInAnswer()
            .WithSummary("Create an API key (shown once); it cannot have scopes this key lacks").ProducesErrors(400, 401, 409, 413, 422);
        account.MapDelete("/api-keys/{id}", ApiKeyManagement.Revoke).WithName("RevokeApiKey")
            .WithSummary("Revoke an API key; effective immediately").ProducesErrors(401, 404);
        account.MapPost("/api-keys/{id}/roll", ApiKeyManagement.Roll).WithName("RollApiKey").WithSecretInAnswer()
            .WithSummary("Replace a key with a new one; the old one keeps working for grace_hours (default 24)")
            .ProducesErrors(400, 401, 404, 409, 413, 422);
    }
}

/// <summary>The scopes of the account: its keys, usage and readiness.</summary>
public static class AccountScopes
{
    public static readonly string Read = "account:read";
    public static readonly string Write = "account:write";
}
