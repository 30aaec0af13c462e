using Microsoft.Extensions.DependencyInjection;
using OrderCore.Api.Platform.Events;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Platform;

/// <summary>Event names are declared by the features that publish them, at startup; Platform lists none of its own.</summary>
public sealed class EventCatalogTests(AppFixture app)
{
    [Fact]
    public void The_catalog_holds_what_the_features_declared()
    {
        var events = app.Factory.Services.GetRequiredService<EventCatalog>();

        Assert.Equal(["checkout.completed", "inventory.adjusted", "order.cancelled", "order.confirmed", "order.created", "order.fulfilled"], events.All);
        Assert.True(events.IsKnown("order.created"));
        Assert.False(events.IsKnown("order.shipped"));
    }
}
