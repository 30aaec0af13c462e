using OrderCore.Api.Features.Catalog;
using OrderCore.Api.Features.Customers;

namespace OrderCore.Api.Features.Orders;

internal static class OrdersApi
{
    /// <summary>What orders keep about products, the go-live check for a first order, and the order events.</summary>
    public static void AddOrders(this WebApplicationBuilder builder) =>
        builder.Services.AddProductReferences<OrderProductReferences>().AddReadinessCheck<OrderCreatedCheck>()
            .AddEventTypes(OrderLifecycle.EventTypes).AddSingleton<OrderChangeChecks>();

    public static RouteGroupBuilder MapOrdersApi(this RouteGroupBuilder v1)
    {
        var orders = v1.MapGroup("/orders").WithTags("Orders").RequireScopes(OrderScopes.Read, OrderScopes.Write);

        orders.MapPost("/", PlaceOrder.Handle)
            .WithName("CreateOrder")
            .WithSummary("Create an order")
            .WithDescription("Prices every line, reserves stock at the default location and stores the order in one transaction. "
                + "Send an Idempotency-Key header (or idempotency_key field) so that a retry never creates a second order.")
            .ProducesErrors(400, 401, 404, 409, 413, 422);

        orders.MapPost("/preview", PreviewOrder.Handle)
            .WithName("PreviewOrder")
            .WithSummary("Price an order and check its stock without creating or reserving anything")
            .WithDescription("Takes the body of POST /v1/orders and answers the priced order (unit prices from the same resolver, totals) "
                + "with stock availability per line at the default location. Fails like order creation, except that missing stock is "
                + "reported per line (in_stock false) instead of answering 409.")
            .ProducesErrors(400, 401, 404, 409, 413, 422);

        orders.MapGet("/", ListOrders.Handle)
            .WithName("ListOrders")
            .WithSummary("List orders, newest first")
            .ProducesErrors(400, 401);

        orders.MapGet("/{id}", GetOrder.Handle)
            .WithName("GetOrder")
            .WithSummary("Retrieve an order")
            .ProducesErrors(401, 404);

        orders.MapGet("/lookup", LookupOrder.Handle)
            .WithName("LookupOrder")
            .WithSummary("The latest order and checkout session with a merchant_reference_id")
            .ProducesErrors(400, 401, 404);

        orders.MapPost("/{id}/confirm", OrderTransitions.Confirm)
            .WithName("ConfirmOrder")
            .WithSummary("pending -> confirmed")
            .ProducesErrors(400, 401, 404, 409, 503);

        orders.MapPost("/{id}/cancel", OrderTransitions.Cancel)
            .WithName("CancelOrder")
            .WithSummary("pending or confirmed -> cancelled; releases every reservation of the order")
            .ProducesErrors(400, 401, 404, 409, 503);

        orders.MapPost("/{id}/fulfill", OrderTransitions.Fulfill)
            .WithName("FulfillOrder")
            .WithSummary("confirmed -> fulfilled; commits the reservations (on_hand and reserved drop)")
            .ProducesErrors(400, 401, 404, 409, 503);

        return orders;
    }
}
