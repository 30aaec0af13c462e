using OrderCore.Api.Features.Catalog;

namespace OrderCore.Api.Features.Pricing;

internal static class PricingApi
{
    public static void MapPricingApi(this RouteGroupBuilder v1)
    {
        var lists = v1.MapGroup("/price-lists").WithTags("Pricing").RequireScopes(CatalogScopes.Read, CatalogScopes.Write);
        lists.MapGet("/", PriceListEndpoints.List).WithName("ListPriceLists").WithSummary("List price lists, newest first").ProducesErrors(400, 401);
        lists.MapPost("/", PriceListEndpoints.Create).WithName("CreatePriceList")
            .WithSummary("Create a price list: general, or for one customer (customer_id)").ProducesErrors(400, 401, 404, 409, 413, 422);
        lists.MapGet("/{id}", PriceListEndpoints.Get).WithName("GetPriceList").WithSummary("Retrieve a price list").ProducesErrors(401, 404);
        lists.MapPatch("/{id}", PriceListEndpoints.Patch).WithName("UpdatePriceList")
            .WithSummary("Change the fields sent; the currency only while the list has no prices").ProducesErrors(400, 401, 404, 409);

        var prices = v1.MapGroup("/prices").WithTags("Pricing").RequireScopes(CatalogScopes.Read, CatalogScopes.Write);
        prices.MapGet("/", PriceEndpoints.List).WithName("ListPrices")
            .WithSummary("List prices, newest first, filtered by SKU, list, currency, customer, quantity, validity and activity")
            .ProducesErrors(400, 401);
        prices.MapGet("/resolve", ResolvePrice.Handle).WithName("ResolvePrice")
            .WithSummary("The unit price an order would carry now, with the price and list that won and why")
            .WithDescription("Among active, currently valid prices in the currency whose tier the quantity reaches, from general lists or "
                + "lists of the customer: a customer-specific list beats a general one, then the higher list priority, then the "
                + "higher min_quantity, then the newest price.")
            .ProducesErrors(400, 401, 404, 422);
        prices.MapPost("/", PriceEndpoints.Create).WithName("CreatePrice")
            .WithSummary("Add a price (a tier from min_quantity) for a SKU to a price list").ProducesErrors(400, 401, 404, 409, 413, 422);
        prices.MapGet("/{id}", PriceEndpoints.Get).WithName("GetPrice").WithSummary("Retrieve a price").ProducesErrors(401, 404);
        prices.MapPatch("/{id}", PriceEndpoints.Patch).WithName("UpdatePrice")
            .WithSummary("Change the fields sent (amount, tier, window, active)").ProducesErrors(400, 401, 404);
        prices.MapDelete("/{id}", PriceEndpoints.Delete).WithName("DeletePrice").WithSummary("Delete a price").ProducesErrors(401, 404);
    }
}
