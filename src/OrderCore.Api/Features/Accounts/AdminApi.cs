using Microsoft.Extensions.Options;
using OrderCore.Api.Platform.Auth;
using OrderCore.Api.Platform.Errors;
using OrderCore.Api.Platform.OpenApi;
using OrderCore.Api.Platform.Validation;

namespace OrderCore.Api.Features.Accounts;

public static class AdminApi
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
            .WithApiErrors()
            .WithValidation()
            .WithTags("Admin");

        admin.MapPost("/tenants", CreateTenant.Handle)
            .WithName("AdminCreateTenant")
            .WithSummary("Create a tenant and its first API key (operator only)")
            .ProducesErrors(400, 401, 413, 422);
    }
}
