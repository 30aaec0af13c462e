using Microsoft.AspNetCore.DataProtection;

namespace OrderCore.Api.Features.Webhooks;

/// <summary>Endpoint secrets: made here, encrypted at rest with Data Protection (keys shared through the database).</summary>
internal sealed class WebhookSecrets(IDataProtectionProvider provider)
{
    public const string Prefix = "whsec_";
    private readonly IDataProtector _protector = provider.CreateProtector("OrderCore.Webhooks.EndpointSecret.v1");

    public static string NewSecret() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string ciphertext) => _protector.Unprotect(ciphertext);
}

/// <summary>The two signature schemes of a delivery (see docs/webhooks.md).</summary>
internal static class WebhookSignatures
{
    /// <summary><c>X-OrderCore-Signature</c>: <c>sha256=</c> + hex HMAC-SHA256 of the raw body, keyed with the whole secret string.</summary>
    public static string OrderCore(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>
    /// One <c>webhook-signature</c> entry (Standard Webhooks): <c>v1,</c> + base64 HMAC-SHA256 of
    /// <c>{id}.{timestamp}.{body}</c>, keyed with the base64-decoded part after <c>whsec_</c>.
    /// </summary>
    public static string Standard(string secret, string webhookId, long timestamp, byte[] body)
    {
        var key = Convert.FromBase64String(secret[WebhookSecrets.Prefix.Length..]);
        var prefix = Encoding.UTF8.GetBytes($"{webhookId}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content, prefix.Length);
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }
}
