namespace OrderCore.Api.Platform.Errors;

/// <summary>
/// The one error writer: renders an <see cref="ApiError"/> as <c>application/problem+json</c> (RFC 9457)
/// with the members existing OrderCore clients read (<c>error</c>, <c>message</c>, <c>request_id</c>).
/// </summary>
public static class ProblemWriter
{
    public const string ContentType = "application/problem+json";
    public const string TypeBaseUri = "https://docs.ordercore.dev/errors/";

    public static async Task WriteAsync(HttpContext context, ApiError error)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return;
        }

        response.StatusCode = error.Status;
        response.ContentType = ContentType;
        if (error.Status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable && error.Extensions?.TryGetValue("retry_after", out var retryAfter) == true)
        {
            response.Headers.RetryAfter = Convert.ToString(retryAfter, System.Globalization.CultureInfo.InvariantCulture);
        }

        var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        await JsonSerializer.SerializeAsync(response.Body, ToBody(error, context.TraceIdentifier), options, context.RequestAborted);
    }

    public static Dictionary<string, object?> ToBody(ApiError error, string requestId)
    {
        var body = new Dictionary<string, object?>
        {
            ["type"] = TypeBaseUri + error.Code,
            ["title"] = ApiError.Title(error.Code),
            ["status"] = error.Status,
            ["detail"] = error.Message,
            ["error"] = error.Code,
            ["message"] = error.Message,
            ["request_id"] = requestId,
        };
        if (error.Errors is { Count: > 0 })
        {
            body["errors"] = error.Errors;
        }

        foreach (var (name, value) in error.Extensions ?? new Dictionary<string, object?>())
        {
            body[name] = value;
        }

        return body;
    }
}
