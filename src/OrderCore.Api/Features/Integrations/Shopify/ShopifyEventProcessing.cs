using OrderCore.Api.Features.Orders;

namespace OrderCore.Api.Features.Integrations;

/// <summary>
/// What each topic does to OrderCore, run as the event's tenant inside the worker's transaction. Orders are made and
/// moved only through Orders' surface (<see cref="OrderPlacement"/>, <see cref="OrderStatusChanges"/>).
/// </summary>
internal static partial class ShopifyEventProcessing
{
    /// <summary>
    /// Unexpected failures, and refusals that say "not now" (a 5xx such as a per-order hook's 503 <c>hook_unavailable</c>),
    /// are retried with a growing delay, then given up; a refusal that would be given again (4xx: an unknown SKU, no stock,
    /// a hook's veto) fails the event at once, for the merchant to fix and retry.
    /// </summary>
    public const int MaxAttempts = 8;

    public static async Task ProcessAsync(OrderCoreDbContext db, OrderChangeChecks checks, string tenantId, string eventId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var webhookEvent = await db.ShopifyWebhookEvents.SingleAsync(e => e.Id == eventId, cancellationToken);
        webhookEvent.Attempts++;
        ShopifyOrder order;
        try
        {
            order = ShopifyOrder.Parse(webhookEvent.Payload ?? "");
        }
        catch (FormatException bad)
        {
            throw Unusable(bad.Message).ToException();
        }

        // Events of one Shopify order run one at a time, whichever instance took them; the link's primary key backs
        // "one order per Shopify order" up.
        await db.LockAsync($"shopify-order:{tenantId}:{webhookEvent.ShopDomain}:{order.Id}", cancellationToken);
        var link = await db.ShopifyOrderLinks.SingleOrDefaultAsync(
            l => l.ShopDomain == webhookEvent.ShopDomain && l.ShopifyOrderId == order.Id, cancellationToken);
        var sync = new Sync(db, webhookEvent, order, now);

        if (webhookEvent.Topic == ShopifyTopics.OrdersCreate)
        {
            if (link is not null)
            {
                sync.Done(link.OrderId, "skipped", $"Shopify order {order.Id} is already order {link.OrderId}");
                return;
            }

            await CreateAsync(db, tenantId, webhookEvent, order, sync, now, cancellationToken);
            return;
        }

        if (link is null)
        {
            // Arrived before its orders/create: kept, and made due again when the create is processed.
            webhookEvent.NextAttemptAt = null;
            webhookEvent.Error = "waiting for orders/create";
            if (webhookEvent.Attempts == 1)
            {
                sync.Log(null, "waiting", $"waiting for orders/create of Shopify order {order.Id}");
            }

            return;
        }

        link.UpdatedAt = now;
        var message = webhookEvent.Topic switch
        {
            ShopifyTopics.OrdersCancelled => await MoveAsync(db, checks, tenantId, link.OrderId, OrderStatus.Cancelled,
                order.CancelReason is { } reason ? $"cancelled in Shopify ({reason})" : "cancelled in Shopify", now, cancellationToken),
            ShopifyTopics.OrdersFulfilled => await FulfilAsync(db, checks, tenantId, link.OrderId, now, cancellationToken),
            ShopifyTopics.OrdersPaid => await PaidAsync(db, checks, tenantId, link, order, now, cancellationToken),
            _ => await UpdatedAsync(db, checks, tenantId, link, order, now, cancellationToken),
        };
        sync.Done(link.OrderId, message.Changed ? "succeeded" : "skipped", message.Text);
    }

    /// <summary>Records a failed attempt; the worker has already rolled the attempt itself back.</summary>
    public static async Task RecordFailureAsync(OrderCoreDbContext db, string eventId, Exception failure, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var webhookEvent = await db.ShopifyWebhookEvents.SingleAsync(e => e.Id == eventId, cancellationToken);
        webhookEvent.Attempts++;
        var refusal = failure is ApiException { Error: var error } ? $"{error.Code}: {error.Message}" : null;
        var final = failure is ApiException { Error.Status: < StatusCodes.Status500InternalServerError };
        if (!final && webhookEvent.Attempts < MaxAttempts)
        {
            webhookEvent.Error = Truncate($"attempt {webhookEvent.Attempts} failed ({refusal ?? failure.GetType().Name}); retrying");
            webhookEvent.NextAttemptAt = now + TimeSpan.FromSeconds(Math.Pow(2, webhookEvent.Attempts));
            return;
        }

        var reason = final ? refusal! : $"gave up after {webhookEvent.Attempts} attempts ({refusal ?? failure.GetType().Name})";
        webhookEvent.Status = ShopifyEventStatus.Failed;
        webhookEvent.Error = Truncate(reason);
        webhookEvent.NextAttemptAt = null;
        webhookEvent.ProcessedAt = now;
        var order = webhookEvent.Payload is { } payload ? TryParse(payload) : null;
        var link = order is null ? null : await db.ShopifyOrderLinks.AsNoTracking()
            .SingleOrDefaultAsync(l => l.ShopDomain == webhookEvent.ShopDomain && l.ShopifyOrderId == order.Id, cancellationToken);
        new Sync(db, webhookEvent, order, now).Log(link?.OrderId, "failed", reason);
    }

