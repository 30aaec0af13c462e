using OrderCore.Api.Features.Pricing;

namespace OrderCore.Tests.Platform.UnitTests;

/// <summary>The price rule of <see cref="PriceResolver.Resolve"/>, one scenario per row.</summary>
public sealed class PriceResolverTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private const string Alice = "cust_alice";
    private const string Bob = "cust_bob";

    /// <summary>One row of the table: the candidates, the request, and the price id that must win (null: none applies).</summary>
    private sealed record Scenario(PriceCandidate[] Candidates, string? CustomerId, int Quantity, string? Winner, string Currency = "USD");

    private static PriceList List(string id, int priority = 0, string? customerId = null, string currency = "USD", bool active = true,
        DateTimeOffset? validFrom = null, DateTimeOffset? validTo = null) => new()
    {
        Id = id, Code = id, Name = id, Currency = currency, Priority = priority, CustomerId = customerId, Active = active,
        ValidFrom = validFrom, ValidTo = validTo,
    };

    private static PriceCandidate Price(string id, PriceList list, decimal amount = 10m, int minQuantity = 1, string? currency = null,
        bool active = true, DateTimeOffset? validFrom = null, DateTimeOffset? validTo = null) => new(new Price
        {
            Id = id, SkuId = "sku_1", PriceListId = list.Id, Currency = currency ?? list.Currency, UnitAmount = amount, MinQuantity = minQuantity,
            Active = active, ValidFrom = validFrom, ValidTo = validTo,
        }, list);

    private static readonly PriceList General = List("pl_general");
    private static readonly Dictionary<string, Scenario> Scenarios = new(StringComparer.Ordinal)
    {
        ["no candidates"] = new([], null, 1, null),
        ["a plain general price applies"] = new([Price("price_1", General)], null, 1, "price_1"),
        ["currency mismatch"] = new([Price("price_1", List("pl_eur", currency: "EUR"))], null, 1, null),
        ["price currency differs from its list"] = new([Price("price_1", General, currency: "EUR")], null, 1, null),
        ["the requested currency is chosen among several"] = new(
            [Price("price_eur", List("pl_eur", currency: "EUR")), Price("price_usd", General)], null, 1, "price_usd"),
        ["inactive price"] = new([Price("price_1", General, active: false)], null, 1, null),
        ["inactive list"] = new([Price("price_1", List("pl_off", active: false))], null, 1, null),
        ["inactive price is skipped for an active one"] = new(
            [Price("price_2", General, amount: 1m, active: false), Price("price_1", General)], null, 1, "price_1"),

        ["price valid_from equal to now applies (inclusive)"] = new([Price("price_1", General, validFrom: At)], null, 1, "price_1"),
        ["price valid_from after now does not apply"] = new([Price("price_1", General, validFrom: At.AddTicks(1))], null, 1, null),
        ["price valid_to equal to now does not apply (exclusive)"] = new([Price("price_1", General, validTo: At)], null, 1, null),
        ["price valid_to after now applies"] = new([Price("price_1", General, validTo: At.AddTicks(1))], null, 1, "price_1"),
        ["price window around now applies"] = new(
            [Price("price_1", General, validFrom: At.AddDays(-1), validTo: At.AddDays(1))], null, 1, "price_1"),
        ["price window in the past does not apply"] = new(
            [Price("price_1", General, validFrom: At.AddDays(-2), validTo: At.AddDays(-1))], null, 1, null),
        ["list valid_from equal to now applies (inclusive)"] = new([Price("price_1", List("pl_w", validFrom: At))], null, 1, "price_1"),
        ["list valid_from after now does not apply"] = new([Price("price_1", List("pl_w", validFrom: At.AddTicks(1)))], null, 1, null),
        ["list valid_to equal to now does not apply (exclusive)"] = new([Price("price_1", List("pl_w", validTo: At))], null, 1, null),
        ["list valid_to after now applies"] = new([Price("price_1", List("pl_w", validTo: At.AddTicks(1)))], null, 1, "price_1"),
        ["an expired list loses to a general one even at higher priority"] = new(
            [Price("price_old", List("pl_old", priority: 9, validTo: At.AddSeconds(-1))), Price("price_1", General)], null, 1, "price_1"),

        ["tier below its min_quantity does not apply"] = new([Price("price_1", General, minQuantity: 10)], null, 9, null),
        ["tier at its min_quantity applies"] = new([Price("price_1", General, minQuantity: 10)], null, 10, "price_1"),
        ["tier above its min_quantity applies"] = new([Price("price_1", General, minQuantity: 10)], null, 11, "price_1"),

        ["customer list beats general even at lower priority"] = new(
            [Price("price_general", List("pl_g", priority: 100), amount: 5m), Price("price_alice", List("pl_alice", priority: 0, customerId: Alice), amount: 9m)],
            Alice, 1, "price_alice"),
        ["customer list beats a general list with a better tier"] = new(
            [Price("price_general", General, minQuantity: 5), Price("price_alice", List("pl_alice", customerId: Alice))], Alice, 5, "price_alice"),
        ["a list for another customer never applies"] = new(
            [Price("price_bob", List("pl_bob", priority: 100, customerId: Bob)), Price("price_general", General)], Alice, 1, "price_general"),
        ["a list for another customer alone gives no price"] = new([Price("price_bob", List("pl_bob", customerId: Bob))], Alice, 1, null),
        ["a customer list never applies to an order without customer"] = new(
            [Price("price_bob", List("pl_bob", priority: 100, customerId: Bob)), Price("price_general", General)], null, 1, "price_general"),

        ["higher priority wins"] = new(
            [Price("price_low", List("pl_low", priority: 1)), Price("price_high", List("pl_high", priority: 2)), Price("price_mid", List("pl_mid", priority: -5))],
            null, 1, "price_high"),
        ["higher priority wins even over a better tier"] = new(
            [Price("price_tier", List("pl_low", priority: 1), minQuantity: 10), Price("price_high", List("pl_high", priority: 2))], null, 10, "price_high"),
        ["same priority: highest reached min_quantity wins"] = new(
            [Price("price_t1", General, minQuantity: 1), Price("price_t10", General, minQuantity: 10), Price("price_t50", General, minQuantity: 50)],
            null, 12, "price_t10"),
        ["same priority and tier: newest price id wins"] = new(
            [Price("price_0001", General, amount: 1m), Price("price_0003", General, amount: 3m), Price("price_0002", General, amount: 2m)],
            null, 1, "price_0003"),
        ["newest id only breaks ties: a reached higher tier still wins"] = new(
            [Price("price_0001", General, minQuantity: 5), Price("price_0009", General, minQuantity: 1)], null, 5, "price_0001"),
        ["among customer lists the higher priority wins"] = new(
            [Price("price_a1", List("pl_a1", priority: 1, customerId: Alice)), Price("price_a2", List("pl_a2", priority: 2, customerId: Alice))],
            Alice, 1, "price_a2"),

        ["ties: two customer lists at the same priority, the higher reached tier wins"] = new(
            [Price("price_a9", List("pl_a1", priority: 3, customerId: Alice), minQuantity: 1), Price("price_a1", List("pl_a2", priority: 3, customerId: Alice), minQuantity: 4)],
            Alice, 4, "price_a1"),
        ["ties: two customer lists at the same priority and tier, the newest price wins"] = new(
            [Price("price_0002", List("pl_a1", priority: 3, customerId: Alice), amount: 1m), Price("price_0005", List("pl_a2", priority: 3, customerId: Alice), amount: 9m)],
            Alice, 1, "price_0005"),
        ["ties: general lists at the same priority and tier, the newest price wins across lists"] = new(
            [Price("price_0007", List("pl_x")), Price("price_0008", List("pl_y")), Price("price_0006", List("pl_z"))], null, 1, "price_0008"),
        ["ties: a higher priority beats a newer price"] = new(
            [Price("price_0001", List("pl_high", priority: 1)), Price("price_0009", List("pl_low", priority: 0))], null, 1, "price_0001"),
        ["ties: a customer list beats a newer general price"] = new(
            [Price("price_0001", List("pl_alice", customerId: Alice)), Price("price_0009", General)], Alice, 1, "price_0001"),
        ["ties: a negative priority loses to the default 0"] = new(
            [Price("price_0009", List("pl_neg", priority: -1)), Price("price_0001", General)], null, 1, "price_0001"),
        ["ties: the newest price wins by ordinal id, not by number"] = new(
            [Price("price_0009", General), Price("price_000a", General)], null, 1, "price_000a"),

        ["edges: price valid_from a tick before now applies"] = new([Price("price_1", General, validFrom: At.AddTicks(-1))], null, 1, "price_1"),
        ["edges: price valid_to a tick before now does not apply"] = new([Price("price_1", General, validTo: At.AddTicks(-1))], null, 1, null),
        ["edges: a price window one tick wide starting now applies"] = new(
            [Price("price_1", General, validFrom: At, validTo: At.AddTicks(1))], null, 1, "price_1"),
        ["edges: an empty price window at now never applies"] = new([Price("price_1", General, validFrom: At, validTo: At)], null, 1, null),
        ["edges: list valid_from a tick before now applies"] = new([Price("price_1", List("pl_w", validFrom: At.AddTicks(-1)))], null, 1, "price_1"),
        ["edges: list valid_to a tick before now does not apply"] = new([Price("price_1", List("pl_w", validTo: At.AddTicks(-1)))], null, 1, null),
        ["edges: a valid price in a list not yet valid does not apply"] = new(
            [Price("price_1", List("pl_w", validFrom: At.AddTicks(1)), validFrom: At.AddDays(-1))], null, 1, null),
        ["edges: a price not yet valid in a valid list does not apply"] = new(
            [Price("price_1", List("pl_w", validFrom: At.AddDays(-1), validTo: At.AddDays(1)), validFrom: At.AddTicks(1))], null, 1, null),
        ["edges: a list and price both closing exactly now hand over to the fallback"] = new(
            [Price("price_9", List("pl_ending", priority: 5, validTo: At), validTo: At), Price("price_1", General)], null, 1, "price_1"),
        ["edges: a list and price both opening exactly now win at once"] = new(
            [Price("price_9", List("pl_starting", priority: 5, validFrom: At), validFrom: At), Price("price_1", General)], null, 1, "price_9"),
        ["edges: a customer list that starts later loses to a general list now"] = new(
            [Price("price_alice", List("pl_alice", customerId: Alice, validFrom: At.AddTicks(1))), Price("price_1", General)], Alice, 1, "price_1"),

        ["inapplicable candidates never win however attractive"] = new(
            [
                Price("price_9", List("pl_bob", priority: 99, customerId: Bob), amount: 0m),
                Price("price_8", General, amount: 0m, minQuantity: 100),
                Price("price_7", General, amount: 0m, validFrom: At.AddMinutes(1)),
                Price("price_6", List("pl_jpy", priority: 99, currency: "JPY"), amount: 0m),
                Price("price_1", General, amount: 10m),
            ],
            null, 3, "price_1"),
    };

    public static TheoryData<string> Cases => new(Scenarios.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Resolve_picks_the_expected_price(string scenario)
    {
        var (candidates, customerId, quantity, winner, currency) = Scenarios[scenario];

        var resolved = PriceResolver.Resolve(candidates, currency, customerId, quantity, At);

        if (winner is null)
        {
            Assert.Null(resolved);
        }
        else
        {
            Assert.NotNull(resolved);
            Assert.Equal(winner, resolved.Winner.Price.Id);
            Assert.Equal(candidates.Single(c => c.Price.Id == winner).Price.UnitAmount, resolved.UnitAmount);
            Assert.False(string.IsNullOrWhiteSpace(resolved.Reason));
        }
    }

    /// <summary>The reason names the first criterion that put the winner ahead of the runner-up.</summary>
    public static TheoryData<string, string, int> Reasons => new()
    {
        { "a plain general price applies", "the only price that applies", 1 },
        { "customer list beats general even at lower priority", "a customer-specific list beats a general one", 2 },
        { "higher priority wins", "higher list priority (2 over 1 of pl_low)", 3 },
        { "same priority: highest reached min_quantity wins", "higher tier reached (10 over 1)", 2 },
        { "same priority and tier: newest price id wins", "the newest of prices tied on list kind, priority and tier", 3 },
        { "inapplicable candidates never win however attractive", "the only price that applies", 1 },
    };

    [Theory]
    [MemberData(nameof(Reasons))]
    public void The_reason_says_why_the_winner_won(string scenario, string why, int applicable)
    {
        var (candidates, customerId, quantity, winner, currency) = Scenarios[scenario];

        var resolved = PriceResolver.Resolve(candidates, currency, customerId, quantity, At)!;

        Assert.Equal(winner, resolved.Winner.Price.Id);
        Assert.EndsWith(why, resolved.Reason, StringComparison.Ordinal);
        Assert.Contains(resolved.Winner.List.Code, resolved.Reason, StringComparison.Ordinal);
        Assert.Equal(applicable, resolved.Applicable);
    }

    [Fact]
    public void The_order_of_the_candidates_does_not_matter()
    {
        var candidates = Scenarios["inapplicable candidates never win however attractive"].Candidates
            .Concat(Scenarios["same priority and tier: newest price id wins"].Candidates).ToArray();
        var expected = PriceResolver.Resolve(candidates, "USD", null, 3, At)!.Winner.Price.Id;

        foreach (var permutation in new[] { Enumerable.Reverse(candidates).ToArray(), candidates.OrderBy(c => c.Price.Id, StringComparer.Ordinal).ToArray() })
        {
            Assert.Equal(expected, PriceResolver.Resolve(permutation, "USD", null, 3, At)!.Winner.Price.Id);
        }

        // price_1 and price_000x tie on list, priority and tier: the greatest id is the newest
        Assert.Equal("price_1", expected);
    }
}
