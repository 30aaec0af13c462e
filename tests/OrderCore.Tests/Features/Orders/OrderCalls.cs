using System.Net;
using System.Text.Json;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Orders;

/// <summary>A stock movement row of an order, straight from the database.</summary>
public sealed record MovementRow(string SkuId, string Reason, int OnHandDelta, int ReservedDelta, string? ReservationId);

/// <summary>A reservation row of an order, straight from the database.</summary>
public sealed record ReservationRow(string Id, string SkuId, int Quantity, string Status);

/// <summary>An event row about one subject, straight from the database.</summary>
public sealed record EventRow(string Id, string Type, long? Sequence);

/// <summary>Order calls and database reads shared by the order lifecycle, lookup and event tests.</summary>
public static class OrderCalls
{
    public static async Task<ApiResponse> PlaceAsync(this TestTenant tenant, object body, string? idempotencyKey = null)
    {
        var answer = await tenant.Client.PostJsonAsync("/v1/orders", body, idempotencyKey);
        Assert.True(answer.Status == HttpStatusCode.Created, $"{(int)answer.Status}: {answer.Body}");
        return answer;
    }

    /// <summary>POST /v1/orders/{id}/{action} (confirm, cancel, fulfill); no body unless given.</summary>
    public static Task<ApiResponse> MoveAsync(this TestTenant tenant, string orderId, string action, object? body = null,
        string? idempotencyKey = null) =>
        tenant.Client.PostJsonAsync($"/v1/orders/{orderId}/{action}", body, idempotencyKey);

    /// <summary>A transition that must succeed and leave the order in <paramref name="status"/>.</summary>
    public static async Task<ApiResponse> MoveOkAsync(this TestTenant tenant, string orderId, string action, string status, object? body = null)
    {
        var answer = await tenant.MoveAsync(orderId, action, body);
        Assert.True(answer.Status == HttpStatusCode.OK, $"{action}: {(int)answer.Status} {answer.Body}");
        Assert.Equal(status, answer.Str("status"));
        Assert.Equal(orderId, answer.Str("id"));
        return answer;
    }

    public static async Task<ApiResponse> GetOrderAsync(this TestTenant tenant, string orderId)
    {
        var answer = await tenant.Client.GetJsonAsync($"/v1/orders/{orderId}");
        Assert.True(answer.Status == HttpStatusCode.OK, $"{(int)answer.Status}: {answer.Body}");
        return answer;
    }

    /// <summary>The status_history of an order answer as "from>to" steps ("" for the null of creation).</summary>
    public static string[] Steps(JsonElement order) =>
        order.GetProperty("status_history").EnumerateArray()
            .Select(c => $"{(c.GetProperty("from").ValueKind == JsonValueKind.Null ? "" : c.GetProperty("from").GetString())}>{c.GetProperty("to").GetString()}")
            .ToArray();

    public static string[] Ids(ApiResponse list) =>
        list.Body.GetProperty("data").EnumerateArray().Select(o => o.GetProperty("id").GetString()!).ToArray();

    public static async Task<List<MovementRow>> OrderMovementsAsync(this AppFixture app, TestTenant tenant, string orderId)
    {
        await using var command = app.Database.DataSource.CreateCommand("""
            SELECT sku_id, reason, on_hand_delta, reserved_delta, reservation_id
            FROM inventory_movements WHERE tenant_id = $1 AND order_id = $2
            """);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = tenant.Id });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = orderId });
        var rows = new List<MovementRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new MovementRow(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3),
                reader.IsDBNull(4) ? null : reader.GetString(4)));
        }

        return rows;
    }

    public static async Task<List<ReservationRow>> OrderReservationsAsync(this AppFixture app, TestTenant tenant, string orderId)
    {
        await using var command = app.Database.DataSource.CreateCommand(
            "SELECT id, sku_id, quantity, status FROM inventory_reservations WHERE tenant_id = $1 AND order_id = $2 ORDER BY sku_id");
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = tenant.Id });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = orderId });
        var rows = new List<ReservationRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new ReservationRow(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3)));
        }

        return rows;
    }

    /// <summary>The events about one subject (e.g. an order), by sequence.</summary>
    public static async Task<List<EventRow>> SubjectEventsAsync(this AppFixture app, TestTenant tenant, string subjectId)
    {
        await using var command = app.Database.DataSource.CreateCommand(
            "SELECT id, type, sequence FROM events WHERE tenant_id = $1 AND subject_id = $2 ORDER BY sequence, id");
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = tenant.Id });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = subjectId });
        var rows = new List<EventRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new EventRow(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetInt64(2)));
        }

        return rows;
    }
}
