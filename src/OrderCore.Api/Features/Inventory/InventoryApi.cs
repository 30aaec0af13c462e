namespace OrderCore.Api.Features.Inventory;

public static class InventoryApi
{
    public static void MapInventoryApi(this RouteGroupBuilder v1)
    {
    }
}
