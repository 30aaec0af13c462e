namespace OrderCore.Api.Features.Inventory;

internal sealed record LocationResponse(string Id, string Code, string Name, bool IsDefault, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static LocationResponse From(Location location) =>
        new(location.Id, location.Code, location.Name, location.IsDefault, location.CreatedAt, location.UpdatedAt);
}

public sealed record InventoryLevelResponse(
    string SkuId,
    string SkuCode,
    string LocationId,
    int OnHand,
    int Reserved,
    int Available,
    DateTimeOffset UpdatedAt)
{
    internal static InventoryLevelResponse From(InventoryLevel level, string skuCode) =>
        new(level.SkuId, skuCode, level.LocationId, level.OnHand, level.Reserved, level.Available, level.UpdatedAt);
}

internal sealed record ReservationResponse(
    string Id,
    string SkuId,
    string LocationId,
    int Quantity,
    ReservationStatus Status,
    string? OrderId,
    string? Reference,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset CreatedAt)
{
    public static ReservationResponse From(InventoryReservation reservation) => new(
        reservation.Id, reservation.SkuId, reservation.LocationId, reservation.Quantity, reservation.Status, reservation.OrderId,
        reservation.Reference, reservation.ExpiresAt, reservation.CreatedAt);
}

/// <summary>What a release did: how much it gave back, the reservation it released (if any) and the level after it.</summary>
internal sealed record ReleaseResponse(int Released, ReservationResponse? Reservation, InventoryLevelResponse Level);

internal sealed record MovementResponse(
    string Id,
    string SkuId,
    string LocationId,
    MovementReason Reason,
    int OnHandDelta,
    int ReservedDelta,
    string? ReservationId,
    string? OrderId,
    string? Note,
    DateTimeOffset CreatedAt)
{
    public static MovementResponse From(InventoryMovement movement) => new(
        movement.Id, movement.SkuId, movement.LocationId, movement.Reason, movement.OnHandDelta, movement.ReservedDelta,
        movement.ReservationId, movement.OrderId, movement.Note, movement.CreatedAt);
}

/// <summary>The body of POST /v1/locations and PUT /v1/locations/{id}.</summary>
internal sealed record LocationRequest
{
    [Description("Optional client-chosen id ([A-Za-z0-9._:-], at most 128); generated (loc_...) when omitted.")]
    public string? Id { get; init; }

    [Required]
    [Description("Unique within the tenant.")]
    public string? Code { get; init; }

    [Required]
    public string? Name { get; init; }

    [Description("Orders reserve at the default location. The first location is the default; true moves the default here.")]
    public bool? IsDefault { get; init; }
}

/// <summary>The SKU (by id or by code) and the location a stock change is about.</summary>
internal abstract record StockTargetRequest
{
    [Description("The SKU by id (sku_...); or give sku_code.")]
    public string? SkuId { get; init; }

    [Description("The SKU by its code; or give sku_id.")]
    public string? SkuCode { get; init; }

    [Description("The default location when omitted.")]
    public string? LocationId { get; init; }
}

/// <summary>The body of POST /v1/inventory/adjust.</summary>
internal sealed record AdjustStockRequest : StockTargetRequest
{
    [Description("Change on_hand by this amount (not 0); or give set_on_hand.")]
    public int? Delta { get; init; }

    [Description("Set on_hand to this value; or give delta.")]
    public int? SetOnHand { get; init; }

    [Required]
    [Description("Why (free text, at most 500 characters); kept as the movement's note.")]
    public string? Reason { get; init; }

    [Description("Apply only if on_hand is still this value (compare-and-set); otherwise 409 stock_changed.")]
    public int? ExpectedOnHand { get; init; }
}

/// <summary>The body of POST /v1/inventory/reserve.</summary>
internal sealed record ReserveStockRequest : StockTargetRequest
{
    [Required]
    [Description("At least 1.")]
    public int? Quantity { get; init; }

    [Description("Your own reference (cart, quote, ...), at most 255 characters.")]
    public string? Reference { get; init; }

