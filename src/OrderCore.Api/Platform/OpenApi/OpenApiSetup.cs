using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using OrderCore.Api.Platform.Auth;
using OrderCore.Api.Platform.Errors;

namespace OrderCore.Api.Platform.OpenApi;

/// <summary>
/// The error body every non-2xx answer carries (see <see cref="ProblemWriter"/>). <c>errors</c> appears on
/// validation failures only; some codes add members (<c>sku_id</c>, <c>available</c>, <c>auth_reason</c>, ...).
/// </summary>
public sealed record ApiProblem(
    string Type,
    string Title,
    int Status,
    string Detail,
    string Error,
    string Message,
    string RequestId,
    IReadOnlyDictionary<string, string[]>? Errors = null);

public static class OpenApiSetup
{
    public const string DocumentPath = "/openapi/v1.json";
    private const string ApiKeyScheme = "ApiKey";
    private const string BearerScheme = "Bearer";
    private const string AdminScheme = "AdminToken";

    public static void AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "OrderCore API",
                    Version = "v1",
                    Description = "Idempotent orders, catalog, prices and stock, and signed webhooks. "
                        + "Authenticate with X-API-Key: oc_live_... or Authorization: Bearer oc_live_....",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = "X-API-Key",
                    Description = "An oc_live_... API key.",
                };
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "The same API key as a bearer token.",
                };
                document.Components.SecuritySchemes[AdminScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "The operator token from ORDERCORE_ADMIN_TOKEN (admin routes only).",
                };
                return Task.CompletedTask;
            });

            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<IAllowAnonymous>().Any() || !metadata.OfType<IAuthorizeData>().Any())
                {
                    return Task.CompletedTask;
                }

                var isAdmin = metadata.OfType<IAuthorizeData>().Any(a => a.Policy == AdminTokenAuthenticationHandler.PolicyName);
                var scopes = metadata.OfType<RequiredScopes>().SelectMany(r => r.Scopes).Distinct(StringComparer.Ordinal).ToList();
                operation.Security = isAdmin
                    ? [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(AdminScheme, context.Document)] = [] }]
                    :
                    [
                        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = [.. scopes] },
                        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [.. scopes] },
                    ];
                if (scopes.Count > 0)
                {
                    operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
                    operation.Extensions["x-required-scopes"] = new JsonNodeExtension(new JsonArray([.. scopes.Select(s => JsonValue.Create(s))]));
                    var note = $"Requires the scope{(scopes.Count == 1 ? "" : "s")} {string.Join(", ", scopes)} (or *).";
                    operation.Description = string.IsNullOrEmpty(operation.Description) ? note : $"{operation.Description}\n\n{note}";
                }

                return Task.CompletedTask;
            });
        });

    /// <summary>Documents the error answers of an endpoint with the one error schema.</summary>
    public static RouteHandlerBuilder ProducesErrors(this RouteHandlerBuilder builder, params int[] statusCodes)
    {
        foreach (var status in statusCodes)
        {
            builder.Produces<ApiProblem>(status, ProblemWriter.ContentType);
        }

        return builder;
    }
}
