namespace OrderCore.Api.Platform.Identifiers;

/// <summary>
/// The one id generator: a type prefix plus a UUIDv7 in hex. UUIDv7 starts with a millisecond
/// timestamp, so ids sort by creation time and B-tree indexes on them stay append-mostly.
/// </summary>
public static partial class Ids
{
    public const string Tenant = "ten";
    public const string ApiKey = "key";
    public const string Order = "order";
    public const string OrderLine = "oli";
    public const string Product = "prod";
    public const string Sku = "sku";
    public const string Customer = "cust";
    public const string Location = "loc";
    public const string PriceList = "pl";
    public const string Price = "price";
    public const string Reservation = "res";
    public const string Movement = "mov";
    public const string Event = "evt";
    public const string Request = "req";
    public const string WebhookEndpoint = "we";
    public const string WebhookDelivery = "dlv";
    public const string OrderNotification = "ntf";
    public const string OrderHook = "hook";
    public const string HookCall = "hkc";
    public const string ShopifyStore = "shst";
    public const string ShopifyWebhookEvent = "shev";
    public const string ShopifySyncLog = "shsl";

    public static string New(string prefix) => $"{prefix}_{Guid.CreateVersion7():N}";

    /// <summary>Client-chosen ids (products, customers, locations) follow this pattern.</summary>
    public const string WritableIdPattern = "^[A-Za-z0-9._:-]{1,128}$";

    /// <summary>
    /// A valid client-chosen id: the pattern, and not shaped like a generated id (<c>prefix_</c> + 32 hex),
    /// so that a client id can never collide with one OrderCore generates.
    /// </summary>
    public static bool IsWritable(string id) => WritableId().IsMatch(id) && !GeneratedShape().IsMatch(id);

    [GeneratedRegex(WritableIdPattern)]
    private static partial Regex WritableId();

    [GeneratedRegex("^[a-z]+_[0-9a-f]{32}$")]
    private static partial Regex GeneratedShape();
}
