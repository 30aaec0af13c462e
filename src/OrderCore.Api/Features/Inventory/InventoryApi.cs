using OrderCore.Api.Features.Catalog;

namespace OrderCore.Api.Features.Inventory;

internal static class InventoryApi
{
    /// <summary>Background work of the inventory (releasing expired reservations), and what it keeps about products.</summary>
    public static void AddInventory(this WebApplicationBuilder builder)
    {
        builder.Services.AddHostedService<ReservationExpirySweeper>();
        builder.Services.AddProductReferences<StockProductReferences>();
        builder.Services.AddReadinessCheck<InventoryPresentCheck>();
        builder.Services.AddEventTypes(InventoryEvents.Adjusted);
    }

    public static void MapInventoryApi(this RouteGroupBuilder v1)
    {
        var locations = v1.MapGroup("/locations").WithTags("Inventory").RequireScopes(InventoryScopes.Read, InventoryScopes.Write);
        locations.MapGet("/", LocationEndpoints.List).WithName("ListLocations").WithSummary("List locations").ProducesErrors(400, 401);
        locations.MapPost("/", LocationEndpoints.Create).WithName("CreateLocation")
            .WithSummary("Create a location, optionally with a client-chosen id; the first one is the default").ProducesErrors(400, 401, 409, 413, 422);
        locations.MapGet("/{id}", LocationEndpoints.Get).WithName("GetLocation").WithSummary("Retrieve a location").ProducesErrors(401, 404);
        locations.MapPut("/{id}", LocationEndpoints.Put).WithName("PutLocation")
            .WithSummary("Create the location with this id, or replace its code and name; is_default: true moves the default here")
            .ProducesErrors(400, 401, 409);

        var inventory = v1.MapGroup("/inventory").WithTags("Inventory").RequireScopes(InventoryScopes.Read, InventoryScopes.Write);
        inventory.MapGet("/", InventoryEndpoints.List).WithName("ListInventory")
            .WithSummary("List stock levels (on_hand, reserved, available) by location, then SKU").ProducesErrors(400, 401);
        inventory.MapPost("/adjust", InventoryEndpoints.Adjust).WithName("AdjustInventory")
            .WithSummary("Change on_hand by a delta or to a value, optionally only if it is still expected_on_hand")
            .ProducesErrors(400, 401, 404, 409, 413, 422);
        inventory.MapPost("/reserve", InventoryEndpoints.Reserve).WithName("ReserveInventory")
            .WithSummary("Reserve stock of a SKU, optionally until expires_at").ProducesErrors(400, 401, 404, 409, 413, 422);
        inventory.MapGet("/reservations/{id}", InventoryEndpoints.GetReservation).WithName("GetReservation")
            .WithSummary("Retrieve a reservation").ProducesErrors(401, 404);
        inventory.MapPost("/release", InventoryEndpoints.Release).WithName("ReleaseInventory")
            .WithSummary("Release an active reservation, or reserved stock that no reservation holds").ProducesErrors(400, 401, 404, 409, 413, 422);
        inventory.MapGet("/movements", InventoryEndpoints.Movements).WithName("ListInventoryMovements")
            .WithSummary("List stock movements (the audit trail), newest first").ProducesErrors(400, 401);
    }
}

/// <summary>The scopes of locations and stock.</summary>
public static class InventoryScopes
{
    public static readonly string Read = "inventory:read";
    public static readonly string Write = "inventory:write";
}
