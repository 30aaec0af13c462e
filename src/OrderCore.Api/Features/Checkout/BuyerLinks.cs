using Microsoft.AspNetCore.DataProtection;
using OrderCore.Api.Features.Orders;

namespace OrderCore.Api.Features.Checkout;

/// <summary>What a buyer link's signed token names: its tenant, minting key, SKU, quantity, currency, buyer and reference.</summary>
internal sealed record BuyerLinkScope(
    string TenantId,
    string LinkId,
    string ApiKeyId,
    string SkuId,
    string SkuCode,
    int Quantity,
    string Currency,
    string? Email,
    string? FullName,
    string MerchantReferenceId,
    string? SuccessUrl,
    string? CancelUrl,
    DateTimeOffset ExpiresAt);

/// <summary>The buyer link of the current request, when its checkout token is one (set by the token handler).</summary>
internal sealed class BuyerLinkAccess
{
    public BuyerLinkScope? Link { get; set; }
}

/// <summary>
/// Buyer checkout links: a signed token (<c>bl_</c> + Data Protection payload, so any change is refused) naming one
/// SKU, quantity and currency of one tenant. Each link has a checkout access token row (its id, the minting key,
/// the SKU and quantity as limits, the SHA-256 of the latest token), so its sessions are bound to it like any token's.
/// </summary>
internal sealed class BuyerLinks(OrderCoreDbContext db, CurrentTenant tenant, TimeProvider clock, IDataProtectionProvider protection,
    IOptions<CheckoutOptions> options)
{
    public const string Prefix = "bl_";
    public const string IdPrefix = "bcl";
    public const string PagePath = "/direct-ai-buyer-checkout";
    public const int DefaultTtlMinutes = 1440;
    public const int MaxTtlMinutes = 10080;
    private const string Purpose = "OrderCore.Checkout.BuyerLink.v1";

    private IDataProtector Protector => protection.CreateProtector(Purpose);

    public string Sign(BuyerLinkScope scope) => Prefix + Protector.Protect(JsonSerializer.Serialize(scope));

    /// <summary>The scope the token names, or null when it was not signed here (or was changed).</summary>
    public BuyerLinkScope? Read(string token)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 4096)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<BuyerLinkScope>(Protector.Unprotect(token[Prefix.Length..]));
        }
        catch (Exception e) when (e is CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }

    public async Task<BuyerLinkResponse> CreateAsync(CreateBuyerLinkRequest request, string origin, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var currency = Money.Normalize(request.Currency);
        // The SKU and its price in this currency must exist now (404 sku_not_found, 422 price_not_found).
        var priced = await OrderPricing.PriceAsync(db, new PlaceOrderRequest
        {
            Currency = currency,
            Items = [new OrderItemRequest { SkuId = request.SkuId, SkuCode = request.SkuCode, Quantity = request.Quantity }],
        }, now, cancellationToken);
        var sku = priced.Lines[0].Sku;
        var linkId = Ids.New(IdPrefix);
        var scope = new BuyerLinkScope(tenant.RequiredId, linkId, tenant.ApiKeyId!, sku.Id, sku.SkuCode, request.Quantity!.Value, currency,
            request.Email, request.FullName, request.MerchantReferenceId ?? linkId.Replace('_', '-'), request.SuccessUrl, request.CancelUrl,
            now.AddMinutes(request.TtlMinutes ?? DefaultTtlMinutes));
        var token = Sign(scope);
        db.CheckoutAccessTokens.Add(new CheckoutAccessToken
        {
            Id = linkId,
            TokenHash = ApiKeys.Hash(token),
            ApiKeyId = scope.ApiKeyId,
            AllowedSkus = [sku.Id],
            MaxQuantity = scope.Quantity,
            ExpiresAt = scope.ExpiresAt,
            CreatedAt = now,
        });
        await db.SaveChangesAsync(cancellationToken);
        return BuyerLinkResponse.From(scope, token, BaseUrl(origin), now);
    }

    /// <summary>A fresh token for the same link and scope (also from an expired one); another tenant's link is 404.</summary>
    public async Task<BuyerLinkResponse> RegenerateAsync(RegenerateBuyerLinkRequest request, string origin, CancellationToken cancellationToken)
    {
        var old = Read(request.Token ?? TokenOf(request.BuyerCheckoutUrl))
            ?? throw ApiError.Validation(request.Token is null ? "buyer_checkout_url" : "token", "is not a buyer link of this service").ToException();
        var row = old.TenantId == tenant.RequiredId
            ? await db.CheckoutAccessTokens.SingleOrDefaultAsync(t => t.Id == old.LinkId, cancellationToken)
            : null;
        if (row is null)
        {
            throw ApiError.NotFound("No buyer link of this tenant matches").ToException();
        }

        var now = clock.GetUtcNow();
        var scope = old with { ExpiresAt = now.AddMinutes(request.TtlMinutes ?? DefaultTtlMinutes) };
        var token = Sign(scope);
        row.TokenHash = ApiKeys.Hash(token);
        row.ExpiresAt = scope.ExpiresAt;
        await db.SaveChangesAsync(cancellationToken);
        return BuyerLinkResponse.From(scope, token, BaseUrl(origin), now);
    }

    /// <summary>
    /// The link's limits on a priced session (after the token's SKU limit; the currency is checked before pricing): exactly its quantity; its email (when it names one) as the
    /// buyer's; its merchant reference. Fills the buyer from the link where the request leaves it out.
    /// </summary>
    public static void Enforce(BuyerLinkScope link, CheckoutSession session)
    {
        var units = session.Lines.Sum(l => l.Quantity);
        if (units != link.Quantity)
        {
            throw new ApiError(StatusCodes.Status403Forbidden, "quantity_not_allowed", $"This buyer link buys exactly {link.Quantity} units; {units} requested")
                .With("max_quantity", link.Quantity).ToException();
        }

        session.BuyerEmail ??= link.Email;
        if (link.Email is not null && !string.Equals(session.BuyerEmail, link.Email, StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiError(StatusCodes.Status403Forbidden, "buyer_email_mismatch", "This buyer link is for another email address").ToException();
        }

        if (session.BuyerFirstName is null && session.BuyerLastName is null && link.FullName is { } name)
        {
            var parts = name.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
            session.BuyerFirstName = parts.ElementAtOrDefault(0);
            session.BuyerLastName = parts.ElementAtOrDefault(1);
        }

        session.MerchantReferenceId = link.MerchantReferenceId;
    }

    public static ApiError CurrencyNotAllowed(BuyerLinkScope link) =>
        new ApiError(StatusCodes.Status403Forbidden, "currency_not_allowed", $"This buyer link pays in {link.Currency}").With("currency", link.Currency);

    public static ApiError Consumed() =>
        new(StatusCodes.Status410Gone, "buyer_link_consumed", "This buyer link was already used for a completed checkout");

    private string BaseUrl(string origin) => (options.Value.PublicBaseUrl ?? origin).TrimEnd('/');

    private static string TokenOf(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query).TryGetValue("token", out var token) ? token.ToString() : ""
            : "";
}

