using OrderCore.Api.Platform.OpenApi;

namespace OrderCore.Api.Features.Onboarding;

public static class OnboardingApi
{
    public static RouteGroupBuilder MapOnboardingApi(this RouteGroupBuilder v1)
    {
        var onboarding = v1.MapGroup("/onboarding").WithTags("Onboarding");

        onboarding.MapPost("/demo-data", DemoData.Handle)
            .WithName("CreateDemoData")
            .WithSummary("Seed a small demo catalog (once per tenant)")
            .WithDescription("Creates a customer, three products with SKUs, a default location with stock and a USD price list. "
                + "Repeated calls create nothing new and return the same ids. Accepts an empty body or {}.")
            .ProducesErrors(400, 401);

        return onboarding;
    }
}
