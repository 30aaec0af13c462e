using Microsoft.EntityFrameworkCore;
using OrderCore.Api.Platform.Errors;

namespace OrderCore.Tests.Platform.UnitTests;

/// <summary>Exceptions that are not server faults map to the answer they mean, not 500.</summary>
public sealed class ErrorMappingTests
{
    [Fact]
    public void An_update_that_lost_its_row_to_a_concurrent_delete_is_a_404()
    {
        // The fuzz test found it: PATCH /v1/prices/{id} while a DELETE of the same price ran answered 500.
        var error = ErrorHandling.FromException(new DbUpdateConcurrencyException("expected to affect 1 row(s), but actually affected 0 row(s)"));

        Assert.Equal(404, error.Status);
        Assert.Equal("not_found", error.Code);
    }

    [Fact]
    public void An_unknown_exception_is_still_a_500()
    {
        Assert.Equal(500, ErrorHandling.FromException(new InvalidOperationException("boom")).Status);
    }
}
