using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OrderCore.Api.Platform.Pagination;
using OrderCore.Api.Platform.Persistence;
using OrderCore.Tests.Features.Webhooks;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Platform;

/// <summary>
/// <c>total</c> and <c>total_exact</c> of the list answer, through both <c>Paging.ToPageAsync</c> overloads:
/// customers (newest first, <c>starting_after</c>) and inventory levels (page numbers only). Rows are
/// inserted with SQL: a thousand through the API would take minutes.
/// </summary>
public sealed class PaginationTests(AppFixture app)
{
    private const int Cap = Paging.MaxExactTotal;

    [Fact]
    public async Task More_matches_than_the_cap_answer_the_cap_with_total_exact_false()
    {
        var tenant = await app.CreateTenantAsync();
        await tenant.SeedCustomersAsync(Cap + 1);

        var first = await tenant.Client.GetJsonAsync("/v1/customers");
        var next = await tenant.Client.GetJsonAsync($"/v1/customers?starting_after={LastId(first)}");
        var middle = await tenant.Client.GetJsonAsync("/v1/customers?page=5&per_page=100");
        var pastTheEnd = await tenant.Client.GetJsonAsync("/v1/customers?page=12&per_page=100");

        AssertPage(first, items: 20, total: Cap, exact: false, hasMore: true);
        AssertPage(next, items: 20, total: Cap, exact: false, hasMore: true);
        AssertPage(middle, items: 100, total: Cap, exact: false, hasMore: true);
        AssertPage(pastTheEnd, items: 0, total: Cap, exact: false, hasMore: false);
    }

    [Fact]
    public async Task The_last_page_by_number_tells_the_exact_total_even_beyond_the_cap()
    {
        var tenant = await app.CreateTenantAsync();
        await tenant.SeedCustomersAsync(Cap + 1);

        var last = await tenant.Client.GetJsonAsync("/v1/customers?page=11&per_page=100");

        // a count would have answered the cap: 1,001 proves the page itself told the total
        AssertPage(last, items: 1, total: Cap + 1, exact: true, hasMore: false);
    }

    [Fact]
    public async Task Exactly_the_cap_is_an_exact_total()
    {
        var tenant = await app.CreateTenantAsync();
        await tenant.SeedCustomersAsync(Cap);

        var first = await tenant.Client.GetJsonAsync("/v1/customers");
        var next = await tenant.Client.GetJsonAsync($"/v1/customers?starting_after={LastId(first)}");
        var last = await tenant.Client.GetJsonAsync("/v1/customers?page=10&per_page=100");
        var pastTheEnd = await tenant.Client.GetJsonAsync("/v1/customers?page=11&per_page=100");

        AssertPage(first, items: 20, total: Cap, exact: true, hasMore: true);
        AssertPage(next, items: 20, total: Cap, exact: true, hasMore: true);
        AssertPage(last, items: 100, total: Cap, exact: true, hasMore: false);
        AssertPage(pastTheEnd, items: 0, total: Cap, exact: true, hasMore: false);
    }

    [Fact]
    public async Task A_small_list_answers_its_exact_total_on_every_page_and_after_every_cursor()
    {
        var tenant = await app.CreateTenantAsync();
        var ids = (await tenant.SeedCustomersAsync(45)).Order(StringComparer.Ordinal).Reverse().ToArray();

        var page1 = await tenant.Client.GetJsonAsync("/v1/customers");
        var page3 = await tenant.Client.GetJsonAsync("/v1/customers?page=3");
        var page5 = await tenant.Client.GetJsonAsync("/v1/customers?page=5");
        var afterPage1 = await tenant.Client.GetJsonAsync($"/v1/customers?starting_after={ids[19]}");
        var afterPage2 = await tenant.Client.GetJsonAsync($"/v1/customers?starting_after={ids[39]}");
        var afterLast = await tenant.Client.GetJsonAsync($"/v1/customers?starting_after={ids[^1]}");

        AssertPage(page1, items: 20, total: 45, exact: true, hasMore: true);
        AssertPage(page3, items: 5, total: 45, exact: true, hasMore: false);
        Assert.Equal(ids[40..], Ids(page3));
        AssertPage(page5, items: 0, total: 45, exact: true, hasMore: false);
        AssertPage(afterPage1, items: 20, total: 45, exact: true, hasMore: true);
        AssertPage(afterPage2, items: 5, total: 45, exact: true, hasMore: false);
        Assert.Equal(ids[40..], Ids(afterPage2));
        AssertPage(afterLast, items: 0, total: 45, exact: true, hasMore: false);
    }

