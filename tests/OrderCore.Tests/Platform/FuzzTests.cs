using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrderCore.Tests.Features.Checkout;
using OrderCore.Tests.Infrastructure;
using OrderCore.Tests.Infrastructure.Fuzzing;

namespace OrderCore.Tests.Platform;

/// <summary>
/// Property-based fuzzing from the live OpenAPI document (issue 18): every operation gets schema-valid requests and
/// mutated ones (wrong types, missing required fields, extra fields, huge, unicode and NUL strings, raw non-JSON and
/// null bodies; out-of-range, malformed and unknown query parameters; random, other-tenant, NUL and very long path
/// ids; missing and wrong credentials). Every answer must be below 500, have a status the document lists for the
/// operation, and carry a body of the documented media type and schema. The seed is fixed, so a failure names a
/// request that the next run sends again (the operations run four at a time, so answers that depend on another
/// operation's writes may vary; the requests do not). The first request of each operation is the documented example,
/// or the smallest valid body, with the caller's own ids (discovered through the document's list operations). It runs
/// against an instance with payments configured (a fake Stripe), so that no answer is the 503 of an unconfigured feature.
/// </summary>
public sealed class FuzzTests(AppFixture app, StripeCheckoutHost host) : IClassFixture<StripeCheckoutHost>
{
    private const int Seed = 18_2026;
    private const int CasesPerOperation = 24;
    private static readonly string[] Methods = ["get", "post", "put", "patch", "delete"];

    [Fact]
    public async Task Every_operation_answers_what_the_document_promises_for_generated_and_mutated_requests()
    {
        var document = JsonNode.Parse(await host.Client().GetStringAsync("/openapi/v1.json"))!.AsObject();
        var stranger = await app.CreateTenantAsync();
        var strangerIds = await SeedAsync(stranger, document);
        var caller = await CallerAsync(document, stranger.Id);
        var values = new SchemaValues(document, caller.Ids);
        var contract = new ResponseContract(document);
        var operations = (document["paths"] as JsonObject ?? []).SelectMany(path => Methods
                .Where(m => path.Value?[m] is JsonObject)
                .Select(m => (Method: m, Path: path.Key, Operation: path.Value![m]!.AsObject(), Shared: path.Value["parameters"] as JsonArray)))
            .ToList();
        Assert.True(operations.Count > 50, $"the document lists only {operations.Count} operations");

        var failures = new ConcurrentBag<string>();
        var succeeded = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var sent = 0;
        await Parallel.ForEachAsync(operations, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (op, cancellationToken) =>
        {
            // One generator per operation, seeded from the seed and the operation: the same requests on every run.
            var random = new Random(HashCode.Combine(Seed, StableHash(op.Method + " " + op.Path)));
            var fuzz = new RequestFuzzer(values, op.Method, op.Path, op.Operation, op.Shared, caller, strangerIds.Values.ToList());
            for (var i = 0; i < CasesPerOperation; i++)
            {
                var request = fuzz.Case(i, random);
                Interlocked.Increment(ref sent);
                var (status, mediaType, body) = await SendAsync(request, cancellationToken);
                if (status is >= 200 and < 300)
                {
                    succeeded.AddOrUpdate($"{op.Method.ToUpperInvariant()} {op.Path}", 1, (_, n) => n + 1);
                }

                var violation = status >= 500 ? $"status {status}" : null;
                violation ??= contract.Violation(op.Operation, status, mediaType, body);
                if (violation is not null)
                {
                    failures.Add($"{op.Method.ToUpperInvariant()} {op.Path} case {i}: {violation}\n    request: {request}\n    answer: {status} {mediaType} {Cut(body)}");
                }
            }
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} of {sent} requests (seed {Seed}) got answers the OpenAPI document does not describe:\n"
            + string.Join("\n", failures.Order(StringComparer.Ordinal).Take(60)));
        // A fuzzer whose valid requests never get through tests only the front door: most operations must answer a 2xx
        // at least once (the rest need a state or a signature a generator cannot make, e.g. a Shopify webhook).
        var neverSucceeded = operations.Select(o => $"{o.Method.ToUpperInvariant()} {o.Path}").Where(o => !succeeded.ContainsKey(o)).ToList();
        Assert.True(neverSucceeded.Count * 10 <= operations.Count * 3,
            $"{neverSucceeded.Count} of {operations.Count} operations never answered a 2xx: {string.Join(", ", neverSucceeded)}");
    }

