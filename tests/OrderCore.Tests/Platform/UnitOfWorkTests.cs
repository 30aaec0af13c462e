using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrderCore.Api.Features.Catalog;
using OrderCore.Api.Features.Inventory;
using OrderCore.Api.Platform.Identifiers;
using OrderCore.Api.Platform.Persistence;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Platform;

/// <summary>The unit of work without HTTP, against the app's real database: after-commit hooks and the tenant scope.</summary>
public sealed class UnitOfWorkTests(AppFixture app)
{
    private UnitOfWorkFactory Units => app.Factory.Services.GetRequiredService<UnitOfWorkFactory>();

    [Fact]
    public async Task Hooks_run_after_the_commit_and_see_its_rows()
    {
        var tenant = await app.CreateTenantAsync();
        var code = $"HOOK-{Guid.NewGuid():N}"[..16];
        long? countInHook = null;

        await using (var work = await Units.BeginAsync(CancellationToken.None))
        {
            await work.RunAsTenantAsync(tenant.Id, _ => Task.FromResult(work.Db.Add(NewLocation(code))), CancellationToken.None);
            work.OnCommitted(async _ => countInHook = await CountLocationsAsync(tenant.Id, code));
            Assert.Null(countInHook);
            await work.CommitAsync(CancellationToken.None);
        }

        // Read on another connection: the hook ran after the row was visible to everyone.
        Assert.Equal(1, countInHook);
    }

    [Fact]
    public async Task Hooks_never_run_after_a_rollback()
    {
        var tenant = await app.CreateTenantAsync();
        var code = $"GONE-{Guid.NewGuid():N}"[..16];
        var ran = new List<string>();

        await using (var work = await Units.BeginAsync(CancellationToken.None))
        {
            await work.RunAsTenantAsync(tenant.Id, _ => Task.FromResult(work.Db.Add(NewLocation(code))), CancellationToken.None);
            work.OnCommitted(_ => Record(ran, "rolled back"));
            await work.RollbackAsync();
        }

        await using (var work = await Units.BeginAsync(CancellationToken.None))
        {
            work.OnCommitted(_ => Record(ran, "disposed without commit"));
        }

        await using (var work = await Units.BeginAsync(CancellationToken.None))
        {
            work.OnCommitted(_ => Record(ran, "before the savepoint"));
            await work.SavepointAsync("handler", CancellationToken.None);
            work.OnCommitted(_ => Record(ran, "after the savepoint"));
            await work.RollbackToSavepointAsync("handler", CancellationToken.None);
            await work.CommitAsync(CancellationToken.None);
        }

        Assert.Equal(["before the savepoint"], ran);
        Assert.Equal(0, await CountLocationsAsync(tenant.Id, code));
    }

    [Fact]
    public async Task Running_as_a_tenant_sees_and_writes_only_that_tenants_rows()
    {
        var (a, _, skuOfA, skuOfB) = await TwoTenantsWithASkuEachAsync();
        var code = $"RUNAS-{Guid.NewGuid():N}"[..16];

        var seenByA = await Units.RunAsTenantAsync(a.Id, async (db, ct) =>
        {
            db.Add(NewLocation(code));
            return await db.Set<Sku>().Select(s => s.Id).ToListAsync(ct);
        }, CancellationToken.None);
        var seenWithoutTenant = await Units.RunAsync((work, ct) => work.Db.Set<Sku>().CountAsync(ct), CancellationToken.None);

        Assert.Contains(skuOfA.SkuId, seenByA);
        Assert.DoesNotContain(skuOfB.SkuId, seenByA);
        Assert.Equal(0, seenWithoutTenant);
        Assert.Equal(1, await CountLocationsAsync(a.Id, code));
    }

    [Fact]
    public async Task One_unit_handles_several_tenants_one_after_the_other()
    {
        var (a, b, skuOfA, skuOfB) = await TwoTenantsWithASkuEachAsync();

        await using var work = await Units.BeginAsync(CancellationToken.None);
        var seenByA = await work.RunAsTenantAsync(a.Id, ct => work.Db.Set<Sku>().Select(s => s.Id).ToListAsync(ct), CancellationToken.None);
        var seenByB = await work.RunAsTenantAsync(b.Id, ct => work.Db.Set<Sku>().Select(s => s.Id).ToListAsync(ct), CancellationToken.None);
        await work.CommitAsync(CancellationToken.None);

        Assert.Equal([skuOfA.SkuId], seenByA);
        Assert.Equal([skuOfB.SkuId], seenByB);
        Assert.Null(work.TenantId);
    }

    private async Task<(TestTenant A, TestTenant B, SeededSku SkuOfA, SeededSku SkuOfB)> TwoTenantsWithASkuEachAsync()
    {
        var a = await app.CreateTenantAsync();
        var b = await app.CreateTenantAsync();
        return (a, b, await a.SeedSkuAsync(), await b.SeedSkuAsync());
    }

    private static Location NewLocation(string code) =>
        new() { Id = Ids.New(Ids.Location), Code = code, Name = code, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };

    private Task<long> CountLocationsAsync(string tenantId, string code) =>
        app.Database.ScalarAsync<long>("SELECT count(*) FROM locations WHERE tenant_id = $1 AND code = $2", tenantId, code);

    private static Task Record(List<string> ran, string what)
    {
        ran.Add(what);
        return Task.CompletedTask;
    }
}
