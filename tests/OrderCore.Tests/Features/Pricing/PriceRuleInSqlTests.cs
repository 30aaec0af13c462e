using Microsoft.EntityFrameworkCore;
using OrderCore.Api.Features.Pricing;
using OrderCore.Api.Platform.Identifiers;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Pricing;

/// <summary>
/// The SQL filters that <c>GET /v1/prices</c> uses (<see cref="PriceResolver.ValidAt"/> and friends) must keep exactly
/// the prices that <see cref="PriceResolver.Applies"/> accepts, down to the microsecond at the window edges.
/// </summary>
public sealed class PriceRuleInSqlTests(AppFixture app)
{
    private static readonly DateTimeOffset T = new(2031, 5, 5, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Every window whose bounds are open or lie one microsecond around <see cref="T"/>.</summary>
    private static readonly (DateTimeOffset? From, DateTimeOffset? To)[] Windows = BuildWindows();

    private static (DateTimeOffset?, DateTimeOffset?)[] BuildWindows()
    {
        DateTimeOffset?[] bounds = [null, T.AddMicroseconds(-1), T, T.AddMicroseconds(1)];
        return bounds.SelectMany(from => bounds, (from, to) => (from, to))
            .Where(w => w.from is null || w.to is null || w.from < w.to)
            .ToArray();
    }

    [Fact]
    public async Task The_sql_filters_keep_exactly_what_the_resolver_rule_accepts()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.CreateSkuAsync();
        var alice = await tenant.SeedCustomerAsync();
        var bob = await tenant.SeedCustomerAsync();

        await app.AsTenantAsync(tenant.Id, db =>
        {
            var n = 0;
            foreach (var (listFrom, listTo) in Windows)
            foreach (var customer in new[] { null, alice, bob })
            foreach (var listActive in new[] { true, false })
            {
                var list = new PriceList
                {
                    Id = Ids.New(Ids.PriceList), Code = $"L{n++}", Name = "edge", Currency = "USD", CustomerId = customer,
                    ValidFrom = listFrom, ValidTo = listTo, Active = listActive,
                };
                db.Add(list);
                foreach (var (from, to) in Windows)
                foreach (var minQuantity in new[] { 1, 5 })
                foreach (var active in new[] { true, false })
                {
                    db.Add(new Price
                    {
                        Id = Ids.New(Ids.Price), SkuId = sku.Id, PriceListId = list.Id, Currency = "USD", UnitAmount = 1m,
                        MinQuantity = minQuantity, ValidFrom = from, ValidTo = to, Active = active,
                    });
                }
            }

            return Task.CompletedTask;
        });

        foreach (var at in new[] { T.AddMicroseconds(-1), T, T.AddMicroseconds(1) })
        foreach (var customer in new[] { null, alice })
        foreach (var quantity in new[] { 1, 5 })
        {
            HashSet<string> inSql = [], inMemory = [];
            await app.AsTenantAsync(tenant.Id, async db =>
            {
                inSql = (await db.Set<Price>().Where(p => p.SkuId == sku.Id)
                    .ActiveInActiveList(db).ForCustomer(db, customer).ReachedBy(quantity).ValidAt(db, at)
                    .Select(p => p.Id).ToListAsync()).ToHashSet();
                var lists = await db.Set<PriceList>().AsNoTracking().ToDictionaryAsync(l => l.Id);
                inMemory = (await db.Set<Price>().AsNoTracking().ToListAsync())
                    .Where(p => PriceResolver.Applies(new PriceCandidate(p, lists[p.PriceListId]), "USD", customer, quantity, at))
                    .Select(p => p.Id).ToHashSet();
            });

            Assert.NotEmpty(inMemory);
            Assert.True(inSql.SetEquals(inMemory),
                $"at {at:O}, customer {customer ?? "none"}, quantity {quantity}: SQL kept {inSql.Count}, the rule {inMemory.Count}; "
                + $"only in SQL: {string.Join(", ", inSql.Except(inMemory))}; only by the rule: {string.Join(", ", inMemory.Except(inSql))}");
        }
    }
}
