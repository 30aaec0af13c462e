using Microsoft.OpenApi;

namespace OrderCore.Api.Platform.OpenApi;

/// <summary>
/// Puts an example on every request body and every answer of the document, so that tools and generated
/// clients show realistic payloads. Most are built from the schema itself (which keeps them valid against it,
/// and covers new routes without an edit here), with values chosen by property name; the first-order flow,
/// catalog, inventory, webhook and admin requests use the values of the README.
/// </summary>
internal static class OpenApiExamples
{
    private const string Suffix = "01936f0e7b2c7d4e9a1b2c3d4e5f6a7b";
    private const string Timestamp = "2026-02-09T12:34:56Z";
    private const int MaxDepth = 8;

    /// <summary>Request bodies as the README sends them, by operation id.</summary>
    private static readonly Dictionary<string, string> Requests = new(StringComparer.Ordinal)
    {
        ["CreateOrder"] = $$"""{"customer_id":"cust_{{Suffix}}","items":[{"sku_id":"sku_{{Suffix}}","quantity":1}]}""",
        ["PreviewOrder"] = """{"items":[{"sku_code":"MUG-RED","quantity":2}]}""",
        ["CancelOrder"] = """{"reason":"customer changed their mind"}""",
        ["PutProduct"] = """{"name":"Classic mug","skus":[{"sku_code":"MUG-RED"},{"sku_code":"MUG-BLUE"}]}""",
        ["CreateProduct"] = """{"id":"mug-classic","name":"Classic mug","skus":[{"sku_code":"MUG-RED"},{"sku_code":"MUG-BLUE"}]}""",
        ["CreateSku"] = """{"sku_code":"MUG-GREEN","name":"Classic mug, green"}""",
        ["AdjustInventory"] = """{"sku_code":"MUG-RED","delta":25,"reason":"delivery 4711"}""",
        ["ReserveInventory"] = """{"sku_code":"MUG-RED","quantity":2}""",
        ["CreatePrice"] = """{"sku_code":"MUG-RED","price_list_code":"DEMO-USD","unit_amount":12.50}""",
        ["CreatePriceList"] = """{"code":"WHOLESALE-USD","name":"Wholesale","currency":"USD"}""",
        ["ImportCatalogCsv"] = """
            {"currency":"USD","price_list_code":"IMPORT","location_code":"IMPORT-WH","location_name":"Import Warehouse",
             "csv":"product_name,sku_code,unit_price,quantity_on_hand\nStarter Pack,STARTER-1,49.00,10"}
            """,
        ["CreateWebhookEndpoint"] = """{"url":"http://127.0.0.1:4242/webhooks","events":["order.*"],"description":"local receiver"}""",
        ["SendWebhookSmokeTest"] = """{"mode":"standard"}""",
        ["CreateApiKey"] = """{"name":"support tool","scopes":["orders:read","catalog:read"],"ttl_days":90,"rate_limit_per_minute":120}""",
        ["RollApiKey"] = """{"grace_hours":24}""",
        ["AdminCreateTenant"] = """{"name":"Acme","rate_limit_per_minute":1000}""",
    };

    /// <summary>String values by property name; ids by the prefix of their type.</summary>
    private static readonly Dictionary<string, string> Strings = new(StringComparer.Ordinal)
    {
        ["currency"] = "USD",
        ["email"] = "buyer@example.com",
        ["url"] = "http://127.0.0.1:4242/webhooks",
        ["sku_code"] = "MUG-RED",
        ["order_number"] = "OC-000001",
        ["name"] = "Classic mug",
        ["product_name"] = "Classic mug",
        ["sku_name"] = "Classic mug, red",
        ["idempotency_key"] = "first-order-001",
        ["merchant_reference_id"] = "lead-123",
        ["price_list_code"] = "DEMO-USD",
        ["location_code"] = "MAIN",
        ["code"] = "MAIN",
        ["reason"] = "delivery 4711",
        ["secret"] = "whsec_c2VjcmV0LXNob3duLW9ubHktb25jZS0zMi1ieXRlcyE=",
        ["key"] = "oc_live_1EJRK1GndLKXuQ-Z_RDlfRGwIjGGQ9WymMnHLW67eEU",
        ["prefix"] = "oc_live_1EJR",
        ["version"] = "0.1.0",
        ["api_version"] = "v1",
        ["event_type"] = "order.created",
        ["type"] = "order.created",
        ["scope"] = "orders:write",
        ["status"] = "ok",
        ["database"] = "ok",
        ["channel"] = "api",
        ["source_platform"] = "shopify",
        ["provider"] = "stripe",
        ["reference"] = "pi_3PqR7x2eZvKYlo2C0",
        ["mode"] = "standard",
        ["csv"] = "product_name,sku_code,unit_price,quantity_on_hand\nStarter Pack,STARTER-1,49.00,10",
    };

