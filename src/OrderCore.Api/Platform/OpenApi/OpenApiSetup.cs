using Microsoft.OpenApi;

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

    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Health"] = "Liveness and readiness probes (no key).",
        ["Admin"] = "Tenants and their keys; the operator's token (ORDERCORE_ADMIN_TOKEN) only.",
        ["Onboarding"] = "Demo data and a starter catalog from CSV.",
        ["Catalog"] = "Products and their SKUs.",
        ["Customers"] = "The buyers orders belong to.",
        ["Pricing"] = "Price lists, prices and the one price resolver.",
        ["Inventory"] = "Locations, stock levels, adjustments and reservations that cannot oversell.",
        ["Orders"] = "Idempotent order creation and the order lifecycle.",
        ["Events"] = "The outbox feed every webhook delivers.",
        ["Account"] = "The calling key's tenant: keys, usage and the go-live checklist.",
        ["Webhooks"] = "Endpoints, signed deliveries, retries and metrics.",
    };

    public static void AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi("v1", options =>
        {
            options.AddOperationTransformer(OperationConventions.Apply);
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "OrderCore API",
                    Version = "v1",
                    Description = "Idempotent orders, catalog, prices and stock, and signed webhooks. "
                        + "Authenticate with X-API-Key: oc_live_... or Authorization: Bearer oc_live_....",
                };
                foreach (var server in document.Servers ?? [])
                {
                    server.Url = server.Url?.TrimEnd('/');
                }

                foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
                {
                    tag.Description ??= TagDescriptions.GetValueOrDefault(tag.Name ?? "", $"The {tag.Name} routes.");
                }

                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[OperationConventions.ApiKeyScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = "X-API-Key",
                    Description = "An oc_live_... API key.",
                };
                document.Components.SecuritySchemes[OperationConventions.BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "The same API key as a bearer token.",
                };
                document.Components.SecuritySchemes[OperationConventions.AdminScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "The operator token from ORDERCORE_ADMIN_TOKEN (admin routes only).",
                };
                OperationConventions.AddComponents(document);
                OpenApiExamples.Apply(document);
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
