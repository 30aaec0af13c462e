namespace OrderCore.Api.Features.Orders;

public sealed record OrderResponse(
    string Id,
    string OrderNumber,
    OrderStatus Status,
    string? CustomerId,
    string Currency,
    string? MerchantReferenceId,
    PaymentResponse? Payment,
    string? Channel,
    string? SourcePlatform,
    JsonObject? Metadata,
    IReadOnlyList<OrderLineResponse> Items,
    decimal Subtotal,
    decimal Total,
    IReadOnlyList<StatusChangeResponse> StatusHistory,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    internal static OrderResponse From(Order order) => new(
        order.Id,
        order.OrderNumber,
        order.Status,
        order.CustomerId,
        order.Currency,
        order.MerchantReferenceId,
        order.PaymentProvider is null ? null : new PaymentResponse(order.PaymentProvider, order.PaymentReference),
        order.Channel,
        order.SourcePlatform,
        order.Metadata,
        order.Lines.OrderBy(l => l.Position).Select(l => OrderLineResponse.From(l, order.Currency)).ToList(),
        Money.Round(order.Subtotal, order.Currency),
        Money.Round(order.Total, order.Currency),
        order.StatusHistory.OrderBy(c => c.Sequence).Select(StatusChangeResponse.Of).ToList(),
        order.CreatedAt,
        order.UpdatedAt);
}

public sealed record OrderLineResponse(
    string Id,
    string SkuId,
    string SkuCode,
    string ProductId,
    string ProductName,
    int Quantity,
    decimal UnitPrice,
    decimal LineTotal)
{
    internal static OrderLineResponse From(OrderLine line, string currency) => new(
        line.Id, line.SkuId, line.SkuCode, line.ProductId, line.ProductName, line.Quantity,
        Money.Round(line.UnitPrice, currency), Money.Round(line.LineTotal, currency));
}

public sealed record PaymentResponse(string Provider, string? Reference);

/// <summary>One step of <c>status_history</c>; the first has <c>from</c> null (creation).</summary>
public sealed record StatusChangeResponse(
    OrderStatus? From,
    OrderStatus To,
    DateTimeOffset At,
    string? Reason,
    JsonObject? Metadata,
    [property: Description("The adapter whose request made the step (x-adapterid header), or null.")] string? AdapterId)
{
    internal static StatusChangeResponse Of(OrderStatusChange change) =>
        new(change.From, change.To, change.At, change.Reason, change.Metadata, change.AdapterId);
}
