using System.Diagnostics;

namespace OrderCore.Tests.Infrastructure;

/// <summary>External programs the suite runs: the repository's files, and command-line tools installed on first use.</summary>
public static class Tools
{
    public const string RedoclyVersion = "2.77.0";
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    /// <summary>The repository root (where redocly.yaml and README.md are).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>
    /// The <c>redocly</c> binary of @redocly/cli, installed with npm once into a cache outside the clone
    /// (<c>ORDERCORE_TOOLS_CACHE</c>, default ~/.cache/ordercore), so a run or a fresh CI clone installs it at most once.
    /// </summary>
    public static async Task<string> RedoclyAsync()
    {
        var cache = Environment.GetEnvironmentVariable("ORDERCORE_TOOLS_CACHE") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "ordercore");
        var prefix = Path.Combine(cache, $"redocly-cli-{RedoclyVersion}");
        var binary = Path.Combine(prefix, "node_modules", ".bin", "redocly");
        await InstallGate.WaitAsync();
        try
        {
            if (!File.Exists(binary))
            {
                Directory.CreateDirectory(prefix);
                var (code, output) = await RunAsync("npm", ["install", "--no-audit", "--no-fund", "--prefix", prefix, $"@redocly/cli@{RedoclyVersion}"],
                    prefix, TimeSpan.FromMinutes(5));
                Assert.True(code == 0 && File.Exists(binary), $"npm install @redocly/cli@{RedoclyVersion} failed ({code}):\n{output}");
            }
        }
        finally
        {
            InstallGate.Release();
        }

        return binary;
    }

    /// <summary>Runs a program to its end; answers its exit code and stdout followed by stderr.</summary>
    public static async Task<(int Code, string Output)> RunAsync(string program, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout,
        IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish within {timeout}:\n{await stdout}\n{await stderr}");
        }

        return (process.ExitCode, (await stdout) + (await stderr));
    }

    /// <summary>A loopback port free right now (for a receiver or collector a test starts).</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "redocly.yaml")) && File.Exists(Path.Combine(dir.FullName, "README.md")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with redocly.yaml and README.md) is not above " + AppContext.BaseDirectory);
    }
}
