using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Integrations;

/// <summary>Connecting and disconnecting stores, and the public and tenant status routes.</summary>
public sealed class ShopifyStoreTests(AppFixture app)
{
    [Fact]
    public async Task Connecting_validates_the_domain_and_never_answers_the_secret()
    {
        var tenant = await app.CreateTenantAsync();

        (await tenant.Client.PostJsonAsync("/v1/integrations/shopify/stores", new { shop_domain = "example.com", webhook_secret = "s" }))
            .AssertError(HttpStatusCode.BadRequest, "validation_failed");
        (await tenant.Client.PostJsonAsync("/v1/integrations/shopify/stores", new { shop_domain = ShopifyCalls.NewDomain() }))
            .AssertError(HttpStatusCode.BadRequest, "validation_failed");
        (await tenant.Client.PostJsonAsync("/v1/integrations/shopify/stores",
                new { shop_domain = ShopifyCalls.NewDomain(), webhook_secret = "s", location_id = "loc_missing" }))
            .AssertError(HttpStatusCode.NotFound, "not_found");

        var domain = ShopifyCalls.NewDomain();
        var created = await tenant.Client.PostJsonAsync("/v1/integrations/shopify/stores",
            new { shop_domain = domain.ToUpperInvariant(), webhook_secret = "very-secret-value" });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(domain, created.Str("shop_domain"));
        Assert.Equal("connected", created.Str("status"));
        Assert.EndsWith("/integrations/shopify/webhooks", created.Str("webhook_url"));
        Assert.Contains("orders/create", created.Body.GetProperty("webhook_topics").EnumerateArray().Select(t => t.GetString()));
        var id = created.Str("id");
        foreach (var answer in new[] { created, await tenant.Client.GetJsonAsync($"/v1/integrations/shopify/stores/{id}"),
                     await tenant.Client.GetJsonAsync("/v1/integrations/shopify/stores"), await tenant.Client.GetJsonAsync("/v1/integrations/shopify/status") })
        {
            Assert.DoesNotContain("very-secret-value", answer.Body.ToString());
            Assert.DoesNotContain("webhook_secret", answer.Body.ToString());
        }

        (await tenant.Client.PostJsonAsync("/v1/integrations/shopify/stores", new { shop_domain = domain, webhook_secret = "again" }))
            .AssertError(HttpStatusCode.Conflict, "shop_already_connected");
    }

