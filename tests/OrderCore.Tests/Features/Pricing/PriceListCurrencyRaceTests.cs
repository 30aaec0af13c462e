using System.Net;
using Npgsql;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Pricing;

/// <summary>
/// A list's currency changes only while it has no prices, even when a price is being added at the same moment:
/// each test holds the other side's transaction open in the database and lets the request run into it.
/// </summary>
public sealed class PriceListCurrencyRaceTests(AppFixture app)
{
    [Fact(Timeout = 60_000)]
    public async Task A_currency_change_waits_for_a_price_being_added_and_then_refuses()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.CreateSkuAsync();
        var listId = await tenant.ListAsync(code: "RACE");
        var cancellation = TestContext.Current.CancellationToken;
        await using var connection = await app.Database.DataSource.OpenConnectionAsync(cancellation);
        await using var addingPrice = await connection.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO prices (tenant_id, id, sku_id, price_list_id, currency, unit_amount, min_quantity, active, created_at, updated_at)
            VALUES ($1, $2, $3, $4, 'USD', 1, 1, true, now(), now())
            """, connection, addingPrice))
        {
            foreach (var value in new[] { tenant.Id, $"price_race{Guid.NewGuid():N}", sku.Id, listId })
            {
                insert.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            await insert.ExecuteNonQueryAsync();
        }

        var patch = tenant.Client.PatchAsync($"/v1/price-lists/{listId}", new { currency = "EUR" });
        await UntilBlockedOrDoneAsync(patch, "FOR UPDATE", cancellation);
        await addingPrice.CommitAsync();

        (await patch).AssertError(HttpStatusCode.Conflict, "price_list_has_prices");
        Assert.Equal("USD", (await tenant.Client.GetJsonAsync($"/v1/price-lists/{listId}")).Str("currency"));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_price_added_during_a_currency_change_takes_the_new_currency()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.CreateSkuAsync();
        var listId = await tenant.ListAsync(code: "RACE");
        var cancellation = TestContext.Current.CancellationToken;
        await using var connection = await app.Database.DataSource.OpenConnectionAsync(cancellation);
        await using var changingCurrency = await connection.BeginTransactionAsync();
        await using (var update = new NpgsqlCommand("UPDATE price_lists SET currency = 'EUR' WHERE tenant_id = $1 AND id = $2", connection, changingCurrency))
        {
            update.Parameters.Add(new NpgsqlParameter { Value = tenant.Id });
            update.Parameters.Add(new NpgsqlParameter { Value = listId });
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        var post = tenant.Client.PostJsonAsync("/v1/prices", new { sku_id = sku.Id, price_list_id = listId, unit_amount = 5 });
        await UntilBlockedOrDoneAsync(post, "FOR SHARE", cancellation);
        await changingCurrency.CommitAsync();

        var created = await post;
        Assert.True(created.Status == HttpStatusCode.Created, created.Body.ToString());
        Assert.Equal("EUR", created.Str("currency"));
    }

    /// <summary>
    /// Returns once the app's request waits on a row lock in a statement containing <paramref name="statement"/>,
    /// or once the request has finished without waiting (then the test's assertions show what went wrong). The
    /// test's timeout only guards against a request that does neither.
    /// </summary>
    private async Task UntilBlockedOrDoneAsync(Task request, string statement, CancellationToken cancellation)
    {
        while (!request.IsCompleted)
        {
            var waiting = await app.Database.ScalarAsync<long>("""
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%price_lists%' AND query LIKE $1
                """, $"%{statement}%");
            if (waiting > 0)
            {
                return;
            }

            cancellation.ThrowIfCancellationRequested();
        }
    }
}
