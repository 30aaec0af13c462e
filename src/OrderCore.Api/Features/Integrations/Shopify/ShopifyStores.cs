using OrderCore.Api.Features.Inventory;
using OrderCore.Api.Features.Pricing;

namespace OrderCore.Api.Features.Integrations;

internal sealed record ConnectShopifyStoreRequest
{
    [Required]
    [Description("The store's permanent domain, <name>.myshopify.com.")]
    public string? ShopDomain { get; init; }

    [Required]
    [Description("The secret Shopify signs this store's webhooks with (stored encrypted, never returned).")]
    public string? WebhookSecret { get; init; }

    [Description("Location whose stock Shopify orders hold; the default location when omitted.")]
    public string? LocationId { get; init; }

    [Description("Price list code kept with the store; Shopify orders keep the prices Shopify charged.")]
    public string? PriceListCode { get; init; }

    [Description("Body form of the Idempotency-Key header.")]
    public string? IdempotencyKey { get; init; }
}

internal sealed class ConnectShopifyStoreValidator : AbstractValidator<ConnectShopifyStoreRequest>
{
    public ConnectShopifyStoreValidator()
    {
        RuleFor(r => r.ShopDomain).NotEmpty().WithMessage("is required")
            .Must(d => ShopDomains.Normalize(d) is not null).WithMessage("must be a <name>.myshopify.com domain");
        RuleFor(r => r.WebhookSecret).NotEmpty().WithMessage("is required").MaximumLength(255).WithMessage("must be at most 255 characters");
        RuleFor(r => r.LocationId).MaximumLength(128).WithMessage("must be at most 128 characters");
        RuleFor(r => r.PriceListCode).MaximumLength(64).WithMessage("must be at most 64 characters");
    }
}

internal static partial class ShopDomains
{
    /// <summary>The lower-cased domain when it is a <c>*.myshopify.com</c> one, otherwise null.</summary>
    public static string? Normalize(string? domain) =>
        domain?.Trim().ToLowerInvariant() is { Length: > 0 and <= 255 } normalized && MyShopify().IsMatch(normalized) ? normalized : null;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*\\.myshopify\\.com$")]
    private static partial Regex MyShopify();
}

internal sealed record ShopifyStoreResponse(
    string Id,
    string ShopDomain,
    [property: Description("connected or disconnected")] string Status,
    string? LocationId,
    string? PriceListCode,
    [property: Description("Where to point the store's webhooks (Shopify admin: Settings > Notifications > Webhooks, JSON format).")]
    string WebhookUrl,
    IReadOnlyList<string> WebhookTopics,
    DateTimeOffset ConnectedAt,
    DateTimeOffset? DisconnectedAt)
{
    public static ShopifyStoreResponse From(ShopifyStore store, HttpRequest request) => new(
        store.Id, store.ShopDomain, store.DisconnectedAt is null ? "connected" : "disconnected", store.LocationId, store.PriceListCode,
        $"{request.Scheme}://{request.Host}{ShopifyApi.WebhookPath}", ShopifyTopics.Supported, store.ConnectedAt, store.DisconnectedAt);
}

internal static class ShopifyStores
{
    public static async Task<Results<Created<ShopifyStoreResponse>, ApiError>> Connect(ConnectShopifyStoreRequest request, HttpRequest http,
        OrderCoreDbContext db, ShopifySecrets secrets, TimeProvider clock, CancellationToken cancellationToken)
    {
        var domain = ShopDomains.Normalize(request.ShopDomain)!;
        if (request.LocationId is { } locationId && !await db.Locations.AnyAsync(l => l.Id == locationId, cancellationToken))
        {
            return ApiError.NotFound($"No location with id {locationId}").With("param", "location_id");
        }

        if (request.PriceListCode is { } code && !await db.PriceLists.AnyAsync(l => l.Code == code, cancellationToken))
        {
            return ApiError.NotFound($"No price list with code {code}").With("param", "price_list_code");
        }

        // Across tenants on purpose (the webhook names only the shop): one tenant per connected shop. Which tenant
        // has it is not said.
        var taken = await db.Database.SqlQuery<int>($"""
            SELECT 1 AS "Value" FROM shopify_stores WHERE shop_domain = {domain} AND disconnected_at IS NULL
            """).AnyAsync(cancellationToken);
        if (taken)
        {
            return AlreadyConnected(domain);
        }

        var now = clock.GetUtcNow();
        var store = new ShopifyStore
        {
            Id = Ids.New(Ids.ShopifyStore), ShopDomain = domain, SecretCiphertext = secrets.Protect(request.WebhookSecret!),
            LocationId = request.LocationId, PriceListCode = request.PriceListCode, ConnectedAt = now,
        };
        db.ShopifyStores.Add(store);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            // Connected at the same moment by another request; the error answer rolls this one back.
            return AlreadyConnected(domain);
        }

        return TypedResults.Created($"/v1/integrations/shopify/stores/{store.Id}", ShopifyStoreResponse.From(store, http));
    }

    public static async Task<Ok<Paged<ShopifyStoreResponse>>> List([Microsoft.AspNetCore.Http.AsParameters] PageRequest page, HttpRequest http,
        OrderCoreDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.ShopifyStores.AsNoTracking().ToPageAsync(page, s => ShopifyStoreResponse.From(s, http), cancellationToken));

    public static async Task<Results<Ok<ShopifyStoreResponse>, ApiError>> Get(string id, HttpRequest http, OrderCoreDbContext db,
        CancellationToken cancellationToken)
    {
        var store = await db.ShopifyStores.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        return store is null ? NotFound(id) : TypedResults.Ok(ShopifyStoreResponse.From(store, http));
    }

    /// <summary>Disconnects (idempotent): webhooks of the shop are refused from now on; events, orders and sync logs stay.</summary>
    public static async Task<Results<Ok<ShopifyStoreResponse>, ApiError>> Disconnect(string id, HttpRequest http, OrderCoreDbContext db,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var store = await db.ShopifyStores.SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (store is null)
        {
            return NotFound(id);
        }

        store.DisconnectedAt ??= clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ShopifyStoreResponse.From(store, http));
    }

    private static ApiError NotFound(string id) => ApiError.NotFound($"No Shopify store with id {id}");

    private static ApiError AlreadyConnected(string domain) =>
        ApiError.Conflict("shop_already_connected", $"{domain} is already connected; disconnect it first");
}
