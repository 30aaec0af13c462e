using OrderCore.Api.Features.Catalog;
using OrderCore.Api.Features.Inventory;

namespace OrderCore.Api.Features.Onboarding;

internal static class OnboardingApi
{
    public static RouteGroupBuilder MapOnboardingApi(this RouteGroupBuilder v1)
    {
        var onboarding = v1.MapGroup("/onboarding").WithTags("Onboarding")
            .RequireScopes([CatalogScopes.Read], [CatalogScopes.Write, InventoryScopes.Write]);

        onboarding.MapPost("/demo-data", DemoData.Handle)
            .WithName("CreateDemoData")
            .WithSummary("Seed a small demo catalog (once per tenant)")
            .WithDescription("Creates a customer, three products with SKUs, a default location with stock and a USD price list. "
                + "Repeated calls create nothing new and return the same ids. Accepts an empty body or {}.")
            .ProducesErrors(400, 401);

        onboarding.MapPost("/catalog-csv", ImportCatalogCsv.Handle)
            .Accepts<CatalogCsvRequest>("application/json", "text/csv")
            .WithMetadata(new BodySizeLimit(ImportCatalogCsv.BodyLimitBytes))
            .WithName("ImportCatalogCsv")
            .WithSummary("Import a starter catalog, prices and stock from CSV")
            .WithDescription("JSON {currency, price_list_code, location_code, location_name, csv}, or a text/csv body with those as query "
                + "parameters. All or nothing: any bad row answers 400 naming each problem's line. Re-running updates by SKU code. "
                + "At most 5 MiB and 10,000 rows.")
            .ProducesErrors(400, 401, 409, 413, 422);

        return onboarding;
    }
}
