using System.Net;
using OrderCore.Api.Features.Webhooks;
using OrderCore.Api.Platform.Events;

namespace OrderCore.Tests.Features.Webhooks;

/// <summary>The plain rules behind the worker and the API, without HTTP.</summary>
public sealed class WebhookRulesTests
{
    private static readonly WebhookOptions Options = new() { MaxRetryAfter = TimeSpan.FromMinutes(10) };
    private static readonly DateTimeOffset Now = new(2026, 2, 9, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.0.0.1", true)]
    [InlineData("172.16.5.4", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.0.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.1.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("224.0.0.1", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("::1", true)]
    [InlineData("::", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fd12:3456::1", true)]
    [InlineData("fc00::1", true)]
    [InlineData("ff02::1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("::ffff:8.8.8.8", false)]
    [InlineData("64:ff9b::a00:1", true)]
    [InlineData("2606:4700:4700::1111", false)]
    public void Forbidden_addresses(string address, bool forbidden) =>
        Assert.Equal(forbidden, WebhookTargets.IsForbidden(IPAddress.Parse(address)));

    [Theory]
    [InlineData(200, "succeeded")]
    [InlineData(204, "succeeded")]
    [InlineData(301, "failed")]
    [InlineData(400, "failed")]
    [InlineData(404, "failed")]
    [InlineData(410, "failed")]
    [InlineData(408, "pending")]
    [InlineData(429, "pending")]
    [InlineData(500, "pending")]
    [InlineData(503, "pending")]
    public void Outcome_by_status_code(int status, string expected)
    {
        var outcome = DeliveryOutcomes.Decide(new SendResult(status, 10, null, null, null, false), 1, Now, Options, 0);
        Assert.Equal(expected, OrderCore.Api.Platform.Json.EnumText.Name(outcome.Status));
        Assert.Equal(status == 410, outcome.DeactivateEndpoint);
    }

    [Fact]
    public void Timeouts_and_connection_errors_are_retried_on_the_schedule_with_jitter_and_abandoned_after_the_last()
    {
        var timeout = new SendResult(null, 10_000, "timeout", null, null, false);
        var delays = WebhookOptions.DefaultRetryDelays;

        Assert.Equal(Now + TimeSpan.FromSeconds(5), DeliveryOutcomes.Decide(timeout, 1, Now, Options, 0).NextAttemptAt);
        Assert.Equal(Now + TimeSpan.FromSeconds(5.5), DeliveryOutcomes.Decide(timeout, 1, Now, Options, 0.1).NextAttemptAt);
        Assert.Equal(Now + TimeSpan.FromHours(24) * 0.9, DeliveryOutcomes.Decide(timeout, delays.Count, Now, Options, -0.1).NextAttemptAt);
        Assert.Equal(DeliveryStatus.Abandoned, DeliveryOutcomes.Decide(timeout, delays.Count + 1, Now, Options, 0).Status);
        Assert.InRange(delays.Aggregate(TimeSpan.Zero, (a, b) => a + b).TotalHours, 51, 53);
        Assert.All(Enumerable.Range(0, 100).Select(_ => DeliveryOutcomes.NewJitter()), j => Assert.InRange(j, -0.1, 0.1));
        Assert.Equal(DeliveryStatus.Failed, DeliveryOutcomes.Decide(timeout with { TargetRefused = true }, 1, Now, Options, 0).Status);
    }

    [Fact]
    public void Retry_After_is_honoured_on_429_and_503_and_capped()
    {
        var asked = new SendResult(429, 5, null, null, TimeSpan.FromMinutes(3), false);
        var tooLong = new SendResult(503, 5, null, null, TimeSpan.FromDays(2), false);
        var shorter = new SendResult(429, 5, null, null, TimeSpan.FromSeconds(1), false);

        Assert.Equal(Now + TimeSpan.FromMinutes(3), DeliveryOutcomes.Decide(asked, 1, Now, Options, 0).NextAttemptAt);
        Assert.Equal(Now + Options.MaxRetryAfter, DeliveryOutcomes.Decide(tooLong, 1, Now, Options, 0).NextAttemptAt);
        Assert.Equal(Now + TimeSpan.FromSeconds(5), DeliveryOutcomes.Decide(shorter, 1, Now, Options, 0).NextAttemptAt);
    }

    [Theory]
    [InlineData("order.created", true)]
    [InlineData("Order.Created", true)]
    [InlineData("checkout.completed", true)]
    [InlineData("order.*", true)]
    [InlineData("*", true)]
    [InlineData("order.shipped", false)]
    [InlineData("refund.*", false)]
    [InlineData("", false)]
    [InlineData("order", false)]
    public void Subscription_patterns(string pattern, bool valid) => Assert.Equal(valid, Subscriptions.IsValid(Events, pattern));

    /// <summary>The names the features declare in the running app; here, as declared by orders, inventory and webhooks.</summary>
    private static readonly EventCatalog Events = new(new[] { "order.created", "order.confirmed", "inventory.adjusted", "checkout.completed" }
        .Select(n => new EventTypeDeclaration(n)));

    [Fact]
    public void Patterns_match_exact_names_prefixes_and_everything()
    {
        Assert.True(Subscriptions.Matches(["order.*"], "order.created"));
        Assert.False(Subscriptions.Matches(["order.*"], "inventory.adjusted"));
        Assert.True(Subscriptions.Matches(["*"], "checkout.completed"));
        Assert.True(Subscriptions.Matches(["inventory.adjusted", "order.created"], "order.created"));
        Assert.False(Subscriptions.Matches(["order.created"], "order.cancelled"));
    }

    [Fact]
    public void P95_is_the_nearest_rank()
    {
        Assert.Null(WebhookDeliveryEndpoints.P95([]));
        Assert.Equal(7, WebhookDeliveryEndpoints.P95([7]));
        Assert.Equal(95, WebhookDeliveryEndpoints.P95(Enumerable.Range(1, 100).ToList()));
        Assert.Equal(19, WebhookDeliveryEndpoints.P95(Enumerable.Range(1, 20).ToList()));
    }

    [Fact]
    public void Signatures_match_a_known_vector()
    {
        var secret = "whsec_" + Convert.ToBase64String(new byte[32]);
        var body = "{\"id\":\"evt_1\"}"u8.ToArray();

        var standard = WebhookSignatures.Standard(secret, "evt_1", 1700000000, body);
        var orderCore = WebhookSignatures.OrderCore(secret, body);

        Assert.True(Verifiers.VerifyStandardWebhooks(body, "evt_1", "1700000000", standard, secret));
        Assert.True(Verifiers.VerifyOrderCoreSignature(body, orderCore, secret));
        Assert.Matches("^sha256=[0-9a-f]{64}$", orderCore);
    }
}
