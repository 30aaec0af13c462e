using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Polly.Timeout;

namespace OrderCore.Api.Features.Webhooks;

/// <summary>What one delivery attempt sends.</summary>
internal sealed record WebhookMessage(string Url, string EventId, string EventType, string DeliveryId, byte[] Body, string Secret, string? PreviousSecret);

/// <summary>What one attempt got back.</summary>
internal sealed record SendResult(int? StatusCode, int DurationMs, string? Error, string? ResponseBody, TimeSpan? RetryAfter, bool TargetRefused);

/// <summary>Sends one signed attempt. Timeouts come from the resilience pipeline; retries are the worker's durable schedule.</summary>
internal sealed class WebhookSender(IHttpClientFactory clients, TimeProvider clock)
{
    public const string ClientName = "OrderCore.Webhooks";
    public const string OneConnectionPerAttemptClientName = "OrderCore.Webhooks.OneConnectionPerAttempt";
    public const string UserAgent = "OrderCore-Webhooks/1";
    private const int MaxResponseBodyBytes = 1024;
    private static readonly TimeSpan BodyReadTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Origins that answered in HTTP/1.0 without <c>Connection: keep-alive</c>, which means they close the connection after
    /// each answer. SocketsHttpHandler pools such a connection all the same, and a delivery sent on it while the server's close
    /// is on its way fails (<c>ResponseEnded</c>) without the handler retrying it, since its body went out: against Python's
    /// <c>http.server</c> about a quarter of first attempts, 1 in 2,465 with this. Their deliveries go through a client that
    /// never reuses a connection.
    /// </summary>
    private readonly ConcurrentDictionary<string, bool> _http10Origins = new(StringComparer.OrdinalIgnoreCase);

    public async Task<SendResult> SendAsync(WebhookMessage message, CancellationToken cancellationToken)
    {
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, message.Url);
        request.Content = new ByteArrayContent(message.Body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.Add("X-OrderCore-Event", message.EventType);
        request.Headers.Add("X-OrderCore-Delivery-ID", message.DeliveryId);
        request.Headers.Add("X-OrderCore-Signature", WebhookSignatures.OrderCore(message.Secret, message.Body));
        request.Headers.Add("webhook-id", message.EventId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var signatures = WebhookSignatures.Standard(message.Secret, message.EventId, timestamp, message.Body);
        if (message.PreviousSecret is not null)
        {
            signatures += " " + WebhookSignatures.Standard(message.PreviousSecret, message.EventId, timestamp, message.Body);
        }

        request.Headers.TryAddWithoutValidation("webhook-signature", signatures);
        var origin = request.RequestUri!.GetLeftPart(UriPartial.Authority);

        var started = Stopwatch.GetTimestamp();
        try
        {
            using var client = clients.CreateClient(_http10Origins.ContainsKey(origin) ? OneConnectionPerAttemptClientName : ClientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (ClosesAfterEachAnswer(response))
            {
                _http10Origins.TryAdd(origin, true);
            }

            // The timeout pipeline ends with the headers; a body that trickles in gets a few seconds at most.
            using var bodyTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bodyTimeout.CancelAfter(BodyReadTimeout);
            var body = await ReadStartAsync(response, bodyTimeout.Token);
            return new SendResult((int)response.StatusCode, Elapsed(started), null, body, RetryAfter(response), false);
        }
        catch (TimeoutRejectedException)
        {
            return new SendResult(null, Elapsed(started), "timeout: no answer within the delivery timeout", null, null, false);
        }
        catch (HttpRequestException ex) when (Find<WebhookTargetException>(ex) is { } refused)
        {
            return new SendResult(null, Elapsed(started), $"target refused: {refused.Message}", null, null, true);
        }
        catch (HttpRequestException ex)
        {
            return new SendResult(null, Elapsed(started), $"connection error: {ex.HttpRequestError}", null, null, false);
        }
        catch (WebhookTargetException ex)
        {
            return new SendResult(null, Elapsed(started), $"target refused: {ex.Message}", null, null, true);
        }
    }

    private static int Elapsed(long started) => (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    private static T? Find<T>(Exception ex) where T : Exception
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }
        }

        return null;
    }

    private static async Task<string?> ReadStartAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[MaxResponseBodyBytes];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
            {
                read += n;
            }

            return read == 0 ? null : Encoding.UTF8.GetString(buffer, 0, read);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            return null;
        }
    }

    private static bool ClosesAfterEachAnswer(HttpResponseMessage response) =>
        response.Version == HttpVersion.Version10 && !response.Headers.Connection.Contains("keep-alive", StringComparer.OrdinalIgnoreCase);

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable) || response.Headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        return retryAfter.Delta ?? (retryAfter.Date is { } date ? date - DateTimeOffset.UtcNow : null);
    }
}
