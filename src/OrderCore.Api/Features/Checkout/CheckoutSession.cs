using System.Text.Json.Serialization;
using OrderCore.Api.Features.Orders;

namespace OrderCore.Api.Features.Checkout;

/// <summary>UCP checkout statuses. <c>canceled</c> also covers an expired session.</summary>
internal enum CheckoutStatus
{
    Incomplete,
    ReadyForComplete,
    CompleteInProgress,
    Completed,
    Canceled,
}

/// <summary>
/// A buyer's checkout: lines priced by the price resolver, stock held while <c>ready_for_complete</c>, and
/// after payment the one order it became. Created by a checkout access token (public routes) or an API key.
/// </summary>
internal sealed class CheckoutSession : TenantResource
{
    public CheckoutStatus Status { get; set; } = CheckoutStatus.Incomplete;

    /// <summary>The token that created it (public routes), which alone may see it there; null when an API key created it.</summary>
    public string? AccessTokenId { get; init; }
    public required string Currency { get; set; }
    public string? MerchantReferenceId { get; set; }
    public string? BuyerEmail { get; set; }
    public string? BuyerFirstName { get; set; }
    public string? BuyerLastName { get; set; }
    public string? BuyerPhoneNumber { get; set; }
    public List<CheckoutLine> Lines { get; set; } = [];
    public decimal Subtotal { get; set; }
    public decimal Total { get; set; }

    /// <summary>The instant the lines were priced; completion prices them again at this instant, so the order gets these prices.</summary>
    public DateTimeOffset PricedAt { get; set; }

    /// <summary>The reservations holding this session's stock (empty unless ready_for_complete); they become the order's.</summary>
    public List<string> ReservationIds { get; set; } = [];
    public string? PaymentIntentId { get; set; }
    public string? PaymentProvider { get; set; }
    public string? PaymentReference { get; set; }
    public string? OrderId { get; set; }
    public string? OrderNumber { get; set; }
    public DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? CompletedAt { get; set; }

    public bool IsOpen => Status is CheckoutStatus.Incomplete or CheckoutStatus.ReadyForComplete;
}

/// <summary>A priced line, stored with the session (as JSON): what the buyer saw is what the order gets.</summary>
internal sealed class CheckoutLine
{
    // These names are the keys of the stored JSON (the lines column): renaming one loses that value in every stored session.
    public required string SkuId { get; set; }
    public required string SkuCode { get; set; }
    public required string Title { get; set; }
    public int Quantity { get; set; }
    public decimal UnitPrice { get; set; }
    public decimal LineTotal { get; set; }
}

/// <summary>The <c>lines</c> column's JSON (<see cref="JsonObjectMapping.HasJsonValue"/>).</summary>
[JsonSerializable(typeof(List<CheckoutLine>))]
internal sealed partial class CheckoutLinesJson : JsonSerializerContext;

/// <summary>
/// A short-lived, browser-safe token for the public checkout routes (<c>cat_...</c>), or a buyer link's (<c>bl_...</c>,
/// whose regeneration replaces hash and expiry); only its hash is stored.
/// </summary>
internal sealed class CheckoutAccessToken : TenantRow
{
    public required byte[] TokenHash { get; set; }

    /// <summary>The API key that minted it: revoking (or expiry of) that key ends the token too.</summary>
    public required string ApiKeyId { get; init; }
    public List<string>? AllowedSkus { get; init; }
    public int? MaxQuantity { get; init; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class CheckoutSessionConfiguration : IEntityTypeConfiguration<CheckoutSession>
{
    public void Configure(EntityTypeBuilder<CheckoutSession> builder)
    {
        builder.ToTenantTable("checkout_sessions");
        builder.Property(s => s.Status).HasConversion<SnakeCaseEnumConverter<CheckoutStatus>>().HasMaxLength(24);
        builder.Property(s => s.Currency).HasMaxLength(3).IsFixedLength();
        builder.Property(s => s.MerchantReferenceId).HasMaxLength(128).UseCollation("C");
        builder.Property(s => s.BuyerEmail).HasMaxLength(320);
        builder.Property(s => s.BuyerFirstName).HasMaxLength(200);
        builder.Property(s => s.BuyerLastName).HasMaxLength(200);
        builder.Property(s => s.BuyerPhoneNumber).HasMaxLength(40);
        builder.Property(s => s.Subtotal).HasPrecision(19, 4);
        builder.Property(s => s.Total).HasPrecision(19, 4);
        builder.Property(s => s.PaymentIntentId).HasMaxLength(255);
        builder.Property(s => s.PaymentProvider).HasMaxLength(64);
        builder.Property(s => s.OrderNumber).HasMaxLength(32);
        builder.Property(s => s.PaymentReference).HasMaxLength(255);
        builder.Property(s => s.Lines).HasJsonValue(CheckoutLinesJson.Default.ListCheckoutLine);
        builder.Ignore(s => s.IsOpen);
        builder.HasIndex(s => new { s.TenantId, s.Status, s.Id });
        builder.HasIndex(s => new { s.TenantId, s.MerchantReferenceId, s.Id });
        // The expiry sweeper's scan, across tenants: only open sessions.
        builder.HasIndex(s => s.ExpiresAt).HasFilter("status IN ('incomplete', 'ready_for_complete')");
        builder.HasOne<CheckoutAccessToken>().WithMany().HasForeignKey(s => new { s.TenantId, s.AccessTokenId }).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Order>().WithMany().HasForeignKey(s => new { s.TenantId, s.OrderId }).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(s => new { s.TenantId, s.OrderId }).IsUnique().HasFilter("order_id IS NOT NULL");
    }
}

internal sealed class CheckoutAccessTokenConfiguration : IEntityTypeConfiguration<CheckoutAccessToken>
{
    public void Configure(EntityTypeBuilder<CheckoutAccessToken> builder)
    {
        builder.ToTenantTable("checkout_access_tokens");
        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.HasOne<ApiKey>().WithMany().HasForeignKey(t => new { t.TenantId, t.ApiKeyId }).OnDelete(DeleteBehavior.Cascade);
    }
}

internal static class CheckoutTables
{
    extension(OrderCoreDbContext db)
    {
        public DbSet<CheckoutSession> CheckoutSessions => db.Set<CheckoutSession>();
        public DbSet<CheckoutAccessToken> CheckoutAccessTokens => db.Set<CheckoutAccessToken>();
    }
}
