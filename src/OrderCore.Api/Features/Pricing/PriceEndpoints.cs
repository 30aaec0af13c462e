using OrderCore.Api.Features.Catalog;

namespace OrderCore.Api.Features.Pricing;

internal sealed record ListPricesQuery
{
    [FromQuery(Name = "sku_id")]
    public string? SkuId { get; init; }

    [FromQuery(Name = "sku_code")]
    public string? SkuCode { get; init; }

    [FromQuery(Name = "price_list_id")]
    public string? PriceListId { get; init; }

    [FromQuery(Name = "price_list_code")]
    public string? PriceListCode { get; init; }

    [FromQuery(Name = "currency")]
    public string? Currency { get; init; }

    [FromQuery(Name = "customer_id")]
    [Description("Prices of the lists for this customer, plus those of general lists.")]
    public string? CustomerId { get; init; }

    [FromQuery(Name = "quantity")]
    [Description("Only tiers reached by this quantity (min_quantity <= quantity).")]
    public int? Quantity { get; init; }

    [FromQuery(Name = "valid_now")]
    [Description("true: only prices valid now, in both their own and their list's window. false or omitted: no filter.")]
    public string? ValidNow { get; init; }

    [FromQuery(Name = "active_only")]
    [Description("true: only active prices in active lists. false or omitted: no filter.")]
    public string? ActiveOnly { get; init; }
}

internal sealed class ListPricesQueryValidator : AbstractValidator<ListPricesQuery>
{
    public ListPricesQueryValidator()
    {
        RuleFor(q => q.Currency).ValidCurrency();
        RuleFor(q => q.Quantity).GreaterThan(0).WithMessage("must be greater than 0");
        RuleFor(q => q.ValidNow).Must(v => v is null || EnumText.TryParseBool(v, out _)).WithMessage(EnumText.ExpectedBool);
        RuleFor(q => q.ActiveOnly).Must(v => v is null || EnumText.TryParseBool(v, out _)).WithMessage(EnumText.ExpectedBool);
    }
}

internal static class PriceEndpoints
{
    public static async Task<Ok<Paged<PriceResponse>>> List([AsParameters] ListPricesQuery query, [AsParameters] PageRequest page,
        OrderCoreDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var prices = db.Prices.AsNoTracking();
        if (query.SkuId is { } skuId)
        {
            prices = prices.Where(p => p.SkuId == skuId);
        }

        if (query.SkuCode is { } skuCode)
        {
            prices = prices.Where(p => db.Set<Sku>().Any(s => s.Id == p.SkuId && s.SkuCode == skuCode));
        }

        if (query.PriceListId is { } listId)
        {
            prices = prices.Where(p => p.PriceListId == listId);
        }

        if (query.PriceListCode is { } listCode)
        {
            prices = prices.Where(p => db.Set<PriceList>().Any(l => l.Id == p.PriceListId && l.Code == listCode));
        }

        if (query.Currency is not null)
        {
            var currency = Money.Normalize(query.Currency);
            prices = prices.Where(p => p.Currency == currency);
        }

        if (query.CustomerId is { } customerId)
        {
            prices = prices.ForCustomer(db, customerId);
        }

        if (query.Quantity is { } quantity)
        {
            prices = prices.ReachedBy(quantity);
        }

        if (IsTrue(query.ValidNow))
        {
            prices = prices.ValidAt(db, clock.GetUtcNow());
        }

        if (IsTrue(query.ActiveOnly))
        {
            prices = prices.ActiveInActiveList(db);
        }

        var found = await prices.ToPageAsync(page, p => p, cancellationToken);
        var data = await ToResponsesAsync(db, found.Data, cancellationToken);
        return TypedResults.Ok(new Paged<PriceResponse>(data, found.Page, found.PerPage, found.Total, found.TotalExact, found.HasMore));
    }

    public static async Task<Results<Ok<PriceResponse>, ApiError>> Get(string id, OrderCoreDbContext db, CancellationToken cancellationToken)
    {
        var price = await db.Prices.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        return price is null ? PricingErrors.PriceNotFound(id) : TypedResults.Ok((await ToResponsesAsync(db, [price], cancellationToken))[0]);
    }