    private static readonly (string Stem, string Prefix)[] IdPrefixes =
    [
        ("order_line", Ids.OrderLine), ("line", Ids.OrderLine), ("order", Ids.Order), ("product", Ids.Product), ("sku", Ids.Sku),
        ("customer", Ids.Customer), ("location", Ids.Location), ("price_list", Ids.PriceList), ("price", Ids.Price),
        ("reservation", Ids.Reservation), ("movement", Ids.Movement), ("event", Ids.Event), ("subject", Ids.Order),
        ("request", Ids.Request), ("endpoint", Ids.WebhookEndpoint), ("webhook_endpoint", Ids.WebhookEndpoint),
        ("delivery", Ids.WebhookDelivery), ("webhook_delivery", Ids.WebhookDelivery), ("api_key", Ids.ApiKey), ("key", Ids.ApiKey),
        ("tenant", Ids.Tenant),
    ];

    /// <summary>Which id a schema's own <c>id</c> has, by the schema's name (longest match first).</summary>
    private static readonly (string SchemaPart, string Prefix)[] SchemaIds =
    [
        ("OrderLine", Ids.OrderLine), ("OrderPreview", Ids.Order), ("Order", Ids.Order), ("Product", Ids.Product), ("Sku", Ids.Sku),
        ("Customer", Ids.Customer), ("Location", Ids.Location), ("PriceList", Ids.PriceList), ("Price", Ids.Price),
        ("Reservation", Ids.Reservation), ("Movement", Ids.Movement), ("Event", Ids.Event), ("WebhookEndpoint", Ids.WebhookEndpoint),
        ("Delivery", Ids.WebhookDelivery), ("ApiKey", Ids.ApiKey), ("Tenant", Ids.Tenant),
    ];

    public static void Apply(OpenApiDocument document)
    {
        foreach (var operation in (document.Paths ?? []).Values.SelectMany(p => p.Operations ?? []).Select(o => o.Value))
        {
            foreach (var (mediaType, media) in operation.RequestBody?.Content ?? new Dictionary<string, OpenApiMediaType>())
            {
                if (!mediaType.Contains("json", StringComparison.Ordinal))
                {
                    // A text body (CSV) is a string, whatever type the endpoint binds its JSON form to.
                    media.Schema = new OpenApiSchema { Type = JsonSchemaType.String };
                    media.Example ??= JsonValue.Create(Strings["csv"]);
                    continue;
                }

                media.Example ??= operation.OperationId is { } id && Requests.TryGetValue(id, out var known)
                    ? JsonNode.Parse(known)
                    : Build(document, media.Schema, null, true, 0);
            }

            foreach (var (status, response) in operation.Responses ?? [])
            {
                foreach (var (mediaType, media) in response.Content ?? new Dictionary<string, OpenApiMediaType>())
                {
                    media.Example ??= mediaType == ProblemWriter.ContentType && int.TryParse(status, CultureInfo.InvariantCulture, out var code)
                        ? Problem(code)
                        : Build(document, media.Schema, null, false, 0);
                }
            }
        }
    }

