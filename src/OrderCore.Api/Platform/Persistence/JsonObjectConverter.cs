using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace OrderCore.Api.Platform.Persistence;

public static class JsonObjectMapping
{
    /// <summary>Maps a free-form <see cref="JsonObject"/> (e.g. <c>metadata</c>) to a <c>jsonb</c> column.</summary>
    public static PropertyBuilder<JsonObject?> HasJsonbObject(this PropertyBuilder<JsonObject?> property) =>
        property
            .HasColumnType("jsonb")
            .HasConversion(
                new ValueConverter<JsonObject?, string?>(
                    value => value == null ? null : value.ToJsonString(null),
                    text => text == null ? null : JsonNode.Parse(text, null, default)!.AsObject()),
                new ValueComparer<JsonObject?>(
                    (a, b) => JsonNode.DeepEquals(a, b),
                    value => value == null ? 0 : value.ToJsonString(null).GetHashCode(StringComparison.Ordinal),
                    value => value == null ? null : JsonNode.Parse(value.ToJsonString(null), null, default)!.AsObject()));
}
