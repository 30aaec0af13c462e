using System.Security.Claims;
using OrderCore.Api.Features.Inventory;
using OrderCore.Api.Features.Orders;

namespace OrderCore.Api.Features.Checkout;

internal sealed class CheckoutOptions
{
    /// <summary>How long a session (and the stock it holds) lives; 30 minutes unless configured.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Local development only: accept <c>{"handler_id": "test"}</c> as payment. Off by default.</summary>
    public bool AllowTestPayments { get; set; }

    /// <summary>The origin buyer links point at (<c>https://shop.example</c>); the request's own origin unless set.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Local development only: buyer links may send buyers to http success and cancel URLs.</summary>
    public bool AllowHttpReturnUrls { get; set; }
}

/// <summary>
/// Creating, updating and reading checkout sessions, on the public routes (a checkout token, which sees
/// only its own sessions) and the merchant's (an API key, which sees all of the tenant's).
/// </summary>
internal sealed partial class CheckoutSessions(OrderCoreDbContext db, CurrentTenant tenant, TimeProvider clock, IOptions<CheckoutOptions> options,
    StripePayments stripe, BuyerLinkAccess access)
{
    public const string IdPrefix = "cs";

    public IReadOnlyList<UcpPaymentHandler> Handlers =>
    [
        .. stripe.IsConfigured ? [new UcpPaymentHandler(PaymentHandlers.Card, "stripe")] : Array.Empty<UcpPaymentHandler>(),
        .. options.Value.AllowTestPayments ? [new UcpPaymentHandler(PaymentHandlers.Test, "test")] : Array.Empty<UcpPaymentHandler>(),
    ];

    public CheckoutSessionResponse Answer(CheckoutSession session) => CheckoutSessionResponse.From(session, Handlers);

    public async Task<CheckoutSession> CreateAsync(CheckoutSessionRequest request, string? tokenId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var session = new CheckoutSession
        {
            Id = Ids.New(IdPrefix),
            AccessTokenId = tokenId,
            Currency = Money.Normalize(request.Currency),
            ExpiresAt = now + options.Value.SessionLifetime,
            CreatedAt = now,
        };
        await ApplyAsync(session, request, now, cancellationToken);
        db.CheckoutSessions.Add(session);
        await db.SaveChangesAsync(cancellationToken);
        return session;
    }

    /// <summary>
    /// A buyer link's open session (its row locked first, so parallel first uses create one), or null when it has none:
    /// one link, one session until it completes; an expired or canceled one is replaced.
    /// </summary>
    public async Task<CheckoutSession?> OpenSessionOfLinkAsync(string linkId, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM checkout_access_tokens WHERE tenant_id = {tenant.RequiredId} AND id = {linkId} FOR UPDATE", cancellationToken);
        return await OpenOfLinkAsync(db, linkId, clock.GetUtcNow(), cancellationToken);
    }

    /// <summary>The link's newest session that is neither closed nor expired, without tracking.</summary>
    public static Task<CheckoutSession?> OpenOfLinkAsync(OrderCoreDbContext db, string linkId, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.CheckoutSessions.AsNoTracking()
            .Where(s => s.AccessTokenId == linkId && (s.Status == CheckoutStatus.Incomplete || s.Status == CheckoutStatus.ReadyForComplete) && s.ExpiresAt > now)
            .OrderByDescending(s => s.Id).FirstOrDefaultAsync(cancellationToken);

    /// <summary>Replaces the lines, currency, buyer and merchant reference; the stock held is released and reserved again.</summary>
    public async Task<CheckoutSession> UpdateAsync(string id, CheckoutSessionRequest request, string? tokenId, CancellationToken cancellationToken)
    {
        if (request.Id is not null && request.Id != id)
        {
            throw ApiError.Validation("id", "must be the session's id when given").ToException();
        }

        var session = await LockAsync(id, tokenId, cancellationToken);
        var now = clock.GetUtcNow();
        EnsureOpen(session, now);
        if (session.ReservationIds.Count > 0)
        {
            await Stock.ReleaseAllAsync(db, session.ReservationIds, $"checkout {session.Id} updated", now, cancellationToken);
            session.ReservationIds = [];
        }

        await ApplyAsync(session, request, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return session;
    }

    /// <summary>The session, as the caller may see it (a token only its own), without tracking; 404 otherwise.</summary>
    public async Task<CheckoutSession> FindAsync(string id, string? tokenId, CancellationToken cancellationToken) =>
        await db.CheckoutSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id && (tokenId == null || s.AccessTokenId == tokenId), cancellationToken)
        ?? throw NotFound(id).ToException();

    /// <summary>
    /// The session row locked until the transaction ends (<c>SELECT ... FOR UPDATE</c>), then read afresh:
    /// updates and completions of one session run one after the other, and each sees what the previous left.
    /// </summary>
    public async Task<CheckoutSession> LockAsync(string id, string? tokenId, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM checkout_sessions WHERE tenant_id = {tenant.RequiredId} AND id = {id} FOR UPDATE", cancellationToken);
        return await db.CheckoutSessions.SingleOrDefaultAsync(s => s.Id == id && (tokenId == null || s.AccessTokenId == tokenId), cancellationToken)
            ?? throw NotFound(id).ToException();
    }

    public static void EnsureOpen(CheckoutSession session, DateTimeOffset now)
    {
        if (!session.IsOpen)
        {
            throw ApiError.Conflict("checkout_session_closed", $"Checkout session {session.Id} is {EnumText.Name(session.Status)}")
                .With("session_status", EnumText.Name(session.Status)).ToException();
        }

        if (session.ExpiresAt <= now)
        {
            throw ApiError.Conflict("checkout_session_expired", $"Checkout session {session.Id} expired at {session.ExpiresAt:O}; start a new one")
                .ToException();
        }
    }

    public static ApiError NotFound(string id) => ApiError.NotFound($"No checkout session with id {id}");

    /// <summary>
    /// Prices the lines with the one price resolver and, once the session is ready (lines and the buyer's
    /// email), reserves their stock through the same conditional reservations orders use, until the session
    /// expires: the expiry sweeper releases them then if nothing else did.
    /// </summary>
    private async Task ApplyAsync(CheckoutSession session, CheckoutSessionRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        session.Currency = Money.Normalize(request.Currency);
        if (access.Link is { } scope && scope.Currency != session.Currency)
        {
            throw BuyerLinks.CurrencyNotAllowed(scope).ToException();
        }

        session.MerchantReferenceId = request.MerchantReferenceId;
        session.BuyerEmail = request.Buyer?.Email;
        session.BuyerFirstName = request.Buyer?.FirstName;
        session.BuyerLastName = request.Buyer?.LastName;
        session.BuyerPhoneNumber = request.Buyer?.PhoneNumber;

        var priced = await OrderPricing.PriceAsync(db, ToOrderRequest(session.Currency, request.LineItems!), now, cancellationToken);
        session.Lines = priced.Lines.Select(l => new CheckoutLine
        {
            SkuId = l.Sku.Id,
            SkuCode = l.Sku.SkuCode,
            Title = l.Sku.Name is { Length: > 0 } name && name != l.Product.Name ? $"{l.Product.Name} ({name})" : l.Product.Name,
            Quantity = l.Quantity,
            UnitPrice = l.UnitPrice,
            LineTotal = l.LineTotal,
        }).ToList();
        session.Subtotal = priced.Subtotal;
        session.Total = priced.Total;
        session.PricedAt = now;
        session.UpdatedAt = now;

        if (session.AccessTokenId is not null)
        {
            var token = await db.CheckoutAccessTokens.AsNoTracking().SingleAsync(t => t.Id == session.AccessTokenId, cancellationToken);
            if (CheckoutAccessTokens.CheckLimits(token, session.Lines) is { } refused)
            {
                throw refused.ToException();
            }
        }

        if (access.Link is { } link)
        {
            BuyerLinks.Enforce(link, session);
        }

        session.Status = session.BuyerEmail is null ? CheckoutStatus.Incomplete : CheckoutStatus.ReadyForComplete;
        if (session.Status == CheckoutStatus.ReadyForComplete)
        {
            session.ReservationIds = await Stock.HoldAsync(db, priced.StockNeeded, session.Id, session.ExpiresAt, now, cancellationToken);
        }
    }

    /// <summary>The session's lines as an order request (the body POST /v1/orders would take).</summary>
    public static PlaceOrderRequest ToOrderRequest(string currency, IEnumerable<LineItemRequest> lines) => new()
    {
        Currency = currency,
        Items = lines.Select(l => GeneratedSkuId().IsMatch(l.Item!.Id!)
            ? new OrderItemRequest { SkuId = l.Item.Id, Quantity = l.Quantity }
            : new OrderItemRequest { SkuCode = l.Item.Id, Quantity = l.Quantity }).ToList(),
    };

    [GeneratedRegex("^sku_[0-9a-f]{32}$")]
    private static partial Regex GeneratedSkuId();
}

internal sealed record ListCheckoutSessionsQuery
{
    [FromQuery(Name = "status")]
    public string? Status { get; init; }

    [FromQuery(Name = "merchant_reference_id")]
    public string? MerchantReferenceId { get; init; }
}

/// <summary>The HTTP side of sessions: public routes pass the calling token, merchant routes none.</summary>
internal static class CheckoutSessionEndpoints
{
    public static string? TokenId(ClaimsPrincipal user) => user.FindFirst(CheckoutTokenAuthenticationHandler.TokenIdClaim)?.Value;

    /// <summary>Creates the session; a buyer link's second and later calls answer its open session instead (resume).</summary>
    public static async Task<Results<Created<CheckoutSessionResponse>, Ok<CheckoutSessionResponse>>> CreatePublic(CheckoutSessionRequest request,
        CheckoutSessions sessions, BuyerLinkAccess access, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (access.Link is { } link && await sessions.OpenSessionOfLinkAsync(link.LinkId, cancellationToken) is { } open)
        {
            return TypedResults.Ok(sessions.Answer(open));
        }

        var session = await sessions.CreateAsync(request, TokenId(user), cancellationToken);
        return TypedResults.Created($"/ucp/public/checkout/sessions/{session.Id}", sessions.Answer(session));
    }

    public static async Task<Created<CheckoutSessionResponse>> CreateMerchant(CheckoutSessionRequest request, CheckoutSessions sessions,
        CancellationToken cancellationToken)
    {
        var session = await sessions.CreateAsync(request, null, cancellationToken);
        return TypedResults.Created($"/v1/checkout/sessions/{session.Id}", sessions.Answer(session));
    }

    public static async Task<Ok<CheckoutSessionResponse>> UpdatePublic(string id, CheckoutSessionRequest request, CheckoutSessions sessions,
        ClaimsPrincipal user, CancellationToken cancellationToken) =>
        TypedResults.Ok(sessions.Answer(await sessions.UpdateAsync(id, request, TokenId(user), cancellationToken)));

    public static async Task<Ok<CheckoutSessionResponse>> UpdateMerchant(string id, CheckoutSessionRequest request, CheckoutSessions sessions,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(sessions.Answer(await sessions.UpdateAsync(id, request, null, cancellationToken)));

    public static async Task<Ok<CheckoutSessionResponse>> GetPublic(string id, CheckoutSessions sessions, ClaimsPrincipal user,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(sessions.Answer(await sessions.FindAsync(id, TokenId(user), cancellationToken)));

    public static async Task<Ok<CheckoutSessionResponse>> GetMerchant(string id, CheckoutSessions sessions, CancellationToken cancellationToken) =>
        TypedResults.Ok(sessions.Answer(await sessions.FindAsync(id, null, cancellationToken)));

    public static async Task<Results<Ok<Paged<CheckoutSessionResponse>>, ApiError>> List([AsParameters] ListCheckoutSessionsQuery query,
        [AsParameters] PageRequest page, OrderCoreDbContext db, CheckoutSessions sessions, CancellationToken cancellationToken)
    {
        var rows = db.CheckoutSessions.AsNoTracking();
        if (EnumText.ParseFilter<CheckoutStatus>(query.Status, "status") is { } status) rows = rows.Where(s => s.Status == status);

        if (query.MerchantReferenceId is not null)
        {
            rows = rows.Where(s => s.MerchantReferenceId == query.MerchantReferenceId);
        }

        return TypedResults.Ok(await rows.ToPageAsync(page, sessions.Answer, cancellationToken));
    }
}