    [Fact]
    public async Task Disconnecting_refuses_later_webhooks_and_keeps_the_history()
    {
        var tenant = await app.CreateTenantAsync();
        await tenant.SeedSkuAsync(skuCode: "IPOD2008RED");
        var store = await tenant.ConnectStoreAsync();
        var body = ShopifyCalls.OrderPayload(ShopifyCalls.NewOrderId(), [new("IPOD2008RED", 1, "199.00")], "199.00");
        await tenant.WaitForEventAsync(await app.SendAcceptedAsync(store, "orders/create", body), "processed");

        var disconnected = await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/integrations/shopify/stores/{store.Id}");
        Assert.Equal(HttpStatusCode.OK, disconnected.Status);
        Assert.Equal("disconnected", disconnected.Str("status"));

        (await app.SendWebhookAsync(store, "orders/create", body)).AssertError(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Single(await tenant.EventsAsync());
        Assert.Single(await tenant.SyncLogsAsync());
        Assert.Single(await tenant.OrdersAsync());
        Assert.Equal("disconnected", (await tenant.Client.GetJsonAsync($"/v1/integrations/shopify/stores/{store.Id}")).Str("status"));
        // The shop may now be connected again (here by the same tenant, with a new secret).
        await tenant.ConnectStoreAsync(store.Domain);
    }

    [Fact]
    public async Task The_public_status_names_no_shop_and_the_tenant_status_counts_the_last_24_hours()
    {
        var tenant = await app.CreateTenantAsync();
        await tenant.SeedSkuAsync(skuCode: "IPOD2008RED");
        var store = await tenant.ConnectStoreAsync();
        var body = ShopifyCalls.OrderPayload(ShopifyCalls.NewOrderId(), [new("IPOD2008RED", 1, "199.00")], "199.00");
        var webhookId = Guid.NewGuid().ToString();
        await tenant.WaitForEventAsync(await app.SendAcceptedAsync(store, "orders/create", body, webhookId), "processed");
        await app.SendWebhookAsync(store, "orders/create", body, webhookId);
        await app.SendWebhookAsync(store, "orders/create", body, hmac: "d3Jvbmc=");

        using var anonymous = app.Client();
        var open = await anonymous.GetJsonAsync("/integrations/shopify/status");
        Assert.Equal(HttpStatusCode.OK, open.Status);
        Assert.True(open.Body.GetProperty("inbound_webhooks_enabled").GetBoolean());
        Assert.Contains("orders/cancelled", open.Body.GetProperty("supported_topics").EnumerateArray().Select(t => t.GetString()));
        Assert.False(string.IsNullOrEmpty(open.Str("api_version")));
        Assert.False(string.IsNullOrEmpty(open.Str("connector_version")));
        Assert.DoesNotContain(store.Domain, open.Body.ToString());
        Assert.DoesNotContain(store.Secret, open.Body.ToString());

        (await anonymous.GetJsonAsync("/v1/integrations/shopify/status")).AssertError(HttpStatusCode.Unauthorized, "unauthorized");
        var status = await tenant.Client.GetJsonAsync("/v1/integrations/shopify/status");
        Assert.Equal(HttpStatusCode.OK, status.Status);
        Assert.Equal(store.Domain, status.Body.GetProperty("stores")[0].GetProperty("shop_domain").GetString());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, status.Body.GetProperty("last_webhook_received_at").ValueKind);
        var counts = status.Body.GetProperty("last24h");
        Assert.Equal((1, 1, 1, 0, 0), (counts.GetProperty("processed").GetInt32(), counts.GetProperty("duplicate").GetInt32(),
            counts.GetProperty("rejected").GetInt32(), counts.GetProperty("failed").GetInt32(), counts.GetProperty("pending").GetInt32()));

        (await tenant.Client.GetJsonAsync("/v1/integrations/shopify/webhook-events?status=bogus")).AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Single(await tenant.EventsAsync($"&status=duplicate&shop_domain={store.Domain}"));
        Assert.Empty(await tenant.EventsAsync($"&shop_domain={ShopifyCalls.NewDomain()}"));
    }

    [Fact]
    public async Task The_openapi_document_describes_every_shopify_route_and_leaves_the_public_ones_without_a_key()
    {
        using var anonymous = app.Client();
        var doc = await anonymous.GetJsonAsync("/openapi/v1.json");
        var paths = doc.Body.GetProperty("paths");
        var expected = new Dictionary<string, string[]>
        {
            ["/integrations/shopify/status"] = ["get"],
            ["/integrations/shopify/webhooks"] = ["post"],
            ["/v1/integrations/shopify/status"] = ["get"],
            ["/v1/integrations/shopify/stores"] = ["get", "post"],
            ["/v1/integrations/shopify/stores/{id}"] = ["get", "delete"],
            ["/v1/integrations/shopify/sync-logs"] = ["get"],
            ["/v1/integrations/shopify/webhook-events"] = ["get"],
            ["/v1/integrations/shopify/webhook-events/{id}/retry"] = ["post"],
        };
        foreach (var (path, methods) in expected)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"the document lacks {path}");
            foreach (var method in methods)
            {
                var operation = item.GetProperty(method);
                Assert.False(string.IsNullOrEmpty(operation.GetProperty("summary").GetString()), $"{method} {path} has no summary");
                var secured = operation.TryGetProperty("security", out var security) && security.EnumerateArray().Any(r => r.EnumerateObject().Any());
                Assert.True(secured == path.StartsWith("/v1/", StringComparison.Ordinal), $"{method} {path}: security {secured}");
            }
        }

        var webhook = paths.GetProperty("/integrations/shopify/webhooks").GetProperty("post");
        Assert.True(webhook.GetProperty("responses").TryGetProperty("401", out _));
        Assert.True(webhook.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
    }
}
