namespace OrderCore.Api.Features.Inventory;

internal static class LocationEndpoints
{
    public static async Task<Ok<Paged<LocationResponse>>> List([AsParameters] PageRequest page, OrderCoreDbContext db,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Locations.AsNoTracking().ToPageAsync(page, LocationResponse.From, cancellationToken));

    public static async Task<Results<Ok<LocationResponse>, ApiError>> Get(string id, OrderCoreDbContext db, CancellationToken cancellationToken)
    {
        var location = await db.Locations.AsNoTracking().SingleOrDefaultAsync(l => l.Id == id, cancellationToken);
        return location is null ? ApiError.NotFound($"No location with id {id}") : TypedResults.Ok(LocationResponse.From(location));
    }

    public static async Task<Results<Created<LocationResponse>, ApiError>> Create(LocationRequest request, OrderCoreDbContext db,
        CurrentTenant tenant, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (request.Id is not null && await db.Locations.AnyAsync(l => l.Id == request.Id, cancellationToken))
        {
            return ClientIds.Exists("location", "/v1/locations", request.Id);
        }

        var now = clock.GetUtcNow();
        var location = new Location { Id = request.Id ?? Ids.New(Ids.Location), Code = request.Code!, Name = request.Name!, CreatedAt = now, UpdatedAt = now };
        db.Locations.Add(location);
        await SaveAsync(db, tenant, location, request, cancellationToken);
        return TypedResults.Created($"/v1/locations/{location.Id}", LocationResponse.From(location));
    }

    /// <summary>Creates the location with this id, or replaces its code and name (and makes it the default when asked).</summary>
    public static async Task<Results<Ok<LocationResponse>, Created<LocationResponse>, ApiError>> Put(string id, LocationRequest request,
        OrderCoreDbContext db, CurrentTenant tenant, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (ClientIds.CheckPutBody(id, request.Id) is { } mismatch)
        {
            return mismatch;
        }

        var now = clock.GetUtcNow();
        var location = await db.Locations.SingleOrDefaultAsync(l => l.Id == id, cancellationToken);
        var created = location is null;
        if (location is null)
        {
            if (ClientIds.CheckNew(id) is { } invalid)
            {
                return invalid;
            }

            location = new Location { Id = id, Code = request.Code!, Name = request.Name!, CreatedAt = now, UpdatedAt = now };
            db.Locations.Add(location);
        }
        else
        {
            if (location.IsDefault && request.IsDefault == false)
            {
                return ApiError.Conflict("default_location_required",
                        $"Location {id} is the default; make another location the default (is_default: true) instead")
                    .With("location_id", id);
            }

            location.Code = request.Code!;
            location.Name = request.Name!;
            location.UpdatedAt = now;
        }

        await SaveAsync(db, tenant, location, request, cancellationToken);
        var body = LocationResponse.From(location);
        return created ? TypedResults.Created($"/v1/locations/{location.Id}", body) : TypedResults.Ok(body);
    }

    /// <summary>A location named in a request body does not exist.</summary>
    internal static ApiError LocationNotFound(string id) =>
        new ApiError(StatusCodes.Status404NotFound, "location_not_found", $"No location with id {id}").With("location_id", id);

    /// <summary>
    /// Decides the default and saves. The tenant's first location is the default; <c>is_default: true</c>
    /// moves it here. Changes of the default are serialised per tenant, so concurrent requests never
    /// trip the one-default-per-tenant index.
    /// </summary>
    private static async Task SaveAsync(OrderCoreDbContext db, CurrentTenant tenant, Location location, LocationRequest request,
        CancellationToken cancellationToken)
    {
        await Locations.LockDefaultAsync(db, tenant.RequiredId, cancellationToken);
        if (await db.Locations.AnyAsync(l => l.Code == location.Code && l.Id != location.Id, cancellationToken))
        {
            throw CodeTaken(location.Code).ToException();
        }

        var hasDefault = await db.Locations.AnyAsync(l => l.IsDefault && l.Id != location.Id, cancellationToken);
        if (request.IsDefault == true && hasDefault)
        {
            // Unset the old default first: the index allows one default per tenant at every moment.
            await db.Locations.Where(l => l.IsDefault && l.Id != location.Id)
                .ExecuteUpdateAsync(set => set.SetProperty(l => l.IsDefault, false).SetProperty(l => l.UpdatedAt, location.UpdatedAt), cancellationToken);
        }

        location.IsDefault = location.IsDefault || request.IsDefault == true || !hasDefault;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            throw ApiError.Conflict("resource_exists", "A location with this id or code was created at the same time; retry").ToException();
        }
    }

    private static ApiError CodeTaken(string code) =>
        ApiError.Conflict("location_code_taken", $"Another location already has code {code}").With("code", code);
}
