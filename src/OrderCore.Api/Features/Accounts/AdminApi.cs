namespace OrderCore.Api.Features.Accounts;

internal static class AdminApi
{
    /// <summary>Operator routes under <c>/admin/v1</c>; mapped only when ORDERCORE_ADMIN_TOKEN is set, so otherwise they answer 404.</summary>
    public static void MapAdminApi(this IEndpointRouteBuilder app)
    {
        if (string.IsNullOrEmpty(app.ServiceProvider.GetRequiredService<IOptions<AdminOptions>>().Value.Token))
        {
            return;
        }

        var admin = app.MapGroup("/admin/v1")
            .RequireAuthorization(AdminTokenAuthenticationHandler.PolicyName)
            .WithApiConventions()
            .WithTags("Admin");

        admin.MapPost("/tenants", CreateTenant.Handle)
            .WithName("AdminCreateTenant").WithSecretInAnswer()
            .WithSummary("Create a tenant and its first API key (operator only)")
            .ProducesErrors(400, 401, 413, 422);
        admin.MapGet("/tenants", AdminTenants.List)
            .WithName("AdminListTenants").WithSummary("List tenants, newest first (operator only)").ProducesErrors(401);
        admin.MapPatch("/tenants/{id}", AdminTenants.Patch)
            .WithName("AdminUpdateTenant").WithSummary("Change a tenant's name, plan, status, trial end or default rate limit (operator only)")
            .ProducesErrors(400, 401, 404);
        admin.MapPost("/tenants/{id}/api-keys", AdminTenants.CreateApiKey)
            .WithName("AdminCreateApiKey").WithSecretInAnswer().WithSummary("Issue an API key for a tenant, with any scopes (operator only)")
            .ProducesErrors(400, 401, 404, 413, 422);
    }
}
