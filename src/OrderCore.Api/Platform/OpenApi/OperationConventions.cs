using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrderCore.Api.Platform.OpenApi;

/// <summary>
/// The headers the document describes, named once for the document and the metrics (the idempotency
/// component reads and writes the same two).
/// </summary>
public static class ApiHeaders
{
    public const string IdempotencyKey = "Idempotency-Key";
    public const string IdempotentReplayed = "Idempotent-Replayed";
}

/// <summary>Who may call an operation, read from its endpoint metadata.</summary>
internal enum Caller
{
    Anyone,
    ApiKey,
    Operator,
}

/// <summary>
/// What the platform does to every route, documented on every operation from the route's metadata, so that
/// a new route is described correctly without an edit here: security (or <c>security: []</c> on public
/// routes), the <c>Idempotency-Key</c> header on writes that honour it, the headers every answer carries,
/// the 400 for unknown query parameters, the 413 and 415 every write with a body may answer, the 409 and 422 of a
/// reused Idempotency-Key, and the 429 and 503 answers the rate limiter and an unreachable database give.
/// </summary>
internal static class OperationConventions
{
    public const string ApiKeyScheme = "ApiKey";
    public const string BearerScheme = "Bearer";
    public const string AdminScheme = "AdminToken";
    public const string ProblemSchema = nameof(ApiProblem);

    public static readonly (string Name, string Description, JsonSchemaType Type, string Example)[] Headers =
    [
        (RequestIdMiddleware.HeaderName, "The request's id (an incoming well-formed one is kept); it is in every log line of the request and in error bodies.",
            JsonSchemaType.String, "req_01936f0e7b2c7d4e9a1b2c3d4e5f6a7b"),
        ("RateLimit-Policy", "The calling key's limit: requests (q) per window of w seconds.", JsonSchemaType.String, "\"per-key\";q=1000;w=60"),
        ("RateLimit", "What is left of the calling key's window: remaining requests (r) and seconds until it resets (t).", JsonSchemaType.String,
            "\"per-key\";r=997;t=42"),
        ("Retry-After", "Seconds to wait before retrying.", JsonSchemaType.Integer, "5"),
        (ApiHeaders.IdempotentReplayed, "true when this is the stored answer of an earlier request with the same Idempotency-Key.",
            JsonSchemaType.String, "true"),
        ("Location", "Where the created resource can be read.", JsonSchemaType.String, "/v1/orders/order_01936f0e7b2c7d4e9a1b2c3d4e5f6a7b"),
    ];

