namespace OrderCore.Api.Features.Integrations;

/// <summary>How Shopify signs a webhook: <c>X-Shopify-Hmac-Sha256</c> is the base64 HMAC-SHA256 of the raw body, keyed with the store's secret.</summary>
internal static class ShopifySignature
{
    public static string Sign(string secret, byte[] body) => Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>Compares in constant time; a missing or non-base64 header is simply wrong.</summary>
    public static bool IsValid(string secret, byte[] body, string? header)
    {
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body);
        var given = new byte[expected.Length];
        return header is not null && Convert.TryFromBase64String(header.Trim(), given, out var written) && written == expected.Length
            && CryptographicOperations.FixedTimeEquals(expected, given);
    }
}

internal sealed record ShopifyLineItem(string? Sku, int Quantity, decimal Price);

/// <summary>
/// The fields of a Shopify order webhook body that the connector uses (the documented <c>orders/*</c> shape). Shopify
/// writes money as strings (<c>"199.00"</c>); numbers are accepted too.
/// </summary>
internal sealed record ShopifyOrder(
    long Id,
    string? Name,
    string? Currency,
    decimal? TotalPrice,
    IReadOnlyList<ShopifyLineItem> LineItems,
    string? Note,
    string? FinancialStatus,
    string? FulfillmentStatus,
    DateTimeOffset? CancelledAt,
    string? CancelReason)
{
    /// <summary>The order id alone (what the receiver indexes events by); null when the body has none.</summary>
    public static long? IdOf(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("id", out var id)
                && id.TryGetInt64(out var value) ? value : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads an order body; a body that is not one throws <see cref="FormatException"/> saying why.</summary>
    public static ShopifyOrder Parse(string body)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new FormatException("the body is not JSON");
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("id", out var idElement) || !idElement.TryGetInt64(out var id))
        {
            throw new FormatException("the body has no numeric order id");
        }

        var lines = new List<ShopifyLineItem>();
        if (root.TryGetProperty("line_items", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in items.EnumerateArray())
            {
                var quantity = item.TryGetProperty("quantity", out var q) && q.TryGetInt32(out var n) ? n : 0;
                lines.Add(new ShopifyLineItem(Text(item, "sku"), quantity, Money(item, "price") ?? 0m));
            }
        }

        return new ShopifyOrder(id, Text(root, "name"), Text(root, "currency"), Money(root, "total_price"), lines, Text(root, "note"),
            Text(root, "financial_status"), Text(root, "fulfillment_status"),
            Text(root, "cancelled_at") is { } cancelled && DateTimeOffset.TryParse(cancelled, CultureInfo.InvariantCulture, out var at) ? at : null,
            Text(root, "cancel_reason"));
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : null;

    private static decimal? Money(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetDecimal(out var number) => number,
            JsonValueKind.String when decimal.TryParse(value.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => null,
        };
    }
}
