using System.IO.Pipelines;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace OrderCore.Api.Platform.Errors;

/// <summary>
/// Kestrel refuses some requests before any middleware runs, for example a path with an encoded NUL (<c>%00</c>) or a
/// malformed request line, and answers them with an empty 400 that no OrderCore client can read. This connection
/// middleware gives that answer the one error shape: it recognises Kestrel's own refusal on the way out (status 400,
/// <c>Content-Length: 0</c>, <c>Connection: close</c>, written in one piece at the start of a response) and writes a
/// problem+json <c>bad_request</c> in its place. Everything else passes through untouched (HTTP/1.x over plain TCP:
/// behind TLS the bytes are encrypted here and are left as they are).
/// </summary>
public static class RejectedRequests
{
    public static void AnswerRejectedRequestsAsProblems(this KestrelServerOptions kestrel) =>
        kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => async connection =>
        {
            var transport = connection.Transport;
            connection.Transport = new DuplexPipe(transport.Input, new ProblemForRefusals(transport.Output));
            try
            {
                await next(connection);
            }
            finally
            {
                connection.Transport = transport;
            }
        }));

    /// <summary>The body and headers that replace Kestrel's empty 400; null when <paramref name="written"/> is not that.</summary>
    public static byte[]? Replacement(ReadOnlySpan<byte> written)
    {
        if (!written.StartsWith("HTTP/1.1 400 Bad Request\r\n"u8) || !written.EndsWith("\r\n\r\n"u8)
            || written.IndexOf("\r\nContent-Length: 0\r\n"u8) < 0 || written.IndexOf("\r\nConnection: close\r\n"u8) < 0)
        {
            return null;
        }

        var requestId = Ids.New(Ids.Request);
        var error = ApiError.ForStatus(StatusCodes.Status400BadRequest) with
        {
            Message = "The request could not be read: its request line or headers are malformed (for example a path with an encoded NUL, %00)",
        };
        var body = JsonSerializer.SerializeToUtf8Bytes(ProblemWriter.ToBody(error, requestId), JsonDefaults.Options);
        var headers = Encoding.ASCII.GetString(written).Replace("\r\nContent-Length: 0\r\n",
            $"\r\nContent-Type: {ProblemWriter.ContentType}\r\nContent-Length: {body.Length}\r\n{RequestIdMiddleware.HeaderName}: {requestId}\r\n",
            StringComparison.Ordinal);
        return [.. Encoding.ASCII.GetBytes(headers), .. body];
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }

    /// <summary>Hands out the transport's own buffers; only a chunk shaped like Kestrel's refusal is rewritten before it is committed.</summary>
    private sealed class ProblemForRefusals(PipeWriter inner) : PipeWriter
    {
        private Memory<byte> _lent;

        public override Memory<byte> GetMemory(int sizeHint = 0) => _lent = inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => (_lent = inner.GetMemory(sizeHint)).Span;

        public override void Advance(int bytes)
        {
            // Kestrel's refusal is a few hundred bytes starting with "HTTP/1.1 400"; anything else is committed as written.
            if (bytes is > 40 and < 1024 && _lent.Length >= bytes && _lent.Span[0] == (byte)'H' && Replacement(_lent.Span[..bytes]) is { } replacement)
            {
                var target = inner.GetSpan(replacement.Length);
                replacement.CopyTo(target);
                inner.Advance(replacement.Length);
            }
            else
            {
                inner.Advance(bytes);
            }

            _lent = default;
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;
    }
}
