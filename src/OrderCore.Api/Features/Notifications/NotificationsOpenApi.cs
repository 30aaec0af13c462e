using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrderCore.Api.Features.Notifications;

/// <summary>
/// The notification routes in the OpenAPI document: request examples translated from the reference's, and the
/// <c>adapterId</c> alias left out of the schemas (it is accepted, but the document names every member in snake_case).
/// </summary>
internal static class NotificationsOpenApi
{
    private static readonly Dictionary<string, string> Examples = new(StringComparer.Ordinal)
    {
        ["CreateOrderNotification"] = """
            {"id": "jetshop-payment-export", "adapter_id": "jetshop_adapter", "reference": "payment-export",
             "description": "Export payment information to Jetshop when the order has been fulfilled.",
             "scope": "/status", "schema": {"const": "fulfilled"},
             "invoke": "{configuration.adapter.internalUrl}/api/v1/callbacks/orders/{order.id}/specific-callback",
             "version": "v1", "delay": 0}
            """,
        ["CreateOrderHook"] = """
            {"adapter_id": "wms_adapter", "description": "Refuse cancelling an order the warehouse has already picked.",
             "scope": "/status", "schema": {"const": "cancelled"},
             "invoke": "{configuration.adapter.internalUrl}/hooks/orders/{order.id}/cancel", "timeout_ms": 2000, "on_error": "reject"}
            """,
        ["PutAdapterConfiguration"] = """{"internalUrl": "https://jetshop-adapter.example.com", "shop": "north-store"}""",
    };

    public static Task TransformOperation(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.OperationId is { } id && Examples.TryGetValue(id, out var example)
            && operation.RequestBody?.Content?.TryGetValue("application/json", out var media) == true && media is OpenApiMediaType json)
        {
            json.Example = JsonNode.Parse(example);
        }

        return Task.CompletedTask;
    }

    public static Task TransformSchema(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonTypeInfo.Type.IsAssignableTo(typeof(OrderSubscriptionRequest)))
        {
            schema.Properties?.Remove("adapterId");
        }

        return Task.CompletedTask;
    }
}