    [Fact]
    public async Task A_page_and_its_count_are_one_statement_with_the_limit_written_in_and_no_offset_on_a_first_page()
    {
        // With LIMIT $n PostgreSQL plans for a tenth of the table (a generic plan of the first page of orders read every
        // status change of the tenant); the count rides in the same statement (one round trip).
        var commands = new ListCommands();
        await using var isolated = await IsolatedApp.CreateAsync([]);
        var address = isolated.StartInstance(services => services.ConfigureDbContext<OrderCoreDbContext>(o => o.AddInterceptors(commands)));
        var (_, key) = await isolated.CreateTenantAsync(address);
        using var client = IsolatedApp.Client(address, key);

        foreach (var (path, table, limit) in new[] { ("/v1/orders", "orders", 21), ("/v1/customers?per_page=5", "customers", 6) })
        {
            commands.Clear();
            var page = await client.GetJsonAsync(path);

            AssertPage(page, items: 0, total: 0, exact: true, hasMore: false);
            var statement = Assert.Single(commands.Reading(table));
            Assert.Contains($"LIMIT {limit}", statement, StringComparison.Ordinal);
            Assert.Contains("LIMIT 1001", statement, StringComparison.Ordinal);
            Assert.Contains("count(*)", statement, StringComparison.Ordinal);
            Assert.DoesNotContain("OFFSET", statement, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_total_counts_only_what_the_filters_match()
    {
        var tenant = await app.CreateTenantAsync();
        await tenant.SeedCustomersAsync(30);
        var buyers = new[] { await tenant.SeedCustomerAsync(), await tenant.SeedCustomerAsync(), await tenant.SeedCustomerAsync() }
            .Order(StringComparer.Ordinal).Reverse().ToArray();

        var first = await tenant.Client.GetJsonAsync("/v1/customers?email=buyer@example.com&per_page=2");
        var next = await tenant.Client.GetJsonAsync($"/v1/customers?email=buyer@example.com&per_page=2&starting_after={buyers[0]}");
        var second = await tenant.Client.GetJsonAsync("/v1/customers?email=buyer@example.com&per_page=2&page=2");

        AssertPage(first, items: 2, total: 3, exact: true, hasMore: true);
        AssertPage(next, items: 2, total: 3, exact: true, hasMore: false);
        AssertPage(second, items: 1, total: 3, exact: true, hasMore: false);
        Assert.Equal(buyers[2..], Ids(second));
    }

    [Fact]
    public async Task An_empty_list_answers_an_exact_zero()
    {
        var tenant = await app.CreateTenantAsync();

        AssertPage(await tenant.Client.GetJsonAsync("/v1/customers"), items: 0, total: 0, exact: true, hasMore: false);
        AssertPage(await tenant.Client.GetJsonAsync("/v1/customers?page=2"), items: 0, total: 0, exact: true, hasMore: false);
    }

    [Fact]
    public async Task Page_number_lists_in_their_own_order_cap_the_total_too()
    {
        var tenant = await app.CreateTenantAsync();
        await SeedInventoryLevelsAsync(tenant, Cap + 1);

        var first = await tenant.Client.GetJsonAsync("/v1/inventory?per_page=100");
        var last = await tenant.Client.GetJsonAsync("/v1/inventory?per_page=100&page=11");
        var pastTheEnd = await tenant.Client.GetJsonAsync("/v1/inventory?per_page=100&page=12");

        AssertPage(first, items: 100, total: Cap, exact: false, hasMore: true);
        AssertPage(last, items: 1, total: Cap + 1, exact: true, hasMore: false);
        AssertPage(pastTheEnd, items: 0, total: Cap, exact: false, hasMore: false);
    }

    [Fact]
    public async Task Page_number_lists_in_their_own_order_answer_small_exact_totals()
    {
        var tenant = await app.CreateTenantAsync();
        await SeedInventoryLevelsAsync(tenant, 3);

        AssertPage(await tenant.Client.GetJsonAsync("/v1/inventory?per_page=2"), items: 2, total: 3, exact: true, hasMore: true);
        AssertPage(await tenant.Client.GetJsonAsync("/v1/inventory?per_page=2&page=2"), items: 1, total: 3, exact: true, hasMore: false);
        AssertPage(await tenant.Client.GetJsonAsync("/v1/inventory?per_page=2&page=3"), items: 0, total: 3, exact: true, hasMore: false);
    }

    /// <summary><paramref name="count"/> inventory levels at the default location: one seeded SKU, the rest copies of it made with SQL.</summary>
    private async Task SeedInventoryLevelsAsync(TestTenant tenant, int count)
    {
        var sku = await tenant.SeedSkuAsync(stock: 1);
        await app.Database.ExecuteAsync("""
            INSERT INTO skus (tenant_id, id, product_id, sku_code, name, status, track_inventory, created_at, updated_at)
            SELECT tenant_id, 'sku_bulk_' || n, product_id, 'BULK-' || n, name, status, track_inventory, now(), now()
            FROM skus CROSS JOIN generate_series(2, $3) AS n
            WHERE tenant_id = $1 AND id = $2
            """, tenant.Id, sku.SkuId, count);
        await app.Database.ExecuteAsync("""
            INSERT INTO inventory_levels (tenant_id, location_id, sku_id, on_hand, reserved, updated_at)
            SELECT s.tenant_id, l.location_id, s.id, 1, 0, now()
            FROM skus s CROSS JOIN (SELECT location_id FROM inventory_levels WHERE tenant_id = $1 AND sku_id = $2) AS l
            WHERE s.tenant_id = $1 AND s.id LIKE 'sku\_bulk\_%'
            """, tenant.Id, sku.SkuId);
        Assert.Equal(count, await tenant.CountAsync("inventory_levels"));
    }

    private static void AssertPage(ApiResponse list, int items, int total, bool exact, bool hasMore)
    {
        Assert.True(list.Status == HttpStatusCode.OK, $"{(int)list.Status}: {list.Body}");
        Assert.Equal(items, list.Body.GetProperty("data").GetArrayLength());
        Assert.Equal(total, list.Body.GetProperty("total").GetInt32());
        Assert.Equal(exact, list.Body.GetProperty("total_exact").GetBoolean());
        Assert.Equal(hasMore, list.Body.GetProperty("has_more").GetBoolean());
    }

    private static string[] Ids(ApiResponse list) =>
        list.Body.GetProperty("data").EnumerateArray().Select(o => o.GetProperty("id").GetString()!).ToArray();

    private static string LastId(ApiResponse list) => Ids(list)[^1];

    [Theory]
    [InlineData("/v1/customers?page=21474836&per_page=100")]
    [InlineData("/v1/inventory?page=21474836&per_page=100")]
    public async Task A_page_number_far_past_the_end_answers_an_empty_page(string path)
    {
        var tenant = await app.CreateTenantAsync();
        await tenant.SeedCustomersAsync(3);

        var answer = await tenant.Client.GetJsonAsync(path);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Empty(answer.Body.GetProperty("data").EnumerateArray());
        Assert.False(answer.Body.GetProperty("has_more").GetBoolean());
    }

    [Theory]
    [InlineData("/v1/customers?page=99999999")]
    [InlineData("/v1/customers?page=2147483648")]
    [InlineData("/v1/customers?page=0")]
    [InlineData("/v1/customers?page=-5")]
    [InlineData("/v1/customers?page=abc")]
    [InlineData("/v1/inventory?page=99999999&per_page=100")]
    [InlineData("/v1/orders?page=21474837")]
    public async Task A_page_number_out_of_range_is_a_400_naming_the_limit_not_another_page(string path)
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.GetJsonAsync(path);

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal("must be a whole number from 1 to 21474836", answer.Body.GetProperty("errors").GetProperty("page")[0].GetString());
    }

    [Fact]
    public async Task A_per_page_that_is_not_a_number_is_a_400_like_page()
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.GetJsonAsync("/v1/customers?per_page=x");

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty("per_page", out _), answer.Body.ToString());
    }

    [Fact]
    public async Task The_document_states_the_page_limit()
    {
        using var document = JsonDocument.Parse(await app.Client().GetStringAsync("/openapi/v1.json"));

        var page = document.RootElement.GetProperty("paths").GetProperty("/v1/customers").GetProperty("get").GetProperty("parameters")
            .EnumerateArray().Single(p => p.GetProperty("name").GetString() == "page");

        Assert.Equal(21474836, page.GetProperty("schema").GetProperty("maximum").GetInt32());
        Assert.Contains("21474836", page.GetProperty("description").GetString());
    }

    /// <summary>The statements the app's contexts send that read <c>FROM table</c>.</summary>
    private sealed class ListCommands : DbCommandInterceptor
    {
        private readonly ConcurrentQueue<string> _commands = new();

        public void Clear() => _commands.Clear();

        public IEnumerable<string> Reading(string table) => _commands.Where(c => c.Contains($"FROM {table} AS", StringComparison.Ordinal));

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            _commands.Enqueue(command.CommandText);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}
