using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace OrderCore.Api.Platform.Auth;

/// <summary>
/// How routes declare the scopes an API key needs, and how keys are checked against them. The scope names
/// belong to the features whose routes they guard (<c>catalog:read</c>, ...); <see cref="ScopeCatalog"/>
/// collects them from the routes, and <c>*</c> grants all of them.
/// </summary>
public static class Scopes
{
    /// <summary>The scopes of <paramref name="required"/> that <paramref name="granted"/> does not cover.</summary>
    public static string[] Missing(IEnumerable<string> granted, IEnumerable<string> required)
    {
        var held = granted as IReadOnlyCollection<string> ?? granted.ToList();
        return held.Contains(ApiKeys.AllScopes) ? [] : required.Where(r => !held.Contains(r)).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// Declares the scopes of a route group once: GET and HEAD endpoints need <paramref name="read"/>, every
    /// other method <paramref name="write"/>. Applied to each endpoint of the group (also those mapped later)
    /// as <see cref="RequiredScopes"/> metadata, enforced by <see cref="ScopeAuthorizationHandler"/>.
    /// </summary>
    public static TBuilder RequireScopes<TBuilder>(this TBuilder builder, string read, string write) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireScopes([read], [write]);

    public static TBuilder RequireScopes<TBuilder>(this TBuilder builder, string[] read, string[] write) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            var methods = endpoint.Metadata.OfType<IHttpMethodMetadata>().FirstOrDefault()?.HttpMethods ?? [];
            var isRead = methods.Count > 0 && methods.All(m => HttpMethods.IsGet(m) || HttpMethods.IsHead(m));
            endpoint.Metadata.Add(new RequiredScopes(isRead ? read : write));
            // 403: forbidden (missing_scopes) or tenant_suspended, in the one error shape.
            endpoint.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status403Forbidden, typeof(ApiProblem), [ProblemWriter.ContentType]));
        });
        return builder;
    }

    public static IReadOnlyList<string> Of(ClaimsPrincipal user) =>
        user.FindAll(ApiKeyAuthenticationHandler.ScopeClaim).Select(c => c.Value).ToList();
}

/// <summary>
/// The scopes of this deployment: every scope some route declares with <see cref="Scopes.RequireScopes{TBuilder}(TBuilder, string, string)"/>,
/// so a feature's scopes exist exactly when its routes do.
/// </summary>
public sealed class ScopeCatalog(EndpointDataSource endpoints)
{
    private readonly Lazy<IReadOnlyList<string>> _all = new(() => endpoints.Endpoints
        .SelectMany(e => e.Metadata.GetOrderedMetadata<RequiredScopes>().SelectMany(r => r.Scopes))
        .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList());

    public IReadOnlyList<string> All => _all.Value;

    public bool IsKnown(string scope) => scope == ApiKeys.AllScopes || All.Contains(scope, StringComparer.Ordinal);
}

/// <summary>Endpoint metadata: the scopes a key needs for this endpoint. Also the authorization requirement itself.</summary>
public sealed class RequiredScopes(IReadOnlyList<string> scopes) : IAuthorizationRequirementData, IAuthorizationRequirement
{
    public IReadOnlyList<string> Scopes { get; } = scopes;

    public IEnumerable<IAuthorizationRequirement> GetRequirements() => [this];
}

/// <summary>
/// The one place scopes (and the tenant's status) are enforced, in the authorization middleware: before the
/// body is read and before the write transaction opens. Denials are rendered by <see cref="ApiAuthorizationResultHandler"/>.
/// </summary>
public sealed class ScopeAuthorizationHandler : AuthorizationHandler<RequiredScopes>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RequiredScopes requirement)
    {
        if (context.User.HasClaim(ApiKeyAuthenticationHandler.TenantStatusClaim, TenantStatusText.Suspended))
        {
            context.Fail(new AuthorizationFailureReason(this, "tenant_suspended"));
        }
        else if (Scopes.Missing(Scopes.Of(context.User), requirement.Scopes).Length == 0)
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>Answers a denied, authenticated request with 403 <c>tenant_suspended</c> or <c>forbidden</c> + <c>missing_scopes</c>.</summary>
public sealed class ApiAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden || context.User.FindFirst(ApiKeyAuthenticationHandler.TenantIdClaim) is null)
        {
            return _default.HandleAsync(next, context, policy, authorizeResult);
        }

        if (context.User.HasClaim(ApiKeyAuthenticationHandler.TenantStatusClaim, TenantStatusText.Suspended))
        {
            return ProblemWriter.WriteAsync(context, new ApiError(StatusCodes.Status403Forbidden, "tenant_suspended",
                "This tenant is suspended; contact the operator"));
        }

        var required = context.GetEndpoint()?.Metadata.GetOrderedMetadata<RequiredScopes>().SelectMany(r => r.Scopes) ?? [];
        var missing = Scopes.Missing(Scopes.Of(context.User), required);
        return ProblemWriter.WriteAsync(context, new ApiError(StatusCodes.Status403Forbidden, "forbidden",
            $"This API key lacks the scope{(missing.Length == 1 ? "" : "s")} {string.Join(", ", missing)}").With("missing_scopes", missing));
    }
}
