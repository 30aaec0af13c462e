using System.Diagnostics;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Integrations;

/// <summary>scripts/lib/shopify_connector_setup.sh (what the connector wizard runs) against the live test service.</summary>
public sealed class ShopifySetupScriptTests(AppFixture app)
{
    [Fact]
    public async Task The_setup_script_connects_a_store_sends_a_signed_test_order_and_shows_the_order_and_sync_log()
    {
        var tenant = await app.CreateTenantAsync();
        await tenant.SeedSkuAsync(skuCode: "SETUP-SKU-1");
        var domain = ShopifyCalls.NewDomain();

        var (exit, output, error) = await RunAsync("--base-url", app.BaseAddress.ToString(), "--api-key", tenant.ApiKey, "--shop-domain", domain,
            "--webhook-secret", "setup-secret", "--test-sku", "SETUP-SKU-1", "--test-price", "12.34", "--yes");

        Assert.True(exit == 0, $"exit {exit}\n{output}\n{error}");
        Assert.Contains($"Connected {domain}", output);
        Assert.Contains("/integrations/shopify/webhooks", output);
        Assert.Contains("orders/cancelled", output);
        Assert.Contains("\"outcome\": \"succeeded\"", output);
        var order = Assert.Single(await tenant.OrdersAsync());
        Assert.Contains(order.GetProperty("order_number").GetString()!, output);
        Assert.Equal(12.34m, order.GetProperty("total").GetDecimal());
        Assert.DoesNotContain("setup-secret", output + error);
    }

    [Fact]
    public async Task The_setup_script_exits_non_zero_when_the_test_order_fails_or_the_key_is_wrong()
    {
        var tenant = await app.CreateTenantAsync();

        var (exit, _, error) = await RunAsync("--base-url", app.BaseAddress.ToString(), "--api-key", tenant.ApiKey, "--shop-domain", ShopifyCalls.NewDomain(),
            "--webhook-secret", "s", "--test-sku", "NO-SUCH-SKU", "--yes");
        Assert.NotEqual(0, exit);
        Assert.Contains("sku_not_found", error);

        (exit, _, error) = await RunAsync("--base-url", app.BaseAddress.ToString(), "--api-key", "oc_live_wrong", "--shop-domain", ShopifyCalls.NewDomain(),
            "--webhook-secret", "s", "--yes");
        Assert.NotEqual(0, exit);
        Assert.Contains("401", error);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] arguments)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "OrderCore.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("repository root not found");
        }

        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(Path.Combine(root.FullName, "scripts", "lib", "shopify_connector_setup.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
