using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderCore.Api.Platform.Events;
using OrderCore.Api.Platform.Idempotency;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Events;

public sealed class EventRetentionTests(AppFixture app)
{
    private T Job<T>() => app.Factory.Services.GetServices<IHostedService>().OfType<T>().Single();

    [Fact]
    public async Task Events_are_kept_30_days_and_then_deleted()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        var recent = (await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)))).Str("id");
        var old = (await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)))).Str("id");
        await app.Database.ExecuteAsync("UPDATE events SET created_at = now() - interval '29 days' WHERE tenant_id = $1 AND subject_id = $2", tenant.Id, recent);
        await app.Database.ExecuteAsync("UPDATE events SET created_at = now() - interval '31 days' WHERE tenant_id = $1 AND subject_id = $2", tenant.Id, old);

        await Job<EventRetentionSweeper>().RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, await app.Database.ScalarAsync<long>("SELECT count(*) FROM events WHERE tenant_id = $1 AND subject_id = $2", tenant.Id, recent));
        Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM events WHERE tenant_id = $1 AND subject_id = $2", tenant.Id, old));
    }

    [Fact]
    public async Task Expired_idempotency_records_are_deleted_and_live_ones_kept()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)), "live-key");
        await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)), "expired-key");
        await app.Database.ExecuteAsync("UPDATE idempotency_records SET expires_at = now() - interval '1 second' WHERE scope = $1 AND key = $2",
            tenant.Id, "expired-key");

        await Job<IdempotencyRecordSweeper>().RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, await app.Database.ScalarAsync<long>("SELECT count(*) FROM idempotency_records WHERE scope = $1", tenant.Id));
        var reused = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 2)), "expired-key");
        Assert.Null(reused.Header("Idempotent-Replayed"));
        Assert.Equal(3, await tenant.CountAsync("orders"));
    }
}