    private static async Task CreateAsync(OrderCoreDbContext db, string tenantId, ShopifyWebhookEvent webhookEvent, ShopifyOrder order, Sync sync,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var store = await db.ShopifyStores.AsNoTracking().SingleAsync(s => s.Id == webhookEvent.StoreId, cancellationToken);
        var request = ToOrderRequest(webhookEvent.ShopDomain, order);
        var total = order.TotalPrice ?? order.LineItems.Sum(l => l.Price * l.Quantity);
        var placed = await OrderPlacement.PlaceAsync(db, request,
            new UpstreamOrderTerms(order.LineItems.Select(l => l.Price).ToList(), total, store.LocationId), now, cancellationToken);
        db.ShopifyOrderLinks.Add(new ShopifyOrderLink
        {
            ShopDomain = webhookEvent.ShopDomain, ShopifyOrderId = order.Id, ShopifyOrderName = Truncate(order.Name, 128), OrderId = placed.Id,
            FinancialStatus = Truncate(order.FinancialStatus, 64), Note = Truncate(order.Note, 5000), CreatedAt = now, UpdatedAt = now,
        });
        sync.Done(placed.Id, "succeeded", $"created {placed.OrderNumber}");
        await db.SaveChangesAsync(cancellationToken);

        // Updates that arrived before this create become due now, in the order they were received.
        await db.ShopifyWebhookEvents
            .Where(e => e.ShopDomain == webhookEvent.ShopDomain && e.ShopifyOrderId == order.Id && e.Status == ShopifyEventStatus.Pending
                        && e.NextAttemptAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.NextAttemptAt, now).SetProperty(e => e.Error, (string?)null), cancellationToken);
    }

    /// <summary>Lines by SKU code; prices and total stay Shopify's (see <see cref="UpstreamOrderTerms"/>).</summary>
    private static PlaceOrderRequest ToOrderRequest(string shopDomain, ShopifyOrder order)
    {
        if (order.LineItems.Count is 0 or > 100)
        {
            throw Unusable($"Shopify order {order.Id} has {order.LineItems.Count} line items; OrderCore takes 1 to 100").ToException();
        }

        for (var i = 0; i < order.LineItems.Count; i++)
        {
            var line = order.LineItems[i];
            if (line.Sku is null)
            {
                throw Unusable($"line_items[{i}] has no sku: OrderCore matches Shopify lines by SKU code").ToException();
            }

            if (line.Quantity < 1 || line.Price < 0)
            {
                throw Unusable($"line_items[{i}] ({line.Sku}) needs a quantity of at least 1 and a price of at least 0").ToException();
            }
        }

        if (order.Currency is { } currency && !CurrencyCode().IsMatch(currency))
        {
            throw Unusable($"currency {currency} is not an ISO 4217 code").ToException();
        }

        var paid = string.Equals(order.FinancialStatus, "paid", StringComparison.Ordinal);
        return new PlaceOrderRequest
        {
            Items = order.LineItems.Select(l => new OrderItemRequest { SkuCode = l.Sku, Quantity = l.Quantity }).ToList(),
            Currency = order.Currency,
            MerchantReferenceId = $"shopify:{order.Id}",
            Channel = "shopify",
            SourcePlatform = "shopify",
            Payment = paid ? new PaymentRequest { Provider = "shopify", Reference = order.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } : null,
            Metadata = new JsonObject
            {
                ["shop_domain"] = shopDomain,
                ["shopify_order_id"] = order.Id,
                ["shopify_order_name"] = order.Name,
            },
        };
    }

    private sealed record Outcome(bool Changed, string Text);

    /// <summary>One transition; one the lifecycle does not allow (already there, or past it) changes nothing and says so.</summary>
    private static async Task<Outcome> MoveAsync(OrderCoreDbContext db, OrderChangeChecks checks, string tenantId, string orderId, OrderStatus to, string reason,
        DateTimeOffset now, CancellationToken cancellationToken, JsonObject? metadata = null)
    {
        try
        {
            var moved = await OrderStatusChanges.MoveAsync(db, checks, tenantId, orderId, to, reason, metadata, adapterId: null, now, cancellationToken);
            return new Outcome(true, $"order is {EnumText.Name(moved.Status)}");
        }
        catch (ApiException refused) when (refused.Error.Code == OrderStatusChanges.InvalidTransition)
        {
            return new Outcome(false, refused.Error.Message);
        }
    }

    /// <summary>Shopify fulfils paid orders directly; OrderCore confirms first (pending -> confirmed -> fulfilled).</summary>
    private static async Task<Outcome> FulfilAsync(OrderCoreDbContext db, OrderChangeChecks checks, string tenantId, string orderId, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await MoveAsync(db, checks, tenantId, orderId, OrderStatus.Confirmed, "fulfilled in Shopify", now, cancellationToken);
        return await MoveAsync(db, checks, tenantId, orderId, OrderStatus.Fulfilled, "fulfilled in Shopify", now, cancellationToken);
    }

    /// <summary>Records the payment on the link and confirms a pending order, with the payment in its status history.</summary>
    private static async Task<Outcome> PaidAsync(OrderCoreDbContext db, OrderChangeChecks checks, string tenantId, ShopifyOrderLink link, ShopifyOrder order, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        link.FinancialStatus = Truncate(order.FinancialStatus, 64) ?? "paid";
        var payment = new JsonObject { ["financial_status"] = link.FinancialStatus, ["total_price"] = order.TotalPrice };
        var confirmed = await MoveAsync(db, checks, tenantId, link.OrderId, OrderStatus.Confirmed, "paid in Shopify", now, cancellationToken, payment);
        return new Outcome(true, confirmed.Changed ? "payment recorded; order confirmed" : "payment recorded");
    }

    /// <summary>Keeps the note and financial status, and moves the order forward to what Shopify says (never back).</summary>
    private static async Task<Outcome> UpdatedAsync(OrderCoreDbContext db, OrderChangeChecks checks, string tenantId, ShopifyOrderLink link, ShopifyOrder order,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        link.Note = Truncate(order.Note, 5000);
        link.FinancialStatus = Truncate(order.FinancialStatus, 64) ?? link.FinancialStatus;
        if (order.CancelledAt is not null)
        {
            return await MoveAsync(db, checks, tenantId, link.OrderId, OrderStatus.Cancelled, "cancelled in Shopify", now, cancellationToken);
        }

        if (string.Equals(order.FulfillmentStatus, "fulfilled", StringComparison.Ordinal))
        {
            return await FulfilAsync(db, checks, tenantId, link.OrderId, now, cancellationToken);
        }

        if (string.Equals(order.FinancialStatus, "paid", StringComparison.Ordinal))
        {
            var confirmed = await MoveAsync(db, checks, tenantId, link.OrderId, OrderStatus.Confirmed, "paid in Shopify", now, cancellationToken);
            return new Outcome(true, confirmed.Changed ? "note and status updated; order confirmed" : "note and status updated");
        }

        return new Outcome(true, "note and status updated");
    }

    private static ApiError Unusable(string message) => new(StatusCodes.Status422UnprocessableEntity, "shopify_order_unusable", message);

    private static ShopifyOrder? TryParse(string payload)
    {
        try
        {
            return ShopifyOrder.Parse(payload);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string Truncate(string text) => text.Length > 1000 ? text[..1000] : text;

    private static string? Truncate(string? text, int max) => text is { } t && t.Length > max ? t[..max] : text;

    [GeneratedRegex("^[A-Za-z]{3}$")]
    private static partial Regex CurrencyCode();

    /// <summary>Marks the event and writes its sync log line.</summary>
    private sealed class Sync(OrderCoreDbContext db, ShopifyWebhookEvent webhookEvent, ShopifyOrder? order, DateTimeOffset now)
    {
        public void Done(string orderId, string outcome, string message)
        {
            webhookEvent.Status = ShopifyEventStatus.Processed;
            webhookEvent.OrderId = orderId;
            webhookEvent.Error = null;
            webhookEvent.NextAttemptAt = null;
            webhookEvent.ProcessedAt = now;
            Log(orderId, outcome, message);
        }

        public void Log(string? orderId, string outcome, string message) =>
            db.ShopifySyncLogs.Add(new ShopifySyncLog
            {
                Id = Ids.New(Ids.ShopifySyncLog), EventId = webhookEvent.Id, ShopDomain = webhookEvent.ShopDomain, ShopifyOrderId = order?.Id,
                ShopifyOrderName = Truncate(order?.Name, 128), OrderId = orderId, Topic = webhookEvent.Topic ?? "", Action = Action(webhookEvent.Topic),
                Outcome = outcome, Message = Truncate(message), At = now,
            });

        private static string Action(string? topic) => topic switch
        {
            ShopifyTopics.OrdersCreate => "create",
            ShopifyTopics.OrdersCancelled => "cancel",
            ShopifyTopics.OrdersFulfilled => "fulfil",
            ShopifyTopics.OrdersPaid => "record_payment",
            _ => "update",
        };
    }
}
