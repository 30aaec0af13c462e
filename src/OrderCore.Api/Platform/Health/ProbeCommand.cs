namespace OrderCore.Api.Platform.Health;

/// <summary>
/// <c>dotnet OrderCore.Api.dll probe [url]</c>: asks a running instance's readiness probe and exits 0 when it
/// passes, 1 otherwise. The container image has no curl; its HEALTHCHECK runs this instead.
/// </summary>
public static class ProbeCommand
{
    public const string Name = "probe";

    public static async Task<int> RunAsync(string[] args)
    {
        var url = args.Length > 1 ? args[1] : $"http://127.0.0.1:8080{HealthProbes.ReadyPath}";
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await client.GetAsync(new Uri(url));
            Console.WriteLine($"{(int)response.StatusCode} {url}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            Console.WriteLine($"unreachable {url}: {ex.GetType().Name}");
            return 1;
        }
    }
}
