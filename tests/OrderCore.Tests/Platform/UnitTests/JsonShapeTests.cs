using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using OrderCore.Api.Features.Orders;
using OrderCore.Api.Platform.Json;

namespace OrderCore.Tests.Platform.UnitTests;

/// <summary><see cref="JsonShape.Check"/> with the app's JSON options: unknown fields and wrong types, named by wire path.</summary>
public sealed class JsonShapeTests
{
    private static readonly JsonSerializerOptions Options = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions();
        JsonDefaults.Configure(options);
        options.TypeInfoResolver = new DefaultJsonTypeInfoResolver();
        return options;
    }

    private static Dictionary<string, string[]> Check<T>(string json)
    {
        using var document = JsonDocument.Parse(json);
        return JsonShape.Check(document.RootElement, typeof(T), Options);
    }

    [Theory]
    [InlineData("""{"items":[{"sku_id":"sku_1","quantity":1}]}""")]
    [InlineData("""{"customer_id":"cust_1","items":[{"sku_code":"A","quantity":2},{"sku_id":"sku_2","quantity":3}],"currency":"USD","merchant_reference_id":"r-1","metadata":{"a":{"b":[1,"x",null]}},"idempotency_key":"k1"}""")]
    [InlineData("""{"items":[]}""")]
    [InlineData("""{}""")]
    [InlineData("""{"items":null,"customer_id":null,"metadata":null}""")]
    [InlineData("""{"items":[{"sku_id":"sku_1","quantity":null}]}""")]
    public void A_well_shaped_order_has_no_shape_errors(string json) => Assert.Empty(Check<PlaceOrderRequest>(json));

    public static TheoryData<string, string, string> WrongShapes => new()
    {
        { """{"items":[{"sku_id":"sku_1","quantity":1}],"colour":"red"}""", "colour", "is not a recognised field" },
        { """{"items":[{"sku_id":"sku_1","quantity":1,"colour":"red"}]}""", "items[0].colour", "is not a recognised field" },
        { """{"Items":[{"sku_id":"sku_1","quantity":1}]}""", "Items", "is not a recognised field" },
        { """{"items":[{"skuId":"sku_1","quantity":1}]}""", "items[0].skuId", "is not a recognised field" },
        { """{"items":[{"sku_id":"sku_1","quantity":1},{"sku_id":"sku_2","quantity":"two"}]}""", "items[1].quantity", "must be an integer" },
        { """{"items":[{"sku_id":"sku_1","quantity":1.5}]}""", "items[0].quantity", "must be an integer" },
        { """{"items":[{"sku_id":"sku_1","quantity":"1"}]}""", "items[0].quantity", "must be an integer" },
        { """{"items":[{"sku_id":"sku_1","quantity":99999999999}]}""", "items[0].quantity", "must be an integer" },
        { """{"items":[{"sku_id":"sku_1","quantity":true}]}""", "items[0].quantity", "must be an integer" },
        { """{"items":[{"sku_id":5,"quantity":1}]}""", "items[0].sku_id", "must be a string" },
        { """{"items":"sku_1"}""", "items", "must be an array" },
        { """{"items":{"sku_id":"sku_1"}}""", "items", "must be an array" },
        { """{"items":[7]}""", "items[0]", "must be an object" },
        { """{"items":[],"customer_id":12}""", "customer_id", "must be a string" },
        { """{"items":[],"metadata":"x"}""", "metadata", "must be an object" },
        { """{"items":[],"metadata":[1]}""", "metadata", "must be an object" },
        { """{"items":[],"idempotency_key":5}""", "idempotency_key", "must be a string" },
        { """{"items":[{"sku_id":"sku_1","quantity":1,"idempotency_key":"k"}]}""", "items[0].idempotency_key", "is not a recognised field" },
        { """[]""", "$", "must be an object" },
        { """ "text" """, "$", "must be an object" },
    };

    [Theory]
    [MemberData(nameof(WrongShapes))]
    public void A_wrong_shape_is_named_by_its_wire_path(string json, string path, string problem)
    {
        var errors = Check<PlaceOrderRequest>(json);

        var only = Assert.Single(errors);
        Assert.Equal(path, only.Key);
        Assert.Equal(new[] { problem }, only.Value);
    }

    [Fact]
    public void Every_problem_is_named_at_once()
    {
        var errors = Check<PlaceOrderRequest>("""
            {"items":[{"sku_id":"sku_1","quantity":"two"},{"sku_id":"sku_2","quantity":1},{"sku_id":false,"quantity":1,"extra":1}],
             "currency":3,"shipping":"express","metadata":"x"}
            """);

        Assert.Equal(
            new[] { "currency", "items[0].quantity", "items[2].extra", "items[2].sku_id", "metadata", "shipping" },
            errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Idempotency_key_is_accepted_at_the_root_of_any_body_but_nowhere_else()
    {
        using var atRoot = JsonDocument.Parse("""{"sku_id":"sku_1","quantity":1,"idempotency_key":"k"}""");
        using var nested = JsonDocument.Parse("""{"items":[{"sku_id":"sku_1","quantity":1}],"metadata":{"idempotency_key":"k"}}""");
        using var emptyBody = JsonDocument.Parse("""{"idempotency_key":"k"}""");
        using var emptyBodyWithMore = JsonDocument.Parse("""{"idempotency_key":"k","name":"x"}""");
        using var notAString = JsonDocument.Parse("""{"sku_id":"sku_1","quantity":1,"idempotency_key":7}""");

        // OrderItemRequest has no idempotency_key member: the root exception still applies to it
        Assert.Empty(JsonShape.Check(atRoot.RootElement, typeof(OrderItemRequest), Options));
        // metadata is free-form: a key named idempotency_key inside it is data, not a field
        Assert.Empty(JsonShape.Check(nested.RootElement, typeof(PlaceOrderRequest), Options));
        // endpoints without a body type accept only the key
        Assert.Empty(JsonShape.Check(emptyBody.RootElement, null, Options));
        Assert.Equal(new[] { "name" }, JsonShape.Check(emptyBodyWithMore.RootElement, null, Options).Keys);
        Assert.Equal(new[] { "idempotency_key" }, JsonShape.Check(notAString.RootElement, typeof(OrderItemRequest), Options).Keys);
    }

    /// <summary>A shape with non-nullable value types, nested objects, lists and dictionaries.</summary>
    public sealed record Probe(int Count, bool Flag, DateTimeOffset At, List<ProbeLine> Lines, Dictionary<string, int> Tags, ProbeKind Kind, decimal? Amount);

    public sealed record ProbeLine(int Quantity, string? Note);

    public enum ProbeKind
    {
        First,
        SecondKind,
    }

    [Theory]
    [InlineData("""{"count":null}""", "count", "must not be null")]
    [InlineData("""{"flag":null}""", "flag", "must not be null")]
    [InlineData("""{"lines":[{"quantity":null}]}""", "lines[0].quantity", "must not be null")]
    [InlineData("""{"tags":{"a":null}}""", "tags.a", "must not be null")]
    [InlineData("""{"count":"3"}""", "count", "must be an integer")]
    [InlineData("""{"flag":"yes"}""", "flag", "must be true or false")]
    [InlineData("""{"at":"2026-02-09 12:34:56"}""", "at", "must be an ISO 8601 timestamp with a time zone")]
    [InlineData("""{"tags":{"a":1,"b":"two"}}""", "tags.b", "must be an integer")]
    [InlineData("""{"tags":[1]}""", "tags", "must be an object")]
    [InlineData("""{"kind":"third"}""", "kind", "must be one of: first, second_kind")]
    [InlineData("""{"kind":1}""", "kind", "must be one of: first, second_kind")]
    [InlineData("""{"amount":"1.5"}""", "amount", "must be a number")]
    [InlineData("""{"lines":[{"quantity":1},{"quantity":2,"note":3}]}""", "lines[1].note", "must be a string")]
    public void Wrong_values_for_value_types_are_named(string json, string path, string problem)
    {
        var errors = Check<Probe>(json);

        var only = Assert.Single(errors);
        Assert.Equal(path, only.Key);
        Assert.Equal(new[] { problem }, only.Value);
    }

    [Fact]
    public void Nullable_value_types_accept_null_and_good_values_pass()
    {
        Assert.Empty(Check<Probe>("""
            {"count":1,"flag":true,"at":"2026-02-09T12:34:56Z","lines":[{"quantity":2,"note":null}],"tags":{"a":1},"kind":"second_kind","amount":null}
            """));
        Assert.Empty(Check<Probe>("""{"amount":12.5,"at":"2026-02-09T12:34:56+02:00"}"""));
    }
}
