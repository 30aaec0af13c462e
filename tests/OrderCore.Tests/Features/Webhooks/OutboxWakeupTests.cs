using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrderCore.Api.Platform.Events;
using OrderCore.Api.Platform.Persistence;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Webhooks;

/// <summary>
/// How committed events reach the delivery worker without a <c>NOTIFY</c> in the writing transaction: the in-process
/// wake-up after the commit, one coalesced notification for other instances, the dispatch cursor across restarts.
/// Each test runs its instances on a database of its own, with polling slowed to minutes so only a wake-up can explain
/// a prompt delivery.
/// </summary>
public sealed class OutboxWakeupTests
{
    private static Dictionary<string, string?> Settings() => new()
    {
        ["Webhooks:AllowHttp"] = "true",
        ["Webhooks:AllowPrivateTargets"] = "true",
        ["Webhooks:PollInterval"] = "00:05:00",
    };

    [Fact]
    public async Task A_committed_order_event_reaches_its_endpoint_within_a_second_without_polling_or_a_trigger()
    {
        await using var app = await IsolatedApp.CreateAsync(Settings());
        var address = app.StartInstance();
        var (_, key) = await app.CreateTenantAsync(address);
        using var client = IsolatedApp.Client(address, key);
        await using var receiver = await WebhookReceiver.StartAsync();
        await client.CreateEndpointAsync(receiver.Url.ToString(), "order.created");
        await SeedDemoCatalogAsync(client);
        // The worker's first passes after start-up are behind it: from now on only a wake-up makes it look again.
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        var order = await client.PostJsonAsync("/v1/orders", new { items = new[] { new { sku_code = "DEMO-STARTER-1", quantity = 1 } } });
        var answered = Stopwatch.StartNew();
        await Eventually.WaitAsync(() => Task.FromResult(!receiver.Received.IsEmpty), () => "no delivery", seconds: 5);

        Assert.True(answered.Elapsed < TimeSpan.FromSeconds(1), $"the delivery came {answered.Elapsed.TotalMilliseconds:F0} ms after the answer");
        Assert.Contains(order.Str("id"), Text(receiver.Received.Single()));
        Assert.Empty(await NotifyingTriggersAsync(app.Database));
    }

