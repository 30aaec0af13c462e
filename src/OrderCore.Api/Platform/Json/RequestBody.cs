using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace OrderCore.Api.Platform.Json;

/// <summary>The raw bytes and parsed root of a request body, read once by <see cref="RequestBodyMiddleware"/>.</summary>
public sealed class RequestBody(byte[] raw, JsonElement? root)
{
    public byte[] Raw { get; } = raw;
    public JsonElement? Root { get; } = root;

    public string? StringField(string name) =>
        Root is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}

/// <summary>Endpoint metadata raising the request body limit above the default 1 MiB (e.g. CSV import).</summary>
public sealed record BodySizeLimit(long Bytes);

/// <summary>
/// Endpoint metadata: the body is read and size-checked but not parsed, because the endpoint must check its
/// signature over the raw bytes first (inbound webhooks from other platforms).
/// </summary>
public sealed record UnparsedBody;

/// <summary>
/// Reads the body of every write request once: enforces the size limit (413), rejects malformed JSON
/// (400 <c>invalid_json</c>) and, for endpoints with a JSON body type, checks unknown fields and wrong
/// types (400 <c>validation_failed</c> naming each field). The bytes stay available to idempotency
/// hashing and are replayed to model binding.
/// </summary>
public static class EndpointKinds
{
    /// <summary>
    /// A handler of ours, as opposed to the endpoints routing makes up to answer 405 or 415 (a body or an
    /// idempotency key sent to those must not be processed, let alone stored).
    /// </summary>
    public static bool IsRouteHandler(this Endpoint? endpoint) => endpoint?.Metadata.GetMetadata<System.Reflection.MethodInfo>() is not null;
}

public sealed class RequestBodyMiddleware(RequestDelegate next, IOptions<JsonOptions> jsonOptions)
{
    public const long DefaultLimitBytes = 1024 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var endpoint = context.GetEndpoint();
        // PostgreSQL text cannot hold U+0000; refuse it up front rather than fail in the database.
        if (request.Query.FirstOrDefault(q => q.Value.Any(v => v?.Contains('\0', StringComparison.Ordinal) == true)) is { Key: { } badParameter })
        {
            await ProblemWriter.WriteAsync(context, ApiError.Validation(badParameter, JsonShape.NulProblem));
            return;
        }

        if (!endpoint.IsRouteHandler() || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
            || HttpMethods.IsOptions(request.Method))
        {
            await next(context);
            return;
        }

        var limit = endpoint!.Metadata.GetMetadata<BodySizeLimit>()?.Bytes ?? DefaultLimitBytes;
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            // Our own check below answers first; the margin lets Kestrel drain a slightly oversized body
            // after that answer and keep the connection, instead of resetting it under the client.
            sizeFeature.MaxRequestBodySize = limit + (64 * 1024);
        }

        if (request.ContentLength > limit)
        {
            await ProblemWriter.WriteAsync(context, ApiError.PayloadTooLarge(limit));
            return;
        }

        var raw = await ReadAllAsync(request.Body, limit, context.RequestAborted);
        if (raw is null)
        {
            await ProblemWriter.WriteAsync(context, ApiError.PayloadTooLarge(limit));
            return;
        }

        // JSON unless the endpoint also accepts another media type and the client sent that one (e.g. text/csv).
        var accepts = endpoint.Metadata.GetMetadata<IAcceptsMetadata>();
        var acceptsJson = accepts is null || accepts.ContentTypes.Any(IsJson);
        var sentOtherType = request.ContentType is { } contentType && !IsJson(contentType)
            && accepts?.ContentTypes.Any(t => contentType.StartsWith(t, StringComparison.OrdinalIgnoreCase)) == true;
        var isJsonEndpoint = acceptsJson && !sentOtherType && endpoint.Metadata.GetMetadata<UnparsedBody>() is null;
        var bodyType = isJsonEndpoint ? accepts?.RequestType : null;

        JsonElement? root = null;
        if (raw.Length > 0 && isJsonEndpoint)
        {
            if (!System.Text.Unicode.Utf8.IsValid(raw))
            {
                await ProblemWriter.WriteAsync(context, ApiError.InvalidJson("The request body is not valid UTF-8"));
                return;
            }

            try
            {
                using var document = JsonDocument.Parse(raw);
                root = document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                var where = ex.LineNumber is { } line ? $" (line {line + 1}, position {ex.BytePositionInLine + 1})" : "";
                await ProblemWriter.WriteAsync(context, ApiError.InvalidJson($"The request body is not valid JSON{where}"));
                return;
            }

            if (root.Value.ValueKind == JsonValueKind.Null && bodyType is not null && accepts?.IsOptional != true)
            {
                await ProblemWriter.WriteAsync(context, ApiError.InvalidJson("A JSON request body is required; null is not one"));
                return;
            }

            var errors = JsonShape.Check(root.Value, bodyType, jsonOptions.Value.SerializerOptions);
            if (errors.Count > 0)
            {
                await ProblemWriter.WriteAsync(context, ApiError.Validation(errors));
                return;
            }
        }
        else if (raw.Length == 0 && bodyType is not null && accepts?.IsOptional != true)
        {
            await ProblemWriter.WriteAsync(context, ApiError.InvalidJson("A JSON request body is required"));
            return;
        }

        context.Features.Set(new RequestBody(raw, root));
        request.Body = new MemoryStream(raw, writable: false);
        request.ContentLength = raw.Length;
        await next(context);
    }

    private static bool IsJson(string contentType) => contentType.Contains("json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns null when the body exceeds <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadAllAsync(Stream body, long limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }
}