    public static void AddComponents(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Headers ??= new Dictionary<string, IOpenApiHeader>();
        foreach (var (name, description, type, example) in Headers)
        {
            document.Components.Headers[name] = new OpenApiHeader
            {
                Description = description,
                Schema = new OpenApiSchema { Type = type },
                Example = type == JsonSchemaType.Integer ? JsonValue.Create(int.Parse(example, CultureInfo.InvariantCulture)) : JsonValue.Create(example),
            };
        }

        document.Components.Parameters ??= new Dictionary<string, IOpenApiParameter>();
        document.Components.Parameters[ApiHeaders.IdempotencyKey] = new OpenApiParameter
        {
            Name = ApiHeaders.IdempotencyKey,
            In = ParameterLocation.Header,
            Required = false,
            Description = "Makes the request safe to retry: a retry with the same key and request answers the stored result with "
                + "Idempotent-Replayed: true and changes nothing. At most 255 characters, kept 24 h, scoped to the tenant. "
                + "The body field idempotency_key is the same (send one, or make them equal).",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = IdempotencyOptions.MaxKeyLength },
            Example = JsonValue.Create("first-order-001"),
        };
    }

    private static bool IsWrite(string? method) => method is not null && !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method)
        && !HttpMethods.IsOptions(method);

    public static Caller CallerOf(IList<object> metadata)
    {
        if (metadata.OfType<IAllowAnonymous>().Any() || !metadata.OfType<IAuthorizeData>().Any())
        {
            return Caller.Anyone;
        }

        return metadata.OfType<IAuthorizeData>().Any(a => a.Policy == AdminTokenAuthenticationHandler.PolicyName) ? Caller.Operator : Caller.ApiKey;
    }

    /// <summary>Every POST of a key or the operator runs through idempotency (the /v1 and admin routes).</summary>
    public static bool AcceptsIdempotencyKey(string? method, Caller caller) =>
        caller != Caller.Anyone && string.Equals(method, HttpMethods.Post, StringComparison.OrdinalIgnoreCase);

    public static Task Apply(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var document = context.Document!;
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var caller = CallerOf(metadata);
        ApplySecurity(operation, document, metadata, caller);

        operation.Responses ??= [];
        // Every route refuses query parameters it does not take (QueryParametersMiddleware).
        AddError(operation, document, StatusCodes.Status400BadRequest, "validation_failed: an unknown query parameter, or an invalid request.");
        if (IsWrite(context.Description.HttpMethod) && context.Description.ActionDescriptor.EndpointMetadata.OfType<MethodInfo>().Any())
        {
            // RequestBodyMiddleware reads the body of every write, even of a body-less action, before the handler runs.
            AddError(operation, document, StatusCodes.Status413PayloadTooLarge, "payload_too_large: the request body exceeds the route's limit.");
        }

        if (operation.RequestBody is not null)
        {
            AddError(operation, document, StatusCodes.Status415UnsupportedMediaType,
                "unsupported_media_type: the request body is not of a media type the route takes.");
        }

        if (caller == Caller.ApiKey)
        {
            AddError(operation, document, StatusCodes.Status429TooManyRequests,
                "rate_limited: the calling key used up its window, or this address made too many failed authentication attempts; see Retry-After.");
        }
        else if (caller == Caller.Operator)
        {
            AddError(operation, document, StatusCodes.Status429TooManyRequests,
                "rate_limited: this address made too many failed authentication attempts; see Retry-After.");
        }

        if (caller != Caller.Anyone)
        {
            // Every authenticated route reads the database (at least to check the key).
            AddError(operation, document, StatusCodes.Status503ServiceUnavailable, "unavailable: the database cannot be reached; retry after Retry-After.");
        }

        var idempotent = AcceptsIdempotencyKey(context.Description.HttpMethod, caller);
        if (idempotent)
        {
            AddError(operation, document, StatusCodes.Status409Conflict,
                "idempotency_key_in_use: a request with this Idempotency-Key is still running; or a conflict of the route's own.");
            AddError(operation, document, StatusCodes.Status422UnprocessableEntity,
                "idempotency_key_mismatch: this Idempotency-Key was used for another request (method, path or body).");
            operation.Parameters ??= [];
            if (!operation.Parameters.Any(p => string.Equals(p.Name, ApiHeaders.IdempotencyKey, StringComparison.OrdinalIgnoreCase)))
            {
                operation.Parameters.Add(new OpenApiParameterReference(ApiHeaders.IdempotencyKey, document));
            }
        }

        foreach (var (status, response) in operation.Responses.ToList())
        {
            if (response is not OpenApiResponse concrete)
            {
                continue;
            }

            concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
            AddHeader(concrete, document, RequestIdMiddleware.HeaderName);
            if (caller == Caller.ApiKey)
            {
                AddHeader(concrete, document, "RateLimit-Policy");
                AddHeader(concrete, document, "RateLimit");
            }

            if (status is "429" || (status is "503" && caller != Caller.Anyone))
            {
                AddHeader(concrete, document, "Retry-After");
            }

            if (idempotent && status[0] is '2' or '4')
            {
                AddHeader(concrete, document, ApiHeaders.IdempotentReplayed);
            }

            if (status == "201")
            {
                AddHeader(concrete, document, "Location");
            }
        }

        return Task.CompletedTask;
    }

    private static void ApplySecurity(OpenApiOperation operation, OpenApiDocument document, IList<object> metadata, Caller caller)
    {
        if (caller == Caller.Anyone)
        {
            // Written as security: [] so that tools see the route is public on purpose.
            operation.Security = [];
            return;
        }

        var scopes = metadata.OfType<RequiredScopes>().SelectMany(r => r.Scopes).Distinct(StringComparer.Ordinal).ToList();
        operation.Security = caller == Caller.Operator
            ? [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(AdminScheme, document)] = [] }]
            :
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [.. scopes] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [.. scopes] },
            ];
        if (scopes.Count > 0)
        {
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions["x-required-scopes"] = new JsonNodeExtension(new JsonArray([.. scopes.Select(s => JsonValue.Create(s))]));
            var note = $"Requires the scope{(scopes.Count == 1 ? "" : "s")} {string.Join(", ", scopes)} (or *).";
            operation.Description = string.IsNullOrEmpty(operation.Description) ? note : $"{operation.Description}\n\n{note}";
        }
    }

    private static void AddError(OpenApiOperation operation, OpenApiDocument document, int status, string description)
    {
        var key = status.ToString(CultureInfo.InvariantCulture);
        if (operation.Responses!.ContainsKey(key))
        {
            return;
        }

        operation.Responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [ProblemWriter.ContentType] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document) },
            },
        };
    }

    private static void AddHeader(OpenApiResponse response, OpenApiDocument document, string name) =>
        response.Headers!.TryAdd(name, new OpenApiHeaderReference(name, document));
}
