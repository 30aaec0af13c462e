using Microsoft.AspNetCore.OpenApi;
using OrderCore.Api.Features.Customers;
using OrderCore.Api.Features.Orders;
using OrderCore.Api.Features.Webhooks;

namespace OrderCore.Api.Features.Notifications;

/// <summary>
/// Per-order notifications (asynchronous calls when a field of one order reaches a value) and validation hooks
/// (synchronous calls that may refuse a change), with the adapter configuration their URLs read. Built on Orders'
/// <see cref="IOrderChangeCheck"/> and Webhooks' <see cref="INotificationTargets"/> and <see cref="SignedCalls"/>.
/// </summary>
internal static class NotificationsApi
{
    public static void AddNotifications(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<OrderChangeSubscriptions>();
        services.AddSingleton<IOrderChangeCheck>(provider => provider.GetRequiredService<OrderChangeSubscriptions>());
        services.AddSingleton<INotificationTargets>(provider => provider.GetRequiredService<OrderChangeSubscriptions>());
        services.Configure<OpenApiOptions>("v1", options => options.AddOperationTransformer(NotificationsOpenApi.TransformOperation)
            .AddSchemaTransformer(NotificationsOpenApi.TransformSchema));
    }

    public static void MapNotificationsApi(this RouteGroupBuilder v1)
    {
        var notifications = v1.MapGroup("/orders/{order_id}/notifications").WithTags("Order notifications")
            .RequireScopes(OrderScopes.Read, OrderScopes.Write);
        notifications.MapPost("/", OrderNotifications.Create).WithName("CreateOrderNotification").WithSecretInAnswer()
            .WithSummary("Call a URL when a field of the order changes (to a value a JSON Schema accepts); the answer holds its signing secret, shown once")
            .ProducesErrors(400, 401, 404, 409, 413, 422);
        notifications.MapGet("/", OrderNotifications.List).WithName("ListOrderNotifications").WithSummary("List the order's notifications, newest first")
            .ProducesErrors(400, 401, 404);
        notifications.MapGet("/{notification_id}", OrderNotifications.Get).WithName("GetOrderNotification").WithSummary("Retrieve a notification")
            .ProducesErrors(401, 404);
        notifications.MapDelete("/{notification_id}", OrderNotifications.Delete).WithName("DeleteOrderNotification")
            .WithSummary("Delete a notification; calls already scheduled fail").ProducesErrors(401, 404);

        var hooks = v1.MapGroup("/orders/{order_id}/hooks").WithTags("Order hooks").RequireScopes(OrderScopes.Read, OrderScopes.Write);
        hooks.MapPost("/", OrderHooks.Create).WithName("CreateOrderHook").WithSecretInAnswer()
            .WithSummary("Have a URL validate changes to a field of the order before they commit; the answer holds its signing secret, shown once")
            .ProducesErrors(400, 401, 404, 409, 413, 422);
        hooks.MapGet("/", OrderHooks.List).WithName("ListOrderHooks").WithSummary("List the order's hooks, newest first").ProducesErrors(400, 401, 404);
        hooks.MapGet("/{hook_id}", OrderHooks.Get).WithName("GetOrderHook").WithSummary("Retrieve a hook").ProducesErrors(401, 404);
        hooks.MapDelete("/{hook_id}", OrderHooks.Delete).WithName("DeleteOrderHook").WithSummary("Delete a hook").ProducesErrors(401, 404);

        var adapters = v1.MapGroup("/adapters/{adapter_id}/configuration").WithTags("Order notifications")
            .RequireScopes(OrderScopes.Read, OrderScopes.Write);
        adapters.MapPut("/", AdapterConfigurations.Put).WithName("PutAdapterConfiguration")
            .WithSummary("Create or replace an adapter's configuration, read by {configuration.adapter.<key>} in invoke URLs").ProducesErrors(400, 401, 413);
        adapters.MapGet("/", AdapterConfigurations.Get).WithName("GetAdapterConfiguration").WithSummary("Retrieve an adapter's configuration")
            .ProducesErrors(401, 404);
    }
}
