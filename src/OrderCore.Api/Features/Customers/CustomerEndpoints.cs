namespace OrderCore.Api.Features.Customers;

internal sealed record CustomerResponse(
    string Id,
    string? Email,
    string? Name,
    string? ExternalId,
    JsonObject? Metadata,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static CustomerResponse From(Customer c) => new(c.Id, c.Email, c.Name, c.ExternalId, c.Metadata, c.CreatedAt, c.UpdatedAt);
}

/// <summary>The body of POST /v1/customers, PUT /v1/customers/{id} and (fields sent only) PATCH.</summary>
internal sealed record CustomerRequest
{
    [Description("Optional client-chosen id ([A-Za-z0-9._:-], at most 128); generated (cust_...) when omitted. POST only.")]
    public string? Id { get; init; }

    public string? Email { get; init; }

    public string? Name { get; init; }

    public string? ExternalId { get; init; }

    public JsonObject? Metadata { get; init; }
}

internal sealed class CustomerRequestValidator : AbstractValidator<CustomerRequest>
{
    public CustomerRequestValidator()
    {
        RuleFor(r => r.Id).ValidWritableId();
        RuleFor(r => r.Email).MaximumLength(320).WithMessage("must be at most 320 characters")
            .EmailAddress().WithMessage("must be an email address");
        RuleFor(r => r.Name).MaximumLength(500).WithMessage("must be at most 500 characters");
        RuleFor(r => r.ExternalId).MaximumLength(255).WithMessage("must be at most 255 characters");
        RuleFor(r => r.Metadata).SetValidator(new MetadataValidator()!);
    }
}

internal sealed record ListCustomersQuery
{
    [FromQuery(Name = "email")]
    [Description("Exact email, case-insensitive.")]
    public string? Email { get; init; }
}

internal static class CustomerEndpoints
{
    public static async Task<Ok<Paged<CustomerResponse>>> List([AsParameters] ListCustomersQuery query, [AsParameters] PageRequest page,
        OrderCoreDbContext db, CancellationToken cancellationToken)
    {
        var customers = db.Customers.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Email))
        {
            var email = query.Email.Trim().ToLowerInvariant();
            customers = customers.Where(c => c.Email == email);
        }

        return TypedResults.Ok(await customers.ToPageAsync(page, CustomerResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<CustomerResponse>, ApiError>> Get(string id, OrderCoreDbContext db, CancellationToken cancellationToken)
    {
        var customer = await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        return customer is null ? NotFound(id) : TypedResults.Ok(CustomerResponse.From(customer));
    }

    public static async Task<Results<Created<CustomerResponse>, ApiError>> Create(CustomerRequest request, OrderCoreDbContext db,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        if (request.Id is not null && await db.Customers.AnyAsync(c => c.Id == request.Id, cancellationToken))
        {
            return Exists(request.Id);
        }

        var now = clock.GetUtcNow();
        var customer = new Customer { Id = request.Id ?? Ids.New(Ids.Customer), CreatedAt = now };
        Replace(customer, request, now);
        db.Customers.Add(customer);
        await SaveAsync(db, customer.Id, cancellationToken);
        return TypedResults.Created($"/v1/customers/{customer.Id}", CustomerResponse.From(customer));
    }

    public static async Task<Results<Ok<CustomerResponse>, Created<CustomerResponse>, ApiError>> Put(string id, CustomerRequest request,
        OrderCoreDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (ClientIds.CheckPutBody(id, request.Id) is { } mismatch)
        {
            return mismatch;
        }

        var now = clock.GetUtcNow();
        var customer = await db.Customers.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        var created = customer is null;
        if (customer is null)
        {
            if (ClientIds.CheckNew(id) is { } invalid)
            {
                return invalid;
            }

            customer = new Customer { Id = id, CreatedAt = now };
            db.Customers.Add(customer);
        }

        Replace(customer, request, now);
        await SaveAsync(db, id, cancellationToken);
        var body = CustomerResponse.From(customer);
        return created ? TypedResults.Created($"/v1/customers/{id}", body) : TypedResults.Ok(body);
    }

    public static async Task<Results<Ok<CustomerResponse>, ApiError>> Patch(string id, CustomerRequest patch, SentFields sent, OrderCoreDbContext db,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        if (sent.Has("id"))
        {
            return ApiError.Validation("id", "cannot be changed");
        }

        var customer = await db.Customers.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (customer is null)
        {
            return NotFound(id);
        }

        if (sent.Has("email")) customer.Email = NormalizeEmail(patch.Email);
        if (sent.Has("name")) customer.Name = patch.Name;
        if (sent.Has("external_id")) customer.ExternalId = patch.ExternalId;
        if (sent.Has("metadata")) customer.Metadata = patch.Metadata;
        customer.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(CustomerResponse.From(customer));
    }

    internal static ApiError NotFound(string id) => ApiError.NotFound($"No customer with id {id}");

    private static ApiError Exists(string id) =>
        ClientIds.Exists("customer", "/v1/customers", id);

    private static void Replace(Customer customer, CustomerRequest request, DateTimeOffset now)
    {
        customer.Email = NormalizeEmail(request.Email);
        customer.Name = request.Name;
        customer.ExternalId = request.ExternalId;
        customer.Metadata = request.Metadata;
        customer.UpdatedAt = now;
    }

    /// <summary>Emails are stored trimmed and lower-cased, so the email filter is an indexed equality.</summary>
    private static string? NormalizeEmail(string? email) => email?.Trim().ToLowerInvariant();

    private static async Task SaveAsync(OrderCoreDbContext db, string id, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            throw Exists(id).ToException();
        }
    }
}

internal static class CustomersApi
{
    public static void MapCustomersApi(this RouteGroupBuilder v1)
    {
        var customers = v1.MapGroup("/customers").WithTags("Customers").RequireScopes(OrderScopes.Read, OrderScopes.Write);
        customers.MapGet("/", CustomerEndpoints.List).WithName("ListCustomers").WithSummary("List customers, newest first; filter by email")
            .ProducesErrors(401);
        customers.MapPost("/", CustomerEndpoints.Create).WithName("CreateCustomer")
            .WithSummary("Create a customer, optionally with a client-chosen id").ProducesErrors(400, 401, 409, 422);
        customers.MapGet("/{id}", CustomerEndpoints.Get).WithName("GetCustomer").WithSummary("Retrieve a customer").ProducesErrors(401, 404);
        customers.MapPut("/{id}", CustomerEndpoints.Put).WithName("PutCustomer").WithSummary("Create the customer with this id, or replace it")
            .ProducesErrors(400, 401);
        customers.MapPatch("/{id}", CustomerEndpoints.Patch).WithName("UpdateCustomer")
            .WithSummary("Change the fields sent; null clears a field").ProducesErrors(400, 401, 404);
    }
}

/// <summary>The scopes of orders and the customers they are for; declared here, in the lower of the two modules.</summary>
public static class OrderScopes
{
    public static readonly string Read = "orders:read";
    public static readonly string Write = "orders:write";
}
