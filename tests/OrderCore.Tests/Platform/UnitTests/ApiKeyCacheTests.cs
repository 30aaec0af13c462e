using OrderCore.Api.Platform.Auth;

namespace OrderCore.Tests.Platform.UnitTests;

public sealed class ApiKeyCacheTests
{
    private static readonly byte[] Hash = [1, 2, 3];
    private static readonly ApiKeyMatch Match = new("key_1", "ten_1", "Tenant", TenantStatus.Active, ["*"], null, false, 1000);

    [Fact]
    public void Nothing_is_cached_while_notifications_are_not_listened_to()
    {
        var cache = new ApiKeyCache(TimeProvider.System);

        cache.Store(Hash, Match, cache.Generation);

        Assert.False(cache.TryGet(Hash, out _));
    }

    [Fact]
    public void A_stored_key_is_answered_until_a_notification_empties_the_cache()
    {
        var cache = new ApiKeyCache(TimeProvider.System);
        cache.OnListeningChanged(true);

        cache.Store(Hash, Match, cache.Generation);
        Assert.True(cache.TryGet(Hash, out var found));
        Assert.Equal(Match, found);

        cache.OnNotification("");
        Assert.False(cache.TryGet(Hash, out _));
    }

    [Fact]
    public void A_lookup_that_raced_an_invalidation_is_not_stored()
    {
        var cache = new ApiKeyCache(TimeProvider.System);
        cache.OnListeningChanged(true);
        var before = cache.Generation;

        cache.OnNotification("");
        cache.Store(Hash, Match, before);

        Assert.False(cache.TryGet(Hash, out _));
    }

    [Fact]
    public void Losing_the_listen_connection_empties_the_cache_and_stops_caching()
    {
        var cache = new ApiKeyCache(TimeProvider.System);
        cache.OnListeningChanged(true);
        cache.Store(Hash, Match, cache.Generation);

        cache.OnListeningChanged(false);

        Assert.False(cache.TryGet(Hash, out _));
        cache.Store(Hash, Match, cache.Generation);
        Assert.False(cache.TryGet(Hash, out _));
    }
}
