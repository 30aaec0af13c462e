namespace OrderCore.Api.Features.Customers;

public static class CustomerErrors
{
    /// <summary>A request names a customer the tenant does not have (or another tenant's).</summary>
    public static ApiError NotFound(string customerId) =>
        new ApiError(StatusCodes.Status404NotFound, "customer_not_found", $"No customer with id {customerId}").With("customer_id", customerId);
}
