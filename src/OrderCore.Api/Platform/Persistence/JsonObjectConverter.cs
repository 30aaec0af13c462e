using System.Text.Json.Serialization.Metadata;
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

    /// <summary>
    /// Maps a typed value (e.g. an order's lines) to a <c>jsonb</c> column, read and written with System.Text.Json's generated
    /// <paramref name="typeInfo"/>; two values are equal when their JSON is. Preferred to an EF Core JSON-owned collection for
    /// values read in bulk: its materialiser builds delegates for every row (dotnet/efcore#35210), about a fifth of the API's
    /// time on a page of orders. The column's keys are the property names, as an owned collection writes them.
    /// </summary>
    public static PropertyBuilder<T> HasJsonValue<T>(this PropertyBuilder<T> property, JsonTypeInfo<T> typeInfo) where T : class =>
        property
            .HasColumnType("jsonb")
            .HasConversion(
                new ValueConverter<T, string>(
                    value => JsonSerializer.Serialize(value, typeInfo),
                    json => JsonSerializer.Deserialize(json, typeInfo)!),
                new ValueComparer<T>(
                    (a, b) => ReferenceEquals(a, b) || (a != null && b != null && JsonSerializer.Serialize(a, typeInfo) == JsonSerializer.Serialize(b, typeInfo)),
                    value => JsonSerializer.Serialize(value, typeInfo).GetHashCode(StringComparison.Ordinal),
                    value => JsonSerializer.Deserialize(JsonSerializer.Serialize(value, typeInfo), typeInfo)!));
}
