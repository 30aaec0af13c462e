namespace OrderCore.Api.Platform.Errors;

/// <summary>
/// Every non-2xx answer of the API. <see cref="ProblemWriter"/> renders it; handlers return it as an
/// <see cref="IResult"/> or throw it inside an <see cref="ApiException"/>.
/// </summary>
public sealed record ApiError(int Status, string Code, string Message) : IResult
{
    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }

    /// <summary>Extra top-level members, e.g. <c>auth_reason</c>, <c>sku_id</c>, <c>available</c>.</summary>
    public IReadOnlyDictionary<string, object?>? Extensions { get; init; }

    public Task ExecuteAsync(HttpContext httpContext) => ProblemWriter.WriteAsync(httpContext, this);

    public ApiException ToException() => new(this);

    public ApiError With(string name, object? value) => this with
    {
        Extensions = new Dictionary<string, object?>(Extensions ?? new Dictionary<string, object?>()) { [name] = value },
    };

    public static ApiError Validation(IReadOnlyDictionary<string, string[]> errors) =>
        new(StatusCodes.Status400BadRequest, "validation_failed", DescribeValidation(errors)) { Errors = errors };

    public static ApiError Validation(string field, string problem) =>
        Validation(new Dictionary<string, string[]> { [field] = [problem] });

    public static ApiError NotFound(string message = "Resource not found") =>
        new(StatusCodes.Status404NotFound, "not_found", message);

    public static ApiError Conflict(string code, string message) => new(StatusCodes.Status409Conflict, code, message);

    public static ApiError Unauthorized(string message, string? authReason = null) =>
        authReason is null
            ? new(StatusCodes.Status401Unauthorized, "unauthorized", message)
            : new ApiError(StatusCodes.Status401Unauthorized, "unauthorized", message).With("auth_reason", authReason);

    public static ApiError InvalidJson(string message) => new(StatusCodes.Status400BadRequest, "invalid_json", message);

    public static ApiError PayloadTooLarge(long limitBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, "payload_too_large", $"Request body exceeds the limit of {limitBytes} bytes");

    public static ApiError Internal() =>
        new(StatusCodes.Status500InternalServerError, "internal_error", "An unexpected error occurred; quote the request_id when reporting it");

    /// <summary>Seconds a client is told to wait (<c>Retry-After</c>) while the database cannot be reached.</summary>
    public const int UnavailableRetryAfterSeconds = 5;

    /// <summary>503: the database cannot be reached for now (<see cref="Persistence.DatabaseRetry"/>); retry after <c>Retry-After</c>.</summary>
    public static ApiError Unavailable() =>
        new ApiError(StatusCodes.Status503ServiceUnavailable, "unavailable", "The database cannot be reached for now; retry after Retry-After")
            .With("retry_after", UnavailableRetryAfterSeconds);

    /// <summary>The answer for a status the framework produced without a body (unknown route, wrong method, ...).</summary>
    public static ApiError ForStatus(int status) => status switch
    {
        400 => new(status, "bad_request", "The request could not be understood"),
        401 => Unauthorized("Missing API key"),
        403 => new(status, "forbidden", "This API key may not perform this request"),
        404 => NotFound("No route matches this path"),
        405 => new(status, "method_not_allowed", "This method is not allowed on this path"),
        406 => new(status, "not_acceptable", "Only application/json answers are available"),
        413 => new(status, "payload_too_large", "Request body is too large"),
        415 => new(status, "unsupported_media_type", "Send the request body as application/json"),
        429 => new(status, "rate_limited", "Too many requests"),
        501 => new(status, "not_implemented", "This endpoint is not yet implemented"),
        503 => new(status, "unavailable", "The service is temporarily unavailable"),
        >= 500 => Internal() with { Status = status },
        _ => new(status, "error", "The request failed"),
    };

    private static string DescribeValidation(IReadOnlyDictionary<string, string[]> errors)
    {
        var first = errors.First();
        var text = $"{first.Key} {first.Value[0]}";
        return errors.Count == 1 ? $"Invalid request: {text}" : $"Invalid request: {text} (and {errors.Count - 1} more)";
    }

    internal static string Title(string code) => code switch
    {
        "invalid_json" => "Invalid JSON",
        "internal_error" => "Internal server error",
        "" => "Error",
        _ => char.ToUpperInvariant(code[0]) + code[1..].Replace('_', ' '),
    };
}

/// <summary>Carries an <see cref="ApiError"/> out of business code; the error filter turns it into the answer.</summary>
public sealed class ApiException(ApiError error) : Exception(error.Message)
{
    public ApiError Error { get; } = error;
}
