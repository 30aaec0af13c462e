namespace OrderCore.Api.Features.Pricing;

public static class PricingApi
{
    public static void MapPricingApi(this RouteGroupBuilder v1)
    {
    }
}