    [Description("When the reservation is released automatically; must be in the future. Never, when omitted.")]
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>The body of POST /v1/inventory/release: a reservation, or an amount of a SKU that no reservation holds.</summary>
internal sealed record ReleaseStockRequest
{
    [Description("Release this active reservation (res_...). Alone, or give sku and quantity instead.")]
    public string? ReservationId { get; init; }

    [Description("With quantity: release reserved stock that no reservation holds.")]
    public string? SkuId { get; init; }

    public string? SkuCode { get; init; }

    [Description("The default location when omitted.")]
    public string? LocationId { get; init; }

    [Description("At least 1; at most reserved minus what active reservations hold.")]
    public int? Quantity { get; init; }
}

internal sealed class LocationRequestValidator : AbstractValidator<LocationRequest>
{
    public LocationRequestValidator()
    {
        RuleFor(r => r.Id).ValidWritableId();
        RuleFor(r => r.Code).ValidCode();
        RuleFor(r => r.Name).NotEmpty().WithMessage("is required").MaximumLength(200).WithMessage("must be at most 200 characters");
    }
}

internal sealed class AdjustStockRequestValidator : AbstractValidator<AdjustStockRequest>
{
    public AdjustStockRequestValidator()
    {
        this.RequireOneOf("sku_id", r => r.SkuId, "sku_code", r => r.SkuCode);
        RuleFor(r => r.Delta)
            .Must((r, _) => r.Delta is not null || r.SetOnHand is not null).WithMessage("delta or set_on_hand is required")
            .Must((r, _) => r.Delta is null || r.SetOnHand is null).WithMessage("give delta or set_on_hand, not both")
            .NotEqual(0).WithMessage("must not be 0")
            .InclusiveBetween(-StockAdjustments.MaxOnHand, StockAdjustments.MaxOnHand)
            .WithMessage($"must be between {-StockAdjustments.MaxOnHand} and {StockAdjustments.MaxOnHand}");
        RuleFor(r => r.SetOnHand)
            .InclusiveBetween(0, StockAdjustments.MaxOnHand).WithMessage($"must be between 0 and {StockAdjustments.MaxOnHand}");
        RuleFor(r => r.ExpectedOnHand)
            .InclusiveBetween(0, StockAdjustments.MaxOnHand).WithMessage($"must be between 0 and {StockAdjustments.MaxOnHand}");
        RuleFor(r => r.Reason)
            .NotEmpty().WithMessage("is required")
            .MaximumLength(500).WithMessage("must be at most 500 characters");
    }
}

internal sealed class ReserveStockRequestValidator : AbstractValidator<ReserveStockRequest>
{
    public ReserveStockRequestValidator()
    {
        this.RequireOneOf("sku_id", r => r.SkuId, "sku_code", r => r.SkuCode);
        RuleFor(r => r.Quantity).ValidQuantity();
        RuleFor(r => r.Reference).MaximumLength(255).WithMessage("must be at most 255 characters");
    }
}

internal sealed class ReleaseStockRequestValidator : AbstractValidator<ReleaseStockRequest>
{
    public ReleaseStockRequestValidator()
    {
        When(r => r.ReservationId is not null, () =>
        {
            RuleFor(r => r.ReservationId).NotEmpty().WithMessage("must not be empty");
            foreach (var (name, value) in new (string, Func<ReleaseStockRequest, object?>)[]
                     {
                         ("sku_id", r => r.SkuId), ("sku_code", r => r.SkuCode), ("location_id", r => r.LocationId), ("quantity", r => r.Quantity),
                     })
            {
                RuleFor(r => value(r)).Null().WithMessage("must not be given with reservation_id").OverridePropertyName(name);
            }
        }).Otherwise(() =>
        {
            RuleFor(r => r.SkuId)
                .Must((r, _) => r.SkuId is not null || r.SkuCode is not null).WithMessage("reservation_id, or sku_id or sku_code with quantity, is required")
                .Must((r, _) => r.SkuId is null || r.SkuCode is null).WithMessage("give sku_id or sku_code, not both");
            RuleFor(r => r.Quantity).ValidQuantity();
        });
    }
}