    private async Task<FuzzCaller> CallerAsync(JsonObject document, string strangerTenantId)
    {
        var tenant = await app.CreateTenantAsync();
        // Enough requests a minute that the fuzzer's own volume never turns answers into 429s.
        using var admin = app.AdminClient();
        var raised = await admin.SendAsync(HttpMethod.Patch, $"/admin/v1/tenants/{tenant.Id}", new { rate_limit_per_minute = 1_000_000 });
        Assert.Equal(HttpStatusCode.OK, raised.Status);
        var minted = await tenant.Client.PostJsonAsync("/v1/account/checkout-access-tokens", new { });
        Assert.Equal(HttpStatusCode.Created, minted.Status);
        var token = minted.Str("token");
        var ids = await SeedAsync(tenant, document, token);
        // A key of its own to delete and roll: the caller's key must stay valid throughout.
        var spare = await tenant.Client.PostJsonAsync("/v1/account/api-keys", new { name = "fuzz spare", scopes = new[] { "*" } });
        Assert.Equal(HttpStatusCode.Created, spare.Status);
        ids["key"] = spare.Body.GetProperty("id").GetString()!;
        ids["ten"] = strangerTenantId;
        return new FuzzCaller(tenant.ApiKey, app.AdminToken, token, ids);
    }

