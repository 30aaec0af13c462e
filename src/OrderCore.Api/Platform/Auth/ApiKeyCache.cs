using System.Collections.Concurrent;

namespace OrderCore.Api.Platform.Auth;

/// <summary>What authentication needs to know of a key and its tenant, as the database had it.</summary>
public sealed record ApiKeyMatch(
    string KeyId,
    string TenantId,
    string TenantName,
    TenantStatus TenantStatus,
    IReadOnlyList<string> Scopes,
    DateTimeOffset? ExpiresAt,
    bool Revoked,
    int RateLimitPerMinute);

/// <summary>
/// Keys seen recently, by SHA-256 hash, so that a request does not pay a database round trip to
/// authenticate. Correctness rests on invalidation, never on the entries aging out:
/// <list type="bullet">
/// <item>Triggers on <c>api_keys</c> and <c>tenants</c> fire <c>NOTIFY ordercore_auth</c> when a row changes
/// (revocation, expiry, scopes, limits, suspension); every instance empties its cache on it.</item>
/// <item>A request that changes keys or tenants through the API (<see cref="InvalidateEverywhereAsync"/>)
/// sends the notification itself, empties this instance's cache after its commit, and answers only once
/// this instance has received the notification, which PostgreSQL hands to every listening instance at once.</item>
/// <item>While the <c>LISTEN</c> connection is down nothing is cached (every request reads the database),
/// and the cache starts empty when it is back.</item>
/// <item>A lookup that raced an invalidation is not stored (<see cref="Generation"/>).</item>
/// </list>
/// Entries also expire after <see cref="TimeToLive"/> and the cache is emptied when it grows past
/// <see cref="MaxEntries"/>; unknown keys are never cached.
/// </summary>
public sealed class ApiKeyCache(TimeProvider clock) : IPostgresNotificationHandler
{
    public const string ChannelName = "ordercore_auth";
    public const int MaxEntries = 100_000;
    public static readonly TimeSpan TimeToLive = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, (ApiKeyMatch Match, long StoredAt)> _entries = new(StringComparer.Ordinal);
    private long _generation;
    private long _notifications;
    private TaskCompletionSource _nextNotification = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _listening;

    /// <summary>How long a changing request waits for its own notification before answering anyway.</summary>
    public static readonly TimeSpan NotificationWait = TimeSpan.FromSeconds(2);

    public string Channel => ChannelName;

    /// <summary>Changes at every invalidation; read it before a database lookup and hand it to <see cref="Store"/>.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public bool TryGet(byte[] keyHash, out ApiKeyMatch match)
    {
        if (_listening && _entries.TryGetValue(Convert.ToHexString(keyHash), out var entry)
            && clock.GetElapsedTime(entry.StoredAt) < TimeToLive)
        {
            match = entry.Match;
            return true;
        }

        match = null!;
        return false;
    }

    public void Store(byte[] keyHash, ApiKeyMatch match, long generationBeforeLookup)
    {
        if (!_listening || Generation != generationBeforeLookup)
        {
            return;
        }

        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        var key = Convert.ToHexString(keyHash);
        _entries[key] = (match, clock.GetTimestamp());
        // An invalidation between the check above and the write would otherwise leave the old row behind.
        if (Generation != generationBeforeLookup)
        {
            _entries.TryRemove(key, out _);
        }
    }

    public void InvalidateAll()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    /// <summary>
    /// For work that changes keys or tenants: notifies every instance when <paramref name="work"/> commits,
    /// and, once it has, empties this instance's cache and waits until this instance has received the
    /// notification (a request therefore answers only then).
    /// </summary>
    public async Task InvalidateEverywhereAsync(UnitOfWork work, CancellationToken cancellationToken)
    {
        var seen = Interlocked.Read(ref _notifications);
        await work.Db.Database.ExecuteSqlAsync($"SELECT pg_notify({ChannelName}, '')", cancellationToken);
        work.OnCommitted(async _ =>
        {
            InvalidateAll();
            if (!_listening)
            {
                return;
            }

            try
            {
                await NotificationAfterAsync(seen).WaitAsync(NotificationWait, CancellationToken.None);
            }
            catch (TimeoutException)
            {
                // Answer anyway: the instances empty their caches when the notification does arrive.
            }
        });
    }

    public void OnNotification(string payload)
    {
        Interlocked.Increment(ref _notifications);
        InvalidateAll();
        Interlocked.Exchange(ref _nextNotification, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private async Task NotificationAfterAsync(long seen)
    {
        while (true)
        {
            var next = Volatile.Read(ref _nextNotification);
            if (Interlocked.Read(ref _notifications) > seen)
            {
                return;
            }

            await next.Task;
        }
    }

    public void OnListeningChanged(bool listening)
    {
        _listening = listening;
        InvalidateAll();
    }
}
