using OrderCore.Api.Features.Accounts;
using OrderCore.Api.Features.Catalog;
using OrderCore.Api.Features.Checkout;
using OrderCore.Api.Features.Customers;
using OrderCore.Api.Features.Events;
using OrderCore.Api.Features.Health;
using OrderCore.Api.Features.Integrations;
using OrderCore.Api.Features.Inventory;
using OrderCore.Api.Features.Notifications;
using OrderCore.Api.Features.Onboarding;
using OrderCore.Api.Features.Orders;
using OrderCore.Api.Features.Pricing;
using OrderCore.Api.Features.Webhooks;

namespace OrderCore.Api.Features;

public static class FeaturesSetup
{
    public static void AddFeatures(this WebApplicationBuilder builder)
    {
        // Each feature registers its own go-live checks; this order is the checklist's order.
        builder.AddAccounts();
        builder.AddCatalog();
        builder.AddInventory();
        builder.AddWebhooks();
        builder.AddOrders();
        builder.AddNotifications();
        builder.AddCheckout();
        builder.AddShopify();
    }

    public static void MapFeatures(this WebApplication app)
    {
        app.MapHealthApi();
        app.MapAdminApi();
        app.MapShopifyPublicApi();

        var v1 = app.MapApiV1();
        v1.MapOnboardingApi();
        v1.MapCatalogApi();
        v1.MapCustomersApi();
        v1.MapPricingApi();
        v1.MapInventoryApi();
        v1.MapOrdersApi();
        v1.MapNotificationsApi();
        v1.MapEventsApi();
        v1.MapAccountApi();
        v1.MapWebhooksApi();
        app.MapCheckoutApi(v1);
        v1.MapShopifyApi();
    }
}
