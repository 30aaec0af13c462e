using System.Security.Claims;
using Stripe;
using OrderCore.Api.Features.Orders;

namespace OrderCore.Api.Features.Checkout;

/// <summary>A payment OrderCore has verified, ready to be matched against the locked session.</summary>
internal sealed record VerifiedPayment(string Provider, string? Reference, long Amount, string Currency);

/// <summary>The <c>checkout.completed</c> event: the session, the order it became, and how it was paid.</summary>
internal sealed record CheckoutCompletedEvent(string Object, bool Livemode, CheckoutSessionResponse CheckoutSession, OrderResponse Order,
    VerifiedPayment Payment);

/// <summary>
/// Paying and completing: the PaymentIntent for a session, <c>complete</c>, and Stripe's own
/// <c>payment_intent.succeeded</c> webhook. However many of them race, one order comes out.
/// </summary>
internal sealed class CompleteCheckout(OrderCoreDbContext db, CurrentTenant tenant, Outbox outbox, TimeProvider clock, CheckoutSessions sessions,
    StripePayments stripe, IOptions<StripeOptions> stripeOptions, IOptions<CheckoutOptions> options, ILogger<CompleteCheckout> logger)
{
    public const string PaymentIntentSucceeded = "payment_intent.succeeded";

    public async Task<PaymentIntentResponse> CreatePaymentIntentAsync(string id, string? tokenId, CancellationToken cancellationToken)
    {
        if (!stripe.IsConfigured)
        {
            throw StripePayments.NotConfigured().ToException();
        }

        // No lock while Stripe is asked: complete re-checks the amount under the lock anyway.
        var session = await sessions.FindAsync(id, tokenId, cancellationToken);
        CheckoutSessions.EnsureOpen(session, clock.GetUtcNow());
        if (session.Status != CheckoutStatus.ReadyForComplete)
        {
            throw NotReady(session).ToException();
        }

        var amount = CheckoutSessionResponse.Minor(session.Total, session.Currency);
        var intent = await stripe.CreateIntentAsync(tenant.RequiredId, session.Id, amount, session.Currency, cancellationToken);
        await db.CheckoutSessions.Where(s => s.Id == session.Id && s.Status == CheckoutStatus.ReadyForComplete)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.PaymentIntentId, intent.Id), cancellationToken);
        return new PaymentIntentResponse(intent.Id, intent.ClientSecret ?? "", amount, session.Currency);
    }

    /// <summary>
    /// Verifies the payment first (Stripe is asked before any lock is taken), then completes the session
    /// under its row lock. A session completed already answers as it is: the losers of a race, and retries,
    /// get the completed session and no second order.
    /// </summary>
    public async Task<CheckoutSession> CompleteAsync(string id, CompleteCheckoutRequest request, string? tokenId, CancellationToken cancellationToken)
    {
        var session = await sessions.FindAsync(id, tokenId, cancellationToken);
        if (session.Status == CheckoutStatus.Completed)
        {
            return session;
        }

        var payment = request.PaymentData!;
        VerifiedPayment verified;
        if (payment.HandlerId == PaymentHandlers.Test)
        {
            if (!options.Value.AllowTestPayments)
            {
                throw ApiError.Validation("payment_data.handler_id", "test is accepted only when the server enables Checkout:AllowTestPayments")
                    .ToException();
            }

            verified = new VerifiedPayment("test", null, CheckoutSessionResponse.Minor(session.Total, session.Currency), session.Currency);
        }
        else
        {
            if (!stripe.IsConfigured)
            {
                throw StripePayments.NotConfigured().ToException();
            }

            var intent = await stripe.RetrieveIntentAsync(payment.PaymentIntentId!, cancellationToken)
                ?? throw PaymentRequired($"No PaymentIntent {payment.PaymentIntentId} exists").ToException();
            verified = Verify(intent, tenant.RequiredId, session.Id);
        }

        return await FinishAsync(session.Id, tokenId, verified, cancellationToken);
    }

    /// <summary>
    /// <c>POST /v1/integrations/stripe/webhook</c>: a signed <c>payment_intent.succeeded</c> completes the
    /// session it names, even when the buyer never called complete. The signature (Stripe-Signature, with
    /// <c>Stripe:WebhookSecret</c>) is checked by Stripe.net's EventUtility before anything is trusted.
    /// </summary>
    public async Task<StripeWebhookResponse> HandleStripeWebhookAsync(byte[] rawBody, string? signature, CancellationToken cancellationToken)
    {
        var secret = stripeOptions.Value.WebhookSecret;
        if (string.IsNullOrWhiteSpace(secret))
        {
            throw new ApiError(StatusCodes.Status503ServiceUnavailable, "payments_not_configured",
                "Stripe webhooks are not configured on this server (Stripe:WebhookSecret)").ToException();
        }

        Event stripeEvent;
        try
        {
            stripeEvent = EventUtility.ConstructEvent(Encoding.UTF8.GetString(rawBody), signature ?? "", secret,
                EventUtility.DefaultTimeTolerance, clock.GetUtcNow().ToUnixTimeSeconds(), throwOnApiVersionMismatch: false);
        }
        catch (StripeException)
        {
            throw new ApiError(StatusCodes.Status400BadRequest, "invalid_signature", "The Stripe-Signature header does not match the body").ToException();
        }

        if (stripeEvent.Type != PaymentIntentSucceeded || stripeEvent.Data.Object is not PaymentIntent paymentIntent)
        {
            return new StripeWebhookResponse(true, stripeEvent.Id, null, null);
        }

        var intent = PaymentIntentFacts.From(paymentIntent);
        if (intent.TenantId is null || intent.SessionId is null)
        {
            logger.LogInformation("Stripe event {EventId} names no checkout session; ignored", stripeEvent.Id);
            return new StripeWebhookResponse(true, stripeEvent.Id, null, null);
        }

        // The signed metadata names the tenant; from here on every query is bounded by it, as in a request with its key
        // (a tenant that does not exist simply has no session).
        tenant.Resolve(intent.TenantId, "", "stripe_webhook", []);
        if (!await db.CheckoutSessions.AnyAsync(s => s.Id == intent.SessionId, cancellationToken))
        {
            logger.LogInformation("Stripe event {EventId} names no checkout session of this server; ignored", stripeEvent.Id);
            return new StripeWebhookResponse(true, stripeEvent.Id, null, null);
        }
        var session = await FinishAsync(intent.SessionId, null, Verify(intent, intent.TenantId, intent.SessionId), cancellationToken);
        return new StripeWebhookResponse(true, stripeEvent.Id, session.Id, session.Status);
    }

    /// <summary>
    /// Under the session's row lock: re-checks state and amount (an update may have run since the payment
    /// was verified), then in this one transaction creates the order through the code of POST /v1/orders
    /// (the session's reservations become the order's), marks the session completed and writes
    /// <c>checkout.completed</c> after <c>order.created</c>.
    /// </summary>
    private async Task<CheckoutSession> FinishAsync(string id, string? tokenId, VerifiedPayment payment, CancellationToken cancellationToken)
    {
        var session = await sessions.LockAsync(id, tokenId, cancellationToken);
        if (session.Status == CheckoutStatus.Completed)
        {
            return session;
        }

        var now = clock.GetUtcNow();
        CheckoutSessions.EnsureOpen(session, now);
        if (session.Status != CheckoutStatus.ReadyForComplete)
        {
            throw NotReady(session).ToException();
        }

        var amount = CheckoutSessionResponse.Minor(session.Total, session.Currency);
        if (payment.Amount != amount || !string.Equals(payment.Currency, session.Currency, StringComparison.OrdinalIgnoreCase))
        {
            throw Mismatch($"The payment is {payment.Amount} {payment.Currency}; the session totals {amount} {session.Currency}").ToException();
        }

        var request = CheckoutSessions.ToOrderRequest(session.Currency, session.Lines.Select(l => new LineItemRequest
        {
            Item = new ItemRequest { Id = l.SkuId },
            Quantity = l.Quantity,
        })) with
        {
            MerchantReferenceId = session.MerchantReferenceId,
            Payment = new PaymentRequest { Provider = payment.Provider, Reference = payment.Reference },
            Channel = "checkout",
            SourcePlatform = "ucp",
            Metadata = new JsonObject { ["checkout_session_id"] = session.Id },
        };
        // Priced at the instant the session was, so the order carries the prices the buyer paid.
        var priced = await OrderPricing.PriceAsync(db, request, session.PricedAt, cancellationToken);
        if (priced.Total != session.Total)
        {
            throw ApiError.Conflict("checkout_prices_changed", "The catalog prices of this session changed after it was priced; update the session")
                .ToException();
        }

        var order = await OrderPlacement.PlaceAsync(db, request, priced, session.ReservationIds, now, cancellationToken);
        session.Status = CheckoutStatus.Completed;
        session.OrderId = order.Id;
        session.OrderNumber = order.OrderNumber;
        session.PaymentProvider = payment.Provider;
        session.PaymentReference = payment.Reference;
        session.CompletedAt = now;
        session.UpdatedAt = now;
        outbox.Add(CheckoutApi.CompletedEvent,
            new CheckoutCompletedEvent("checkout_completion", stripeOptions.Value.LiveMode, sessions.Answer(session), order, payment), session.Id);
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Checkout {SessionId} completed as order {OrderId}", session.Id, order.Id);
        return session;
    }

    /// <summary>Accepts a PaymentIntent only when it was made for this tenant's session and money has moved.</summary>
    private static VerifiedPayment Verify(PaymentIntentFacts intent, string tenantId, string sessionId)
    {
        if (intent.SessionId != sessionId || intent.TenantId != tenantId)
        {
            throw Mismatch($"PaymentIntent {intent.Id} was not created for checkout session {sessionId}").ToException();
        }

        if (!intent.IsPaid)
        {
            throw PaymentRequired($"PaymentIntent {intent.Id} is {intent.Status}, not succeeded").With("payment_intent_status", intent.Status)
                .ToException();
        }

        return new VerifiedPayment("stripe", intent.Id, intent.Amount, intent.Currency);
    }

    private static ApiError NotReady(CheckoutSession session) =>
        ApiError.Conflict("checkout_session_not_ready", $"Checkout session {session.Id} is {EnumText.Name(session.Status)}: add the buyer's email first")
            .With("session_status", EnumText.Name(session.Status));

    private static ApiError PaymentRequired(string message) => new(StatusCodes.Status402PaymentRequired, "payment_required", message);

    private static ApiError Mismatch(string message) => ApiError.Conflict("payment_mismatch", message);

}

