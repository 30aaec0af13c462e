using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OrderCore.Api.Platform.Idempotency;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Platform;

/// <summary>
/// Every route that writes runs in the idempotency filter's unit of work: one transaction, rolled back on a
/// rejection, with Idempotency-Key honoured. A group mapped without <c>WithApiConventions</c> (or <c>WithIdempotency</c>)
/// would otherwise write in autocommit, and its row locks would hold nothing.
/// </summary>
public sealed class TransactionalWritesTests(AppFixture app)
{
    [Fact]
    public void Every_write_route_runs_in_a_unit_of_work()
    {
        var writes = app.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Any(m => m is "POST" or "PUT" or "PATCH" or "DELETE") == true)
            .ToList();

        Assert.True(writes.Count > 40, $"only {writes.Count} write routes found");
        Assert.Contains(writes, e => e.RoutePattern.RawText!.StartsWith("/ucp/public", StringComparison.Ordinal));
        Assert.Empty(writes.Where(e => e.Metadata.GetMetadata<TransactionalWrites>() is null && e.Metadata.GetMetadata<OwnUnitsOfWork>() is null)
            .Select(e => e.RoutePattern.RawText));
        // The routes that write through units of their own say so (signed inbound webhooks), and are few.
        Assert.Equal(["/integrations/shopify/webhooks"], writes.Where(e => e.Metadata.GetMetadata<OwnUnitsOfWork>() is not null)
            .Select(e => e.RoutePattern.RawText));
    }
}
