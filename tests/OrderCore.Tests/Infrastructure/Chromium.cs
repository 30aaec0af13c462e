using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;

namespace OrderCore.Tests.Infrastructure;

/// <summary>
/// Headless Chromium (Debian's <c>chromium</c>; <c>ORDERCORE_CHROMIUM</c> names another, scripts/test.sh installs it when
/// missing) driven over the DevTools protocol: one page, a fresh profile, no network of its own.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private int _nextId;
    private Task _receiving = Task.CompletedTask;

    private Chromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    public static string Executable =>
        Environment.GetEnvironmentVariable("ORDERCORE_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>Starts the browser with a page of <paramref name="width"/> x <paramref name="height"/> CSS pixels (a phone's at 375).</summary>
    public static async Task<Chromium> LaunchAsync(int width, int height)
    {
        Assert.True(File.Exists(Executable), $"{Executable} is missing: scripts/test.sh installs Debian's chromium package");
        var profile = Directory.CreateTempSubdirectory("ordercore-chromium.").FullName;
        var start = new ProcessStartInfo(Executable) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", $"--user-data-dir={profile}",
            "--remote-debugging-port=0", $"--window-size={width},{height}", "about:blank",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var browser = new Chromium(process, profile);
        try
        {
            await browser.ConnectAsync();
            await browser.SendAsync("Emulation.setDeviceMetricsOverride", new { width, height, deviceScaleFactor = 1, mobile = width < 600 });
            await browser.SendAsync("Page.enable");
            await browser.SendAsync("Runtime.enable");
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    private async Task ConnectAsync()
    {
        var portFile = Path.Combine(_profile, "DevToolsActivePort");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!File.Exists(portFile) || new FileInfo(portFile).Length == 0)
        {
            Assert.False(_process.HasExited, $"chromium exited with {(_process.HasExited ? _process.ExitCode : 0)}");
            Assert.True(DateTime.UtcNow < deadline, "chromium did not open its DevTools port within 30 s");
            await Task.Delay(100);
        }

        var port = int.Parse((await File.ReadAllLinesAsync(portFile))[0], CultureInfo.InvariantCulture);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        var targets = JsonDocument.Parse(await http.GetStringAsync("json/list")).RootElement;
        var page = targets.EnumerateArray().First(t => t.GetProperty("type").GetString() == "page");
        await _socket.ConnectAsync(new Uri(page.GetProperty("webSocketDebuggerUrl").GetString()!), CancellationToken.None);
        _receiving = Task.Run(ReceiveAsync);
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var received = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                {
                    continue;
                }

                var root = JsonDocument.Parse(message.ToArray()).RootElement;
                message.SetLength(0);
                if (root.TryGetProperty("id", out var id) && _pending.TryRemove(id.GetInt32(), out var waiter))
                {
                    if (root.TryGetProperty("error", out var error))
                    {
                        waiter.TrySetException(new InvalidOperationException($"DevTools: {error}"));
                    }
                    else
                    {
                        waiter.TrySetResult(root.GetProperty("result"));
                    }
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // the browser is going away
        }
    }

    public async Task<JsonElement> SendAsync(string method, object? parameters = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var waiter = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = waiter;
        var payload = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters ?? new { } });
        await _socket.SendAsync(payload, WebSocketMessageType.Text, true, CancellationToken.None);
        return await waiter.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Evaluates a JavaScript expression in the page (awaiting a promise) and answers its JSON value.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new { expression, awaitPromise = true, returnByValue = true });
        Assert.False(result.TryGetProperty("exceptionDetails", out var failure), $"{expression}: {failure}");
        return result.GetProperty("result").TryGetProperty("value", out var value) ? value : default;
    }

    public async Task NavigateAsync(string url)
    {
        await SendAsync("Page.navigate", new { url });
        await WaitForAsync("document.readyState === 'complete' && location.href !== 'about:blank'");
    }

    /// <summary>Waits until the expression is true in the page (10 s at most).</summary>
    public async Task WaitForAsync(string expression, int seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await SendAsync("Runtime.evaluate", new { expression = $"!!({expression})", returnByValue = true });
            if (value.GetProperty("result").TryGetProperty("value", out var done) && done.GetBoolean())
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {expression}; page text: {await TextAsync("body")}");
            await Task.Delay(100);
        }
    }

    public async Task<string> TextAsync(string selector) =>
        (await EvaluateAsync($"(document.querySelector({JsonSerializer.Serialize(selector)}) || {{}}).innerText || ''")).GetString() ?? "";

    /// <summary>Focuses the field and types the text into it, as a keyboard would.</summary>
    public async Task TypeAsync(string selector, string text)
    {
        await EvaluateAsync($"document.querySelector({JsonSerializer.Serialize(selector)}).focus()");
        await SendAsync("Input.insertText", new { text });
    }

    public Task ClickAsync(string selector) => EvaluateAsync($"document.querySelector({JsonSerializer.Serialize(selector)}).click()");

    public async Task<byte[]> ScreenshotAsync()
    {
        var shot = await SendAsync("Page.captureScreenshot", new { format = "png" });
        return Convert.FromBase64String(shot.GetProperty("data").GetString()!);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        await _receiving;
        _socket.Dispose();
        _process.Dispose();
        _stop.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // a crash dump still being written; the temp dir is cleaned up by the OS
        }
    }
}
