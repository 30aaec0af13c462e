using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using OrderCore.Api.Platform.Errors;
using OrderCore.Api.Platform.Json;
using OrderCore.Api.Platform.Pagination;
using OrderCore.Api.Platform.Persistence;

namespace OrderCore.Api.Features.Orders;

public static class GetOrder
{
    public static async Task<Results<Ok<OrderResponse>, ApiError>> Handle(string id, OrderCoreDbContext db, CancellationToken cancellationToken)
    {
        var order = await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        return order is null ? ApiError.NotFound($"No order with id {id}") : TypedResults.Ok(OrderResponse.From(order));
    }
}

public sealed record ListOrdersQuery
{
    [Description("pending, confirmed, fulfilled or cancelled")]
    [FromQuery(Name = "status")]
    public string? Status { get; init; }

    [FromQuery(Name = "customer_id")]
    public string? CustomerId { get; init; }
}

public static class ListOrders
{
    public static async Task<Results<Ok<Paged<OrderResponse>>, ApiError>> Handle([AsParameters] ListOrdersQuery query,
        [AsParameters] PageRequest page, OrderCoreDbContext db, CancellationToken cancellationToken)
    {
        var orders = db.Orders.AsNoTracking();
        if (query.Status is not null)
        {
            if (!EnumText.TryParse<OrderStatus>(query.Status, out var status))
            {
                return ApiError.Validation("status", EnumText.Expected<OrderStatus>());
            }

            orders = orders.Where(o => o.Status == status);
        }

        if (query.CustomerId is not null)
        {
            orders = orders.Where(o => o.CustomerId == query.CustomerId);
        }

        return TypedResults.Ok(await orders.ToPageAsync(page, OrderResponse.From, cancellationToken));
    }
}