    /// <summary>
    /// A product with a SKU, a customer, an order, a webhook endpoint and a checkout session; then one id of every kind the
    /// document's list operations show (locations, price lists, prices, events, ...), by id prefix: the ids valid requests name.
    /// </summary>
    private async Task<Dictionary<string, string>> SeedAsync(TestTenant tenant, JsonObject document, string? checkoutToken = null)
    {
        var sku = await tenant.SeedSkuAsync();
        await tenant.SeedCustomerAsync();
        Assert.Equal(HttpStatusCode.Created, (await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)))).Status);
        var endpoint = await tenant.Client.PostJsonAsync("/v1/webhooks/endpoints", new { url = "http://127.0.0.1:9/fuzz", events = new[] { "*" } });
        Assert.Equal(HttpStatusCode.Created, endpoint.Status);
        if (checkoutToken is not null)
        {
            using var buyer = app.Buyer(checkoutToken, host.BaseAddress);
            await buyer.CreateSessionAsync(CheckoutKit.Session(sku.SkuId, 1));
        }

        var ids = new Dictionary<string, string>(StringComparer.Ordinal) { ["sku"] = sku.SkuId, ["prod"] = sku.ProductId };
        using var client = host.Client(tenant.ApiKey);
        foreach (var (path, item) in document["paths"] as JsonObject ?? [])
        {
            if (path.Contains('{', StringComparison.Ordinal) || item?["get"] is null || !path.StartsWith("/v1/", StringComparison.Ordinal))
            {
                continue;
            }

            var list = await client.GetJsonAsync(path);
            if (list.Status != HttpStatusCode.OK || list.Body.ValueKind != JsonValueKind.Object || !list.Body.TryGetProperty("data", out var data)
                || data.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var row in data.EnumerateArray())
            {
                if (row.ValueKind == JsonValueKind.Object && row.TryGetProperty("id", out var id) && id.GetString() is { } text && text.Contains('_'))
                {
                    ids.TryAdd(text[..text.IndexOf('_', StringComparison.Ordinal)], text);
                }
            }
        }

        return ids;
    }

    private async Task<(int Status, string? MediaType, string Body)> SendAsync(FuzzRequest request, CancellationToken cancellationToken)
    {
        using var client = host.Client();
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Url);
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
            message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(request.ContentType ?? "application/json");
        }

        foreach (var (name, value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(message, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
    }

    private static string Cut(string text) => text.Length <= 400 ? text : text[..400] + $"... ({text.Length} characters)";

    private static int StableHash(string text)
    {
        unchecked
        {
            var hash = 17;
            foreach (var c in text)
            {
                hash = (hash * 31) + c;
            }

            return hash;
        }
    }
}

/// <summary>The credentials and own resources the fuzzer calls with.</summary>
public sealed record FuzzCaller(string ApiKey, string AdminToken, string CheckoutToken, IReadOnlyDictionary<string, string> Ids);

/// <summary>One generated request, printed the way a failure report shows it.</summary>
public sealed record FuzzRequest(string Method, string Url, IReadOnlyList<(string Name, string Value)> Headers, byte[]? Body, string? ContentType,
    string Mutation)
{
    public override string ToString()
    {
        var body = Body is null ? "(no body)" : Encoding.UTF8.GetString(Body);
        body = body.Length <= 300 ? body : body[..300] + $"... ({Body!.Length} bytes)";
        var headers = string.Join(" ", Headers.Select(h => $"{h.Name}: {(h.Value.Length > 40 ? h.Value[..12] + "..." : h.Value)}"));
        return $"{Method} {(Url.Length > 200 ? Url[..200] + "..." : Url)} [{Mutation}] {headers} {ContentType} {body}";
    }
}

/// <summary>The requests of one operation: case 0 and 1 valid, 2 without credentials, the rest one or two mutations each.</summary>
internal sealed class RequestFuzzer(SchemaValues values, string method, string path, JsonObject operation, JsonArray? shared, FuzzCaller caller,
    IReadOnlyList<string> strangerIds)
{
    private static readonly string[] Mutations = ["path", "query", "body", "body", "header"];

    private readonly List<JsonObject> _parameters = [.. (shared ?? []).Concat(operation["parameters"] as JsonArray ?? [])
        .Select(p => values.Resolve(p) as JsonObject).OfType<JsonObject>()];

    public FuzzRequest Case(int index, Random random)
    {
        var mutations = index switch
        {
            < 2 => new HashSet<string>(),
            2 => ["anonymous"],
            _ => Enumerable.Range(0, random.Next(1, 3)).Select(_ => Mutations[random.Next(Mutations.Length)]).ToHashSet(),
        };
        var notes = new List<string>();
        var url = new StringBuilder(path);
        foreach (var parameter in _parameters.Where(p => (string?)p["in"] == "path"))
        {
            var name = (string)parameter["name"]!;
            var value = mutations.Contains("path") ? NastyId(random, notes) : OwnId(name, random);
            url.Replace("{" + name + "}", value);
        }

        var query = new List<string>();
        foreach (var parameter in _parameters.Where(p => (string?)p["in"] == "query"))
        {
            if (index == 0 ? parameter["required"]?.GetValue<bool>() == true : random.Next(2) == 0)
            {
                query.Add($"{parameter["name"]}={Uri.EscapeDataString(ScalarText(values.Valid(parameter["schema"], random, (string)parameter["name"]!)))}");
            }
        }

        if (mutations.Contains("query"))
        {
            query.Add(NastyQuery(random, notes));
        }

        if (query.Count > 0)
        {
            url.Append('?').Append(string.Join('&', query));
        }

        var headers = Credentials(mutations, random, notes);
        foreach (var parameter in _parameters.Where(p => (string?)p["in"] == "header" && random.Next(2) == 0))
        {
            headers.Add(((string)parameter["name"]!, $"fuzz-{random.Next()}"));
        }

        var (body, contentType) = Body(mutations.Contains("body"), minimal: index == 0, random, notes);
        return new FuzzRequest(method.ToUpperInvariant(), url.ToString(), headers, body, contentType, notes.Count == 0 ? "valid" : string.Join(", ", notes));
    }

    private List<(string Name, string Value)> Credentials(HashSet<string> mutations, Random random, List<string> notes)
    {
        var schemes = (operation["security"] as JsonArray ?? []).SelectMany(r => (r as JsonObject ?? []).Select(s => s.Key)).ToHashSet();
        if (schemes.Count == 0)
        {
            return [];
        }

        if (mutations.Contains("anonymous"))
        {
            notes.Add("no credentials");
            return [];
        }

        var wrong = mutations.Contains("header") && random.Next(2) == 0;
        // A reused key (the same for every operation) answers the first request again, or 422 for another request.
        var idempotencyKey = random.Next(2) == 0 ? new string('k', 300) : "fuzz-reused-key";
        if (mutations.Contains("header"))
        {
            notes.Add(wrong ? "wrong credentials" : idempotencyKey.Length > 100 ? "long Idempotency-Key" : "reused Idempotency-Key");
        }

        var token = schemes.Contains("AdminToken") ? caller.AdminToken : schemes.Contains("CheckoutToken") ? caller.CheckoutToken : caller.ApiKey;
        if (wrong)
        {
            token = random.Next(2) == 0 ? token[..^3] + "zzz" : "not-a-token";
        }

        List<(string, string)> headers = [("Authorization", $"Bearer {token}")];
        if (mutations.Contains("header") && !wrong)
        {
            headers.Add(("Idempotency-Key", idempotencyKey));
        }

        return headers;
    }

    private (byte[]? Body, string? ContentType) Body(bool mutate, bool minimal, Random random, List<string> notes)
    {
        if (operation["requestBody"]?["content"] is not JsonObject { Count: > 0 } content)
        {
            if (!mutate)
            {
                return (null, null);
            }

            notes.Add("a body on a body-less action");
            return (Encoding.UTF8.GetBytes(random.Next(2) == 0 ? "null" : "{\"unexpected\":1}"), "application/json");
        }

        var (mediaType, media) = content.First();
        if (!mediaType.Contains("json", StringComparison.Ordinal))
        {
            notes.Add(mutate ? "nasty text" : "text");
            return (Encoding.UTF8.GetBytes(mutate ? SchemaValues.Nasty(random) : "sku_code,name,price\nFUZZ-1,Fuzz,9.99\n"), mediaType);
        }

        // The first request sends the document's own example, when it has one, with the caller's ids in it.
        var example = media!["example"] ?? (media["examples"] as JsonObject)?.FirstOrDefault().Value?["value"];
        var valid = minimal && example is not null ? values.WithOwnIds(example) : values.Valid(media["schema"], random, minimal: minimal);
        if (!mutate)
        {
            return (Encoding.UTF8.GetBytes(valid?.ToJsonString() ?? "null"), mediaType);
        }

        var (properties, required) = values.Shape(media["schema"]);
        var kind = random.Next(9);
        switch (kind)
        {
            case 0 when valid is JsonObject o && o.Count > 0:
                var victim = o.ElementAt(random.Next(o.Count)).Key;
                o[victim] = SchemaValues.WrongType(o[victim], random);
                notes.Add($"wrong type for {victim}");
                break;
            case 1 when valid is JsonObject o && required.Count > 0:
                var missing = required.ElementAt(random.Next(required.Count));
                o.Remove(missing);
                notes.Add($"missing required {missing}");
                break;
            case 2 when valid is JsonObject o:
                o["fuzz_extra_field"] = new JsonObject { ["x"] = 1 };
                notes.Add("extra field");
                break;
            case 3 or 4 when valid is JsonObject o && properties.Count > 0:
                var field = properties.Keys.ElementAt(random.Next(properties.Count));
                o[field] = SchemaValues.Nasty(random);
                notes.Add($"nasty string in {field}");
                break;
            default:
                string[] raw = ["null", "", "[]", "{", "\"text\"", "{\"a\":\"\\ud800\"}", "\u00ff\u00fe", "{\"a\":1,\"a\":2}", "123"];
                var pick = raw[random.Next(raw.Length)];
                notes.Add($"raw body {JsonSerializer.Serialize(pick)}");
                var bytes = pick == "\u00ff\u00fe" ? [0xff, 0xfe, 0x7b] : Encoding.UTF8.GetBytes(pick);
                return (bytes, random.Next(6) == 0 ? "text/plain" : mediaType);
        }

        return (Encoding.UTF8.GetBytes(valid?.ToJsonString() ?? "null"), mediaType);
    }

    private string OwnId(string name, Random random)
    {
        var segments = path.Split('/');
        var at = Array.IndexOf(segments, "{" + name + "}");
        var collection = at > 0 ? segments[at - 1] : "";
        var prefix = collection switch
        {
            "products" => "prod",
            "skus" => "sku",
            "customers" => "cust",
            "orders" => "order",
            "locations" => "loc",
            "price-lists" => "pl",
            "prices" => "price",
            "reservations" => "res",
            "events" => "evt",
            "endpoints" => "we",
            "deliveries" => "dlv",
            "sessions" => "cs",
            "api-keys" => "key",
            "tenants" => "ten",
            "stores" => "shst",
            "webhook-events" => "shev",
            _ => null,
        };
        var ids = caller.Ids;
        return prefix is not null && ids.TryGetValue(prefix, out var id) ? id : "unknown_" + random.Next(1000);
    }

    private string NastyId(Random random, List<string> notes)
    {
        (string Note, string Value)[] choices =
        [
            ("other tenant's id", strangerIds[random.Next(strangerIds.Count)]),
            ("random id", "order_" + Guid.CreateVersion7().ToString("N")),
            ("%00 id", "%00"),
            ("NUL inside id", "abc%00def"),
            ("very long id", new string('a', 3000)),
            ("unicode id", Uri.EscapeDataString("ünï😀")),
            ("id breaking the pattern", "a%20b%3Cc%3E"),
        ];
        var (note, value) = choices[random.Next(choices.Length)];
        notes.Add(note);
        return value;
    }

    private static string NastyQuery(Random random, List<string> notes)
    {
        string[] choices =
        [
            "page=99999999", "page=0", "page=-5", "page=abc", "per_page=1000000", "per_page=-1", "per_page=x", "page=2147483648",
            "fuzz_unknown=1", "status=bogus", "starting_after=%00", "page=%00", "limit=" + new string('9', 400),
        ];
        var pick = choices[random.Next(choices.Length)];
        notes.Add($"query {pick[..Math.Min(pick.Length, 30)]}");
        return pick;
    }

    private static string ScalarText(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonArray a => string.Join(",", a.Select(ScalarText)),
        _ => node.ToJsonString(),
    };
}
