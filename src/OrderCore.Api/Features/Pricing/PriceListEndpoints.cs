using OrderCore.Api.Features.Customers;

namespace OrderCore.Api.Features.Pricing;

internal static class PriceListEndpoints
{
    public static async Task<Ok<Paged<PriceListResponse>>> List([AsParameters] PageRequest page, OrderCoreDbContext db,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.PriceLists.AsNoTracking().ToPageAsync(page, PriceListResponse.From, cancellationToken));

    public static async Task<Results<Ok<PriceListResponse>, ApiError>> Get(string id, OrderCoreDbContext db, CancellationToken cancellationToken)
    {
        var list = await db.PriceLists.AsNoTracking().SingleOrDefaultAsync(l => l.Id == id, cancellationToken);
        return list is null ? PricingErrors.PriceListNotFound(id) : TypedResults.Ok(PriceListResponse.From(list));
    }

    public static async Task<Results<Created<PriceListResponse>, ApiError>> Create(PriceListRequest request, OrderCoreDbContext db,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        if (request.CustomerId is { } customerId && !await db.Customers.AnyAsync(c => c.Id == customerId, cancellationToken))
        {
            return CustomerErrors.NotFound(customerId);
        }

        if (await db.PriceLists.AnyAsync(l => l.Code == request.Code, cancellationToken))
        {
            return PricingErrors.ListCodeTaken(request.Code!);
        }

        var now = clock.GetUtcNow();
        var list = new PriceList
        {
            Id = Ids.New(Ids.PriceList),
            Code = request.Code!,
            Name = request.Name!,
            Currency = Money.Normalize(request.Currency),
            Priority = request.Priority ?? 0,
            CustomerId = request.CustomerId,
            ValidFrom = request.ValidFrom,
            ValidTo = request.ValidTo,
            Active = request.Active ?? true,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.PriceLists.Add(list);
        await SaveAsync(db, list.Code, cancellationToken);
        return TypedResults.Created($"/v1/price-lists/{list.Id}", PriceListResponse.From(list));
    }

    /// <summary>
    /// Changes the fields sent. The currency may change only while the list has no prices: a price's
    /// currency always equals its list's, and silently re-labelling amounts (49.00 USD as 49.00 EUR) would
    /// be wrong, so such a change answers 409 <c>price_list_has_prices</c>.
    /// </summary>
    public static async Task<Results<Ok<PriceListResponse>, ApiError>> Patch(string id, PriceListPatch patch, SentFields sent,
        OrderCoreDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        foreach (var (field, isNull) in new[]
                 {
                     ("code", patch.Code is null), ("name", patch.Name is null), ("currency", patch.Currency is null),
                     ("priority", patch.Priority is null), ("active", patch.Active is null),
                 })
        {
            if (sent.Has(field) && isNull)
            {
                return ApiError.Validation(field, "must not be null");
            }
        }

        var list = await db.PriceLists.SingleOrDefaultAsync(l => l.Id == id, cancellationToken);
        if (list is null)
        {
            return PricingErrors.PriceListNotFound(id);
        }

        if (patch.Code is not null && patch.Code != list.Code)
        {
            if (await db.PriceLists.AnyAsync(l => l.Code == patch.Code, cancellationToken))
            {
                return PricingErrors.ListCodeTaken(patch.Code);
            }

            list.Code = patch.Code;
        }

        var currency = patch.Currency is null ? list.Currency : Money.Normalize(patch.Currency);
        if (currency != list.Currency)
        {
            // The row lock comes before the count: a price being added meanwhile holds a key-share lock on this
            // row (its foreign key) and POST /v1/prices reads the row FOR SHARE, so that price is either counted
            // here or waits and then sees the new currency. A price never lands in a list of another currency.
            await db.Database.ExecuteSqlAsync(
                $"SELECT 1 FROM price_lists WHERE tenant_id = {list.TenantId} AND id = {list.Id} FOR UPDATE", cancellationToken);
            var prices = await db.Prices.CountAsync(p => p.PriceListId == id, cancellationToken);
            if (prices > 0)
            {
                return ApiError.Conflict("price_list_has_prices",
                        $"Price list {list.Code} has {prices} {list.Currency} price(s); its currency cannot change while it has prices. "
                        + "Delete them first, or create a new list in the other currency")
                    .With("price_list_id", list.Id).With("currency", list.Currency);
            }

            list.Currency = currency;
        }

        if (sent.Has("customer_id") && patch.CustomerId != list.CustomerId)
        {
            if (patch.CustomerId is { } customerId && !await db.Customers.AnyAsync(c => c.Id == customerId, cancellationToken))
            {
                return CustomerErrors.NotFound(customerId);
            }

            list.CustomerId = patch.CustomerId;
        }

        if (patch.Name is not null) list.Name = patch.Name;
        if (patch.Priority is { } priority) list.Priority = priority;
        if (patch.Active is { } active) list.Active = active;
        if (PricingRules.PatchWindow(list, patch.ValidFrom, patch.ValidTo, sent) is { } windowError)
        {
            return windowError;
        }

        list.UpdatedAt = clock.GetUtcNow();
        await SaveAsync(db, list.Code, cancellationToken);
        return TypedResults.Ok(PriceListResponse.From(list));
    }

    /// <summary>Saves; a concurrent insert of the same code surfaces as 409, not 500.</summary>
    private static async Task SaveAsync(OrderCoreDbContext db, string code, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            throw PricingErrors.ListCodeTaken(code).ToException();
        }
    }
}