internal static class BuyerLinkEndpoints
{
    public static async Task<Created<BuyerLinkResponse>> Create(CreateBuyerLinkRequest request, BuyerLinks links, HttpRequest http,
        CancellationToken cancellationToken) =>
        TypedResults.Created((string?)null, await links.CreateAsync(request, Origin(http), cancellationToken));

    public static async Task<Created<BuyerLinkResponse>> Regenerate(RegenerateBuyerLinkRequest request, BuyerLinks links, HttpRequest http,
        CancellationToken cancellationToken) =>
        TypedResults.Created((string?)null, await links.RegenerateAsync(request, Origin(http), cancellationToken));

    private static string Origin(HttpRequest http) => $"{http.Scheme}://{http.Host}";
}

internal sealed record CreateBuyerLinkRequest
{
    [Description("The SKU (sku_...); or give sku_code.")]
    public string? SkuId { get; init; }

    public string? SkuCode { get; init; }

    [Description("Units the buyer buys; exactly this many.")]
    public int? Quantity { get; init; }

    [Description("ISO 4217 code; USD when omitted. The SKU must have a price in it.")]
    public string? Currency { get; init; }

    [Description("Your lead or cart reference: at most 128 characters of [a-zA-Z0-9._:-]; the link's id when omitted.")]
    public string? MerchantReferenceId { get; init; }

    [Description("Locks the link to this buyer email.")]
    public string? Email { get; init; }

    public string? FullName { get; init; }

    [Description("https URL the buyer page sends the buyer to after paying.")]
    public string? SuccessUrl { get; init; }

    [Description("https URL of the buyer page's cancel link.")]
    public string? CancelUrl { get; init; }

    [Description($"Lifetime in minutes, 1 to 10080 (default 1440).")]
    public int? TtlMinutes { get; init; }
}

