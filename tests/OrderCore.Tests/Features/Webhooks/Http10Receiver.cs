using System.Net;
using System.Net.Sockets;

namespace OrderCore.Tests.Features.Webhooks;

/// <summary>
/// A receiver that answers in HTTP/1.0 without <c>Connection: keep-alive</c>, as Python's http.server does, and closes
/// each connection <c>closeAfter</c> its answer without reading more from it. Counts the connections that brought a request.
/// </summary>
internal sealed class Http10Receiver : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly TimeSpan _closeAfter;
    private Task _accepting = Task.CompletedTask;
    private int _answered;

    private Http10Receiver(TimeSpan closeAfter) => _closeAfter = closeAfter;

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hooks";

    public int Connections => Volatile.Read(ref _answered);

    public static Http10Receiver Start(TimeSpan closeAfter)
    {
        var receiver = new Http10Receiver(closeAfter);
        receiver._listener.Start();
        receiver._accepting = receiver.AcceptAsync();
        return receiver;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_connections)
                {
                    _connections.Add(AnswerAsync(client));
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var received = new List<byte>();
        var buffer = new byte[8192];
        try
        {
            int headerEnd;
            while ((headerEnd = IndexOfBlankLine(received)) < 0)
            {
                var n = await stream.ReadAsync(buffer, _stop.Token);
                if (n == 0)
                {
                    return;
                }

                received.AddRange(buffer.AsSpan(0, n));
            }

            var head = System.Text.Encoding.ASCII.GetString(received.ToArray(), 0, headerEnd);
            var length = int.Parse(head.Split("\r\n").Single(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))[15..],
                System.Globalization.CultureInfo.InvariantCulture);
            while (received.Count < headerEnd + 4 + length)
            {
                var n = await stream.ReadAsync(buffer, _stop.Token);
                if (n == 0)
                {
                    return;
                }

                received.AddRange(buffer.AsSpan(0, n));
            }

            await stream.WriteAsync("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), _stop.Token);
            Interlocked.Increment(ref _answered);
            await Task.Delay(_closeAfter, _stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static int IndexOfBlankLine(List<byte> bytes)
    {
        for (var i = 0; i + 3 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections);
        _stop.Dispose();
    }
}
