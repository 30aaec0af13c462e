using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrderCore.Tests.Features.Webhooks;

public sealed record ReceivedWebhook(byte[] Body, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The request's path and query, as sent.</summary>
    public string Target { get; init; } = "";

    public string Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : "";
    public string DeliveryId => Header("X-OrderCore-Delivery-ID");
}

/// <summary>How the receiver answers the <c>hit</c>-th request (from 1) of one delivery.</summary>
public sealed record ReceiverAnswer(int Status, TimeSpan Delay = default, string? RetryAfter = null, string? Body = null);

/// <summary>A real HTTP receiver on 127.0.0.1 (Kestrel, port 0) that records raw bodies and headers and answers as scripted.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);
    private readonly Func<int, ReceiverAnswer> _script;

    private WebhookReceiver(WebApplication app, Func<int, ReceiverAnswer> script)
    {
        _app = app;
        _script = script;
    }

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();
    public Uri Url { get; private set; } = null!;

    /// <summary>http://localhost:port/hook (a name, not an IP: the SSRF check resolves it).</summary>
    public string LocalhostUrl => $"http://localhost:{Url.Port}/hook";

    public int Hits(string deliveryId) => _hits.TryGetValue(deliveryId, out var n) ? n : 0;

    public IReadOnlyList<ReceivedWebhook> For(string deliveryId) => Received.Where(r => r.DeliveryId == deliveryId).ToList();

    public static async Task<WebhookReceiver> StartAsync(Func<int, ReceiverAnswer>? script = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, script ?? (_ => new ReceiverAnswer(200)));
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri(new Uri(address), "/hook");
        return receiver;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var received = new ReceivedWebhook(buffer.ToArray(), headers)
        {
            Target = context.Request.Path.ToUriComponent() + context.Request.QueryString.ToUriComponent(),
        };
        var hit = _hits.AddOrUpdate(received.DeliveryId, 1, (_, n) => n + 1);
        Received.Enqueue(received);
        var answer = _script(hit);
        if (answer.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(answer.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = answer.Status;
        if (answer.RetryAfter is not null)
        {
            context.Response.Headers.RetryAfter = answer.RetryAfter;
        }

        await context.Response.WriteAsync(answer.Body ?? $"answer {answer.Status}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
