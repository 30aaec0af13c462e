using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace OrderCore.Tests.Infrastructure;

/// <summary>An HTTP answer with its body parsed as JSON.</summary>
public sealed record ApiResponse(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Message)
{
    public string? Header(string name) =>
        Message.Headers.TryGetValues(name, out var values) || Message.Content.Headers.TryGetValues(name, out values)
            ? string.Join(",", values)
            : null;

    public string Str(string property) => Body.GetProperty(property).GetString()!;

    /// <summary>Asserts the one error shape of the API and the given status and code.</summary>
    public ApiResponse AssertError(HttpStatusCode status, string code)
    {
        Assert.True(status == Status, $"Expected {(int)status} {code}, got {(int)Status}: {Body}");
        Assert.Equal("application/problem+json", Message.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, Str("error"));
        Assert.Equal((int)status, Body.GetProperty("status").GetInt32());
        Assert.Equal($"https://docs.ordercore.dev/errors/{code}", Str("type"));
        Assert.False(string.IsNullOrWhiteSpace(Str("title")));
        Assert.Equal(Str("detail"), Str("message"));
        Assert.StartsWith("req_", Str("request_id"));
        Assert.Equal(Header("X-Request-Id"), Str("request_id"));
        return this;
    }
}

public static class Http
{
    public static async Task<ApiResponse> SendAsync(this HttpClient client, HttpMethod method, string path, object? body = null,
        IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Content = body switch
        {
            null => null,
            string raw => new StringContent(raw, Encoding.UTF8, "application/json"),
            _ => JsonContent.Create(body),
        };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return new ApiResponse(response.StatusCode, json, response);
    }

    public static Task<ApiResponse> GetJsonAsync(this HttpClient client, string path) => client.SendAsync(HttpMethod.Get, path);

    public static Task<ApiResponse> PostJsonAsync(this HttpClient client, string path, object? body, string? idempotencyKey = null) =>
        client.SendAsync(HttpMethod.Post, path, body,
            idempotencyKey is null ? null : new Dictionary<string, string> { ["Idempotency-Key"] = idempotencyKey });

    /// <summary>An order body for one or more SKUs, quantity 1 each unless given.</summary>
    public static object Order(params (string SkuId, int Quantity)[] lines) =>
        new { items = lines.Select(l => new { sku_id = l.SkuId, quantity = l.Quantity }).ToArray() };
}