    /// <summary>An error body of the one error shape for a status, with the code the API answers most often with it.</summary>
    private static JsonNode Problem(int status)
    {
        var error = status switch
        {
            400 => ApiError.Validation("items[0].quantity", "must be greater than 0"),
            404 => ApiError.NotFound("No order order_" + Suffix + " in this tenant"),
            409 => ApiError.Conflict("insufficient_stock", "Only 2 of SKU MUG-RED are available"),
            422 => new ApiError(status, "idempotency_key_mismatch", "This Idempotency-Key was used with a different request (method, path or body)"),
            _ => ApiError.ForStatus(status),
        };
        var body = ProblemWriter.ToBody(error with { Extensions = null }, $"{Ids.Request}_{Suffix}");
        return JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(body))!;
    }

    private static JsonNode? Build(OpenApiDocument document, IOpenApiSchema? schema, string? property, bool request, int depth)
    {
        string? schemaName = null;
        if (schema is OpenApiSchemaReference reference)
        {
            schemaName = reference.Reference.Id;
            schema = schemaName is not null && document.Components?.Schemas?.TryGetValue(schemaName, out var target) == true ? target : null;
        }

        if (schema is null || depth > MaxDepth)
        {
            return null;
        }

        if (schema.Enum is { Count: > 0 } values && values.FirstOrDefault(v => v is not null) is { } first)
        {
            return first.DeepClone();
        }

        var alternatives = (schema.OneOf ?? []).Concat(schema.AnyOf ?? []).Concat(schema.AllOf ?? []).ToList();
        if (alternatives.Count > 0 && schema.Properties is not { Count: > 0 })
        {
            var chosen = alternatives.FirstOrDefault(a => a is OpenApiSchemaReference || (a.Type is { } t && t != JsonSchemaType.Null)) ?? alternatives[0];
            return Build(document, chosen, property, request, depth + 1);
        }

        var type = schema.Type ?? (schema.Properties is { Count: > 0 } ? JsonSchemaType.Object : JsonSchemaType.String);
        if (type.HasFlag(JsonSchemaType.Object) || schema.Properties is { Count: > 0 })
        {
            return BuildObject(document, schema, schemaName, request, depth);
        }

        if (type.HasFlag(JsonSchemaType.Array))
        {
            var item = Build(document, schema.Items, Singular(property), request, depth + 1);
            return item is null ? new JsonArray() : new JsonArray(item);
        }

        if (type.HasFlag(JsonSchemaType.Integer))
        {
            return JsonValue.Create(Clamp(schema, IntegerFor(property)));
        }

        if (type.HasFlag(JsonSchemaType.Number))
        {
            return JsonValue.Create((decimal)Clamp(schema, property is "quantity" or "delta" ? 1 : 0) + (property is "quantity" or "delta" ? 0 : 12.50m));
        }

        if (type.HasFlag(JsonSchemaType.Boolean))
        {
            return JsonValue.Create(property is not ("has_more" or "replayed" or "deactivated"));
        }

        if (type.HasFlag(JsonSchemaType.String))
        {
            return JsonValue.Create(StringFor(schema, property));
        }

        return null;
    }

    private static JsonObject BuildObject(OpenApiDocument document, IOpenApiSchema schema, string? schemaName, bool request, int depth)
    {
        var result = new JsonObject();
        var properties = schema.Properties ?? new Dictionary<string, IOpenApiSchema>();
        var required = schema.Required ?? new HashSet<string>();
        // A request shows what it needs (or, with nothing required, its first fields); an answer shows everything.
        var shown = request
            ? properties.Where(p => required.Contains(p.Key)).ToList() is { Count: > 0 } needed ? needed : properties.Take(2).ToList()
            : properties.ToList();
        foreach (var (name, propertySchema) in shown)
        {
            if (request && propertySchema.ReadOnly)
            {
                continue;
            }

            // A generated-looking id only where the id is a string (an upstream platform's may be a number).
            var value = name == "id" && propertySchema.Type?.HasFlag(JsonSchemaType.Integer) != true && SchemaId(schemaName) is { } prefix
                ? JsonValue.Create($"{prefix}_{Suffix}")
                : Build(document, propertySchema, name, request, depth + 1);
            result[name] = value;
        }

        if (properties.Count == 0 && schema.AdditionalProperties is not null && depth < MaxDepth)
        {
            result["source"] = Build(document, schema.AdditionalProperties, "source", request, depth + 1) ?? JsonValue.Create("readme");
        }

        return result;
    }

    private static string? SchemaId(string? schemaName) =>
        schemaName is null ? null : SchemaIds.FirstOrDefault(s => schemaName.Contains(s.SchemaPart, StringComparison.Ordinal)).Prefix;

    private static string StringFor(IOpenApiSchema schema, string? property)
    {
        if (schema.Format is "date-time" || property?.EndsWith("_at", StringComparison.Ordinal) == true
            || property is "created_after" or "created_before" or "valid_from" or "valid_to" or "since")
        {
            return Timestamp;
        }

        if (schema.Format is "date")
        {
            return Timestamp[..10];
        }

        if (schema.Format is "uri")
        {
            return Strings["url"];
        }

        if (property is null)
        {
            return "MUG-RED";
        }

        if (Strings.TryGetValue(property, out var known))
        {
            return known;
        }

        if (property.EndsWith("_id", StringComparison.Ordinal) || property == "id" || property.EndsWith("_ids", StringComparison.Ordinal))
        {
            var stem = property.EndsWith("_ids", StringComparison.Ordinal) ? property[..^4] : property.EndsWith("_id", StringComparison.Ordinal) ? property[..^3] : "";
            var prefix = IdPrefixes.FirstOrDefault(p => p.Stem == stem).Prefix;
            return prefix is null ? $"mug-classic" : $"{prefix}_{Suffix}";
        }

        if (property.EndsWith("code", StringComparison.Ordinal))
        {
            return "MUG-RED";
        }

        return property switch
        {
            "message" or "detail" or "description" or "error" or "last_error" or "title" => "Classic mug, 350 ml",
            _ => property.Replace('_', ' '),
        };
    }

    private static long IntegerFor(string? property) => property switch
    {
        "per_page" => 20,
        "rate_limit_per_minute" or "order_quota" => 1000,
        "status_code" or "last_status_code" => 204,
        "latency_ms" or "duration_ms" => 87,
        "on_hand" => 25,
        "available" => 23,
        "reserved" => 2,
        "delta" => 25,
        "grace_hours" => 24,
        "ttl_days" => 90,
        "window_hours" => 24,
        _ => 1,
    };

    private static long Clamp(IOpenApiSchema schema, long value)
    {
        if (schema.Minimum is { } min && decimal.TryParse(min, NumberStyles.Float, CultureInfo.InvariantCulture, out var low) && value < low)
        {
            value = (long)Math.Ceiling(low);
        }

        if (schema.Maximum is { } max && decimal.TryParse(max, NumberStyles.Float, CultureInfo.InvariantCulture, out var high) && value > high)
        {
            value = (long)Math.Floor(high);
        }

        return value;
    }

    private static string? Singular(string? property) => property switch
    {
        null => null,
        "items" or "lines" => "line",
        "skus" => "sku",
        "scopes" => "scope",
        "events" => "event_type",
        _ when property.EndsWith("_ids", StringComparison.Ordinal) => property[..^1],
        _ when property.EndsWith('s') => property[..^1],
        _ => property,
    };
}