    public static async Task<Results<Created<PriceResponse>, ApiError>> Create(PriceRequest request, OrderCoreDbContext db, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var sku = await Skus.FindAsync(db, request.SkuId, request.SkuCode, cancellationToken);
        if (sku is null)
        {
            return Skus.NotFound(request.SkuId, request.SkuCode);
        }

        var list = request.PriceListId is { } listId
            ? await db.PriceLists.AsNoTracking().SingleOrDefaultAsync(l => l.Id == listId, cancellationToken)
            : await db.PriceLists.AsNoTracking().SingleOrDefaultAsync(l => l.Code == request.PriceListCode, cancellationToken);
        if (list is null)
        {
            return request.PriceListId is not null
                ? PricingErrors.PriceListNotFoundFor("price_list_id", request.PriceListId)
                : PricingErrors.PriceListNotFoundFor("price_list_code", request.PriceListCode!);
        }

        // FOR SHARE keeps the list's currency as read until this price commits, and waits for a currency change
        // in flight (see PriceListEndpoints.Patch), so the price always takes the list's current currency.
        var listCurrency = (await db.Database.SqlQuery<string>(
                $"SELECT currency AS \"Value\" FROM price_lists WHERE tenant_id = {list.TenantId} AND id = {list.Id} FOR SHARE")
            .ToListAsync(cancellationToken)).Single();
        var currency = request.Currency is null ? listCurrency : Money.Normalize(request.Currency);
        if (currency != listCurrency)
        {
            return ApiError.Validation("currency", $"must equal the currency of price list {list.Code} ({listCurrency})");
        }

        if (PricingRules.CheckAmount(request.UnitAmount!.Value, currency) is { } amountError)
        {
            return amountError;
        }

        var now = clock.GetUtcNow();
        var price = new Price
        {
            Id = Ids.New(Ids.Price),
            SkuId = sku.Id,
            PriceListId = list.Id,
            Currency = currency,
            UnitAmount = request.UnitAmount.Value,
            MinQuantity = request.MinQuantity ?? 1,
            ValidFrom = request.ValidFrom,
            ValidTo = request.ValidTo,
            Active = request.Active ?? true,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Prices.Add(price);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/v1/prices/{price.Id}", PriceResponse.From(price, sku.SkuCode, list.Code));
    }

    public static async Task<Results<Ok<PriceResponse>, ApiError>> Patch(string id, PricePatch patch, SentFields sent, OrderCoreDbContext db,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        foreach (var (field, isNull) in new[]
                 {
                     ("unit_amount", patch.UnitAmount is null), ("min_quantity", patch.MinQuantity is null), ("active", patch.Active is null),
                 })
        {
            if (sent.Has(field) && isNull)
            {
                return ApiError.Validation(field, "must not be null");
            }
        }

        var price = await db.Prices.SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (price is null)
        {
            return PricingErrors.PriceNotFound(id);
        }

        if (patch.UnitAmount is { } amount)
        {
            if (PricingRules.CheckAmount(amount, price.Currency) is { } amountError)
            {
                return amountError;
            }

            price.UnitAmount = amount;
        }

        if (patch.MinQuantity is { } minQuantity) price.MinQuantity = minQuantity;
        if (patch.Active is { } active) price.Active = active;
        if (PricingRules.PatchWindow(price, patch.ValidFrom, patch.ValidTo, sent) is { } windowError)
        {
            return windowError;
        }

        price.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok((await ToResponsesAsync(db, [price], cancellationToken))[0]);
    }

    /// <summary>Erases the price; orders keep the unit price they copied at creation.</summary>
    public static async Task<Results<NoContent, ApiError>> Delete(string id, OrderCoreDbContext db, CancellationToken cancellationToken)
    {
        var deleted = await db.Prices.Where(p => p.Id == id).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? PricingErrors.PriceNotFound(id) : TypedResults.NoContent();
    }

    private static bool IsTrue(string? flag) => flag is not null && EnumText.TryParseBool(flag, out var value) && value;

    /// <summary>Adds the SKU and list codes that the answer carries beside their ids.</summary>
    private static async Task<List<PriceResponse>> ToResponsesAsync(OrderCoreDbContext db, IReadOnlyList<Price> prices,
        CancellationToken cancellationToken)
    {
        var skuIds = prices.Select(p => p.SkuId).Distinct().ToList();
        var listIds = prices.Select(p => p.PriceListId).Distinct().ToList();
        var skuCodes = await db.Skus.Where(s => skuIds.Contains(s.Id)).Select(s => new { s.Id, s.SkuCode })
            .ToDictionaryAsync(s => s.Id, s => s.SkuCode, StringComparer.Ordinal, cancellationToken);
        var listCodes = await db.PriceLists.Where(l => listIds.Contains(l.Id)).Select(l => new { l.Id, l.Code })
            .ToDictionaryAsync(l => l.Id, l => l.Code, StringComparer.Ordinal, cancellationToken);
        return prices.Select(p => PriceResponse.From(p, skuCodes[p.SkuId], listCodes[p.PriceListId])).ToList();
    }
}