internal sealed record RegenerateBuyerLinkRequest
{
    [Description("A buyer_checkout_url this service answered; or give token.")]
    public string? BuyerCheckoutUrl { get; init; }

    public string? Token { get; init; }

    [Description("Lifetime of the new link in minutes, 1 to 10080 (default 1440).")]
    public int? TtlMinutes { get; init; }
}

internal sealed class CreateBuyerLinkRequestValidator : AbstractValidator<CreateBuyerLinkRequest>
{
    public CreateBuyerLinkRequestValidator(IOptions<CheckoutOptions> options)
    {
        RuleFor(r => r.SkuId).NotEmpty().WithMessage("sku_id or sku_code is required").When(r => r.SkuCode is null);
        RuleFor(r => r.SkuId).Null().WithMessage("give sku_id or sku_code, not both").When(r => r.SkuCode is not null);
        RuleFor(r => r.SkuCode).MaximumLength(128).WithMessage("must be at most 128 characters");
        RuleFor(r => r.Quantity).NotNull().WithMessage("is required").InclusiveBetween(1, SharedRules.MaxQuantity)
            .WithMessage($"must be between 1 and {SharedRules.MaxQuantity}");
        RuleFor(r => r.Currency).ValidCurrency();
        RuleFor(r => r.MerchantReferenceId).Must(r => r is null || MerchantReference.IsValid(r))
            .WithMessage("must be 1 to 128 characters of [a-zA-Z0-9._:-]");
        RuleFor(r => r.Email).EmailAddress().WithMessage("must be an email address").MaximumLength(320);
        RuleFor(r => r.FullName).MaximumLength(200).WithMessage("must be at most 200 characters");
        var allowHttp = options.Value.AllowHttpReturnUrls;
        RuleFor(r => r.SuccessUrl).Must(u => ReturnUrl.IsValid(u, allowHttp)).WithMessage(ReturnUrl.Problem(allowHttp));
        RuleFor(r => r.CancelUrl).Must(u => ReturnUrl.IsValid(u, allowHttp)).WithMessage(ReturnUrl.Problem(allowHttp));
        RuleFor(r => r.TtlMinutes).InclusiveBetween(1, BuyerLinks.MaxTtlMinutes).WithMessage($"must be between 1 and {BuyerLinks.MaxTtlMinutes}");
    }
}

internal sealed class RegenerateBuyerLinkRequestValidator : AbstractValidator<RegenerateBuyerLinkRequest>
{
    public RegenerateBuyerLinkRequestValidator()
    {
        RuleFor(r => r.BuyerCheckoutUrl).NotEmpty().WithMessage("buyer_checkout_url or token is required").When(r => r.Token is null);
        RuleFor(r => r.TtlMinutes).InclusiveBetween(1, BuyerLinks.MaxTtlMinutes).WithMessage($"must be between 1 and {BuyerLinks.MaxTtlMinutes}");
    }
}

/// <summary>Where the buyer page may send the buyer: https, or http where <c>Checkout:AllowHttpReturnUrls</c> allows it (local development).</summary>
internal static class ReturnUrl
{
    public static bool IsValid(string? url, bool allowHttp) =>
        url is null || (url.Length <= 2048 && Uri.TryCreate(url, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttps || (allowHttp && uri.Scheme == Uri.UriSchemeHttp)));

    public static string Problem(bool allowHttp) => allowHttp ? "must be an absolute http(s) URL" : "must be an absolute https URL";
}

internal sealed record BuyerLinkResponse(
    string Id,
    [property: Description("Send this to the buyer: <public base>/direct-ai-buyer-checkout?token=...")] string BuyerCheckoutUrl,
    [property: Description("The signed link token (bl_...); also a checkout access token for its own session. Shown only here.")] string Token,
    DateTimeOffset ExpiresAt,
    string MerchantReferenceId,
    string SkuId,
    string SkuCode,
    int Quantity,
    string Currency,
    string? Email,
    string? SuccessUrl,
    string? CancelUrl,
    DateTimeOffset CreatedAt)
{
    public static BuyerLinkResponse From(BuyerLinkScope scope, string token, string baseUrl, DateTimeOffset now) => new(
        scope.LinkId, $"{baseUrl}{BuyerLinks.PagePath}?token={Uri.EscapeDataString(token)}", token, scope.ExpiresAt, scope.MerchantReferenceId,
        scope.SkuId, scope.SkuCode, scope.Quantity, scope.Currency, scope.Email, scope.SuccessUrl, scope.CancelUrl, now);
}
