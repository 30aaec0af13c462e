using System.Net;
using System.Net.Sockets;

namespace OrderCore.Api.Features.Webhooks;

/// <summary>
/// Where deliveries may go (SSRF protection): https only, and never to a loopback, private, link-local,
/// unique-local or unspecified address, unless the options allow it. Checked when an endpoint is saved,
/// and again by <see cref="ConnectAsync"/> on every connection, which connects only to an address it has
/// just vetted, so a DNS answer that changes after the check (rebinding) cannot slip through.
/// </summary>
internal static class WebhookTargets
{
    /// <summary>The problem with <paramref name="url"/>, or null when it is acceptable.</summary>
    public static async Task<string?> CheckUrlAsync(string url, WebhookOptions options, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || string.IsNullOrEmpty(uri.Host))
        {
            return "must be an absolute https:// URL";
        }

        if (uri.Scheme == "http" && !options.AllowHttp)
        {
            return "must use https (http is allowed only with Webhooks:AllowHttp)";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "must not contain credentials";
        }

        try
        {
            await ResolveAllowedAsync(uri.IdnHost, options.AllowPrivateTargets, cancellationToken);
            return null;
        }
        catch (WebhookTargetException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>The addresses of <paramref name="host"/>, all vetted; throws when none may be used.</summary>
    public static async Task<IPAddress[]> ResolveAllowedAsync(string host, bool allowPrivate, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
            }
            catch (SocketException)
            {
                throw new WebhookTargetException($"host {host} does not resolve");
            }
        }

        if (addresses.Length == 0)
        {
            throw new WebhookTargetException($"host {host} does not resolve");
        }

        // Any forbidden address refuses the host: the resolver may hand out either one later.
        if (!allowPrivate && addresses.FirstOrDefault(IsForbidden) is { } forbidden)
        {
            throw new WebhookTargetException($"must not point to a loopback, private, link-local or unique-local address ({host} resolves to {forbidden})");
        }

        return addresses;
    }

    public static bool IsForbidden(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6None))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] == 0                                   // 0.0.0.0/8 "this network"
                || b[0] == 10                                  // 10/8
                || b[0] == 127                                 // loopback
                || (b[0] == 100 && b[1] >= 64 && b[1] < 128)   // 100.64/10 carrier-grade NAT
                || (b[0] == 169 && b[1] == 254)                // link-local (cloud metadata)
                || (b[0] == 172 && b[1] >= 16 && b[1] < 32)    // 172.16/12
                || (b[0] == 192 && b[1] == 168)                // 192.168/16
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)     // 192.0.0/24 protocol assignments
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19)) // benchmarking
                || b[0] >= 224;                                // multicast, reserved, broadcast
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC                                     // fc00::/7 unique local
                || address.IsIPv4Compatible()                                // ::a.b.c.d (deprecated)
                || (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B); // 64:ff9b::/96 NAT64 can reach private IPv4
        }

        return true;
    }

    private static bool IsIPv4Compatible(this IPAddress address)
    {
        var b = address.GetAddressBytes();
        return b.Take(12).All(x => x == 0);
    }

    /// <summary>
    /// <see cref="SocketsHttpHandler.ConnectCallback"/>: resolves the host, vets every address and connects
    /// to the first vetted one that answers (never to a name the OS resolves again).
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowPrivate, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAllowedAsync(context.DnsEndPoint.Host, allowPrivate, cancellationToken);
        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
        }

        throw new HttpRequestException($"could not connect to {context.DnsEndPoint.Host}", last);
    }
}

/// <summary>The target of a delivery is not allowed (or does not resolve).</summary>
internal sealed class WebhookTargetException(string message) : Exception(message);