    [Fact]
    public async Task No_NOTIFY_is_sent_inside_an_order_transaction_and_other_instances_are_told_once_it_committed()
    {
        var commands = new CommandLog();
        await using var app = await IsolatedApp.CreateAsync(Settings());
        var address = app.StartInstance(services => services.ConfigureDbContext<OrderCoreDbContext>(o => o.AddInterceptors(commands)));
        var (_, key) = await app.CreateTenantAsync(address);
        using var client = IsolatedApp.Client(address, key);
        await SeedDemoCatalogAsync(client);

        // What another instance hears: a LISTEN on the outbox channel.
        await using var listener = new NpgsqlConnection(app.Database.ConnectionString);
        await listener.OpenAsync();
        var heard = new ConcurrentQueue<string>();
        listener.Notification += (_, e) => heard.Enqueue(e.Channel);
        await using (var listen = new NpgsqlCommand("LISTEN ordercore_outbox", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        await Task.Delay(OutboxSignalWindow * 5); // the seeding's own notification is behind us
        commands.Clear();
        heard.Clear();
        var order = await client.PostJsonAsync("/v1/orders", new { items = new[] { new { sku_code = "DEMO-STARTER-1", quantity = 1 } } });
        Assert.Equal(System.Net.HttpStatusCode.Created, order.Status);
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while (heard.IsEmpty)
            {
                await listener.WaitAsync(wait.Token);
            }
        }

        Assert.Contains(commands.InTransaction, c => c.Contains("INSERT INTO orders", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(commands.InTransaction, c => c.Contains("notify", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(commands.Autocommit, c => c.Contains("pg_notify", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(await NotifyingTriggersAsync(app.Database));
    }

    [Fact]
    public async Task Dispatch_bookkeeping_survives_a_restart_every_event_once_none_twice()
    {
        await using var app = await IsolatedApp.CreateAsync(Settings());
        var first = app.StartInstance();
        var (tenantId, key) = await app.CreateTenantAsync(first);
        await using var receiver = await WebhookReceiver.StartAsync();
        List<string> before;
        using (var client = IsolatedApp.Client(first, key))
        {
            await client.CreateEndpointAsync(receiver.Url.ToString(), "order.created");
            await SeedDemoCatalogAsync(client);
            before = await CreateOrdersAsync(client, 5);
            await Eventually.WaitAsync(() => Task.FromResult(receiver.Received.Count >= 5), () => $"{receiver.Received.Count} of 5 delivered");
            // Recorded too: a delivery still in flight when the instance stops is given back and sent again (at least once).
            await Eventually.WaitAsync(async () => await app.Database.ScalarAsync<long>(
                "SELECT count(*) FROM webhook_deliveries WHERE tenant_id = $1 AND status = 'succeeded'", tenantId) == 5, () => "outcomes not recorded");
        }

        await app.StopInstanceAsync(0);
        // Committed while no instance runs (as by another service writing the same database): only the cursor can find these.
        var whileDown = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var id = $"evt_down{i}{Guid.NewGuid():N}";
            await app.Database.ExecuteAsync(
                "INSERT INTO events (tenant_id, id, type, created_at, api_version, data) VALUES ($1, $2, 'order.created', now(), 'v1', $3::jsonb)",
                tenantId, id, $$"""{"id":"{{id}}"}""");
            whileDown.Add(id);
        }

        var second = app.StartInstance();
        using var restarted = IsolatedApp.Client(second, key);
        var after = await CreateOrdersAsync(restarted, 2);

        await Eventually.WaitAsync(() => Task.FromResult(receiver.Received.Count >= 10), () => $"{receiver.Received.Count} of 10 delivered");
        await Task.Delay(TimeSpan.FromSeconds(1)); // room for a duplicate to show up
        var bodies = receiver.Received.Select(Text).ToList();
        Assert.Equal(10, bodies.Count);
        foreach (var id in before.Concat(whileDown).Concat(after))
        {
            Assert.Single(bodies, b => b.Contains(id, StringComparison.Ordinal));
        }

        Assert.Equal(10L, await app.Database.ScalarAsync<long>("SELECT count(DISTINCT event_id) FROM webhook_deliveries WHERE tenant_id = $1", tenantId));
        Assert.Equal(0L, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM events WHERE dispatched_at IS NOT NULL AND tenant_id = $1", tenantId));
    }

    [Fact]
    public async Task An_event_of_a_transaction_that_commits_late_is_not_skipped()
    {
        await using var app = await IsolatedApp.CreateAsync(Settings());
        var address = app.StartInstance();
        var (tenantId, key) = await app.CreateTenantAsync(address);
        using var client = IsolatedApp.Client(address, key);
        await using var receiver = await WebhookReceiver.StartAsync();
        await client.CreateEndpointAsync(receiver.Url.ToString(), "order.created");
        await SeedDemoCatalogAsync(client);

        // A transaction that wrote its event first but commits last: the cursor must wait for it, not pass it.
        await using var slow = new NpgsqlConnection(app.Database.ConnectionString);
        await slow.OpenAsync();
        await using var transaction = await slow.BeginTransactionAsync();
        const string lateId = "evt_late_committer";
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO events (tenant_id, id, type, created_at, api_version, data) VALUES ($1, $2, 'order.created', now(), 'v1', '{}'::jsonb)", slow, transaction))
        {
            insert.Parameters.AddWithValue(tenantId);
            insert.Parameters.AddWithValue(lateId);
            await insert.ExecuteNonQueryAsync();
        }

        var early = await CreateOrdersAsync(client, 2);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Empty(receiver.Received); // held back behind the open transaction, not passed
        await transaction.CommitAsync();
        await client.PostJsonAsync("/v1/webhooks/smoke", new { }); // any commit of outbox rows wakes the worker

        await Eventually.WaitAsync(() => Task.FromResult(receiver.Received.Count(r => !Text(r).Contains("smoke_test", StringComparison.Ordinal)) >= 3),
            () => $"{receiver.Received.Count} delivered");
        var bodies = receiver.Received.Select(Text).ToList();
        Assert.Single(bodies, b => b.Contains(lateId, StringComparison.Ordinal));
        Assert.All(early, id => Assert.Single(bodies, b => b.Contains(id, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_cursor_reads_transaction_ids_in_numeric_order_across_a_digit_boundary_and_never_moves_back()
    {
        await using var app = await IsolatedApp.CreateAsync(Settings());
        var address = app.StartInstance();
        var (tenantId, _) = await app.CreateTenantAsync(address);
        await app.StopInstanceAsync(0);
        await app.Database.ExecuteAsync("UPDATE outbox_cursors SET transaction_id = '8', event_id = '' WHERE name = 'webhooks'");
        foreach (var (xid, id) in new[] { ("9", "evt_nine"), ("10", "evt_ten"), ("100", "evt_hundred") })
        {
            await app.Database.ExecuteAsync(
                "INSERT INTO events (tenant_id, id, type, created_at, api_version, data, transaction_id) VALUES ($1, $2, 'order.created', now(), 'v1', '{}', $3::xid8)",
                tenantId, id, xid);
        }

        var options = new DbContextOptionsBuilder<OrderCoreDbContext>();
        OrderCoreDbContext.Configure(options, app.Database.ConnectionString);
        List<string> first, second;
        await using (var db = new OrderCoreDbContext(options.Options))
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var page = (await OutboxCursor.ReadAsync(db, OutboxCursor.Webhooks, 1000, CancellationToken.None))!;
            first = page.Events.Select(e => e.TransactionId).ToList();
            await page.AdvanceAsync(db, CancellationToken.None);
            await transaction.CommitAsync();
        }

        await using (var db = new OrderCoreDbContext(options.Options))
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            second = (await OutboxCursor.ReadAsync(db, OutboxCursor.Webhooks, 1000, CancellationToken.None))!.Events.Select(e => e.Id).ToList();
        }

        Assert.Equal(["9", "10", "100"], first.Take(3));
        Assert.Equal(first.Select(ulong.Parse).Order(), first.Select(ulong.Parse));
        Assert.Empty(second);
    }

    private static readonly TimeSpan OutboxSignalWindow = TimeSpan.FromMilliseconds(20);

    private static string Text(ReceivedWebhook received) => System.Text.Encoding.UTF8.GetString(received.Body);

    private static async Task SeedDemoCatalogAsync(HttpClient client)
    {
        var response = await client.PostAsync("/v1/onboarding/demo-data", null);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<List<string>> CreateOrdersAsync(HttpClient client, int count)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var order = await client.PostJsonAsync("/v1/orders", new { items = new[] { new { sku_code = "DEMO-STARTER-1", quantity = 1 } } });
            ids.Add(order.Str("id"));
        }

        return ids;
    }

    /// <summary>
    /// Triggers whose function mentions NOTIFY: each would NOTIFY inside the writing transaction. Only the credential tables
    /// (keys and tenants: rare writes, never on the order path) may have one, to empty every instance's key cache.
    /// </summary>
    private static async Task<List<string>> NotifyingTriggersAsync(TestDatabase database)
    {
        await using var command = database.DataSource.CreateCommand("""
            SELECT t.tgrelid::regclass::text || '.' || t.tgname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE NOT t.tgisinternal AND p.prosrc ILIKE '%notify%' AND t.tgrelid::regclass::text NOT IN ('api_keys', 'tenants')
            """);
        await using var reader = await command.ExecuteReaderAsync();
        var triggers = new List<string>();
        while (await reader.ReadAsync())
        {
            triggers.Add(reader.GetString(0));
        }

        return triggers;
    }

    /// <summary>Every command the app's contexts send, split by whether a transaction was open.</summary>
    private sealed class CommandLog : DbCommandInterceptor
    {
        private readonly ConcurrentQueue<string> _inTransaction = new();
        private readonly ConcurrentQueue<string> _autocommit = new();

        public IReadOnlyCollection<string> InTransaction => _inTransaction;

        public IReadOnlyCollection<string> Autocommit => _autocommit;

        public void Clear()
        {
            _inTransaction.Clear();
            _autocommit.Clear();
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
        }

        private void Record(DbCommand command) => (command.Transaction is null ? _autocommit : _inTransaction).Enqueue(command.CommandText);
    }
}
