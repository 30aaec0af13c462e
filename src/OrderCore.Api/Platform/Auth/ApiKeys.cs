using System.Buffers.Text;

namespace OrderCore.Api.Platform.Auth;

public static partial class ApiKeys
{
    public const string LivePrefix = "oc_live_";
    public const string AllScopes = "*";
    private const int DisplayPrefixLength = 12;

    /// <summary><c>oc_live_</c> + 43 URL-safe characters (32 random bytes).</summary>
    public static string Generate() => LivePrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static bool IsWellFormed(string? key) => key is not null && KeyPattern().IsMatch(key);

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static string DisplayPrefix(string key) => key[..DisplayPrefixLength];

    /// <summary>
    /// The key with this hash, of whichever tenant: the one query that looks past the tenant filter, because
    /// a presented key is what tells which tenant it is (authentication) and hashes are unique across tenants.
    /// </summary>
    public static IQueryable<ApiKey> WithHash(OrderCoreDbContext db, byte[] hash) =>
        db.Set<ApiKey>().IgnoreQueryFilters().Where(k => k.KeyHash == hash);

    [GeneratedRegex("^oc_live_[A-Za-z0-9_-]{32,128}$")]
    private static partial Regex KeyPattern();
}