internal sealed record StripeWebhookResponse(bool Received, string EventId, string? CheckoutSessionId, CheckoutStatus? Status);

internal static class CompleteCheckoutEndpoints
{
    public static async Task<Ok<PaymentIntentResponse>> PaymentIntent(string id, CompleteCheckout checkout, ClaimsPrincipal user,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await checkout.CreatePaymentIntentAsync(id, CheckoutSessionEndpoints.TokenId(user), cancellationToken));

    public static async Task<Ok<CheckoutSessionResponse>> CompletePublic(string id, CompleteCheckoutRequest request, CompleteCheckout checkout,
        CheckoutSessions sessions, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        TypedResults.Ok(sessions.Answer(await checkout.CompleteAsync(id, request, CheckoutSessionEndpoints.TokenId(user), cancellationToken)));

    public static async Task<Ok<CheckoutSessionResponse>> CompleteMerchant(string id, CompleteCheckoutRequest request, CompleteCheckout checkout,
        CheckoutSessions sessions, CancellationToken cancellationToken) =>
        TypedResults.Ok(sessions.Answer(await checkout.CompleteAsync(id, request, null, cancellationToken)));

    public static async Task<Ok<StripeWebhookResponse>> StripeWebhook(HttpContext context, CompleteCheckout checkout, CancellationToken cancellationToken)
    {
        var raw = context.Features.Get<RequestBody>()?.Raw ?? [];
        return TypedResults.Ok(await checkout.HandleStripeWebhookAsync(raw, context.Request.Headers["Stripe-Signature"].ToString(), cancellationToken));
    }
}
