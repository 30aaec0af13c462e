using System.Text;
using System.Text.RegularExpressions;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests;

/// <summary>The README's examples work: its bash blocks run, in order, in one shell, against the test app.</summary>
public sealed partial class ReadmeTests(AppFixture app)
{
    /// <summary>What a <c>sh</c> block (not run) may do: start or stop something the test cannot or must not.</summary>
    private static readonly string[] NotRunCommands = ["scripts/run.sh", "scripts/test.sh", "docker compose", "pg_dump"];

    [Fact]
    public async Task Every_bash_block_runs_against_a_live_service()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(Tools.RepositoryRoot, "README.md"));
        var blocks = FencedBlock().Matches(readme).Select(m => (Language: m.Groups[1].Value, Body: m.Groups[2].Value)).ToList();
        var runnable = blocks.Where(b => b.Language == "bash").Select(b => b.Body).ToList();
        Assert.True(runnable.Count >= 6, $"only {runnable.Count} bash blocks found");
        Assert.All(blocks.Where(b => b.Language is "sh" or "shell" or "console"), b =>
            Assert.True(NotRunCommands.Any(c => b.Body.Contains(c, StringComparison.Ordinal)),
                $"a shell block that the test does not run must start or stop something ({string.Join(", ", NotRunCommands)}); make it a bash block:\n{b.Body}"));

        // The service as scripts/run.sh starts it for the reader: with the local-development test payment handler.
        var settings = app.Settings();
        settings["Checkout:AllowTestPayments"] = "true";
        await using var service = new OrderCoreFactory(settings);
        var baseAddress = service.Start();
        var tenant = await app.CreateTenantAsync("README");
        var workspace = Directory.CreateTempSubdirectory("ordercore-readme-");
        try
        {
            // What scripts/run.sh leaves for the reader: the demo tenant's key in .data/demo-api-key.
            Directory.CreateDirectory(Path.Combine(workspace.FullName, ".data"));
            // ... and the repository's scripts, which the README's CLI examples run from the checkout.
            Directory.CreateSymbolicLink(Path.Combine(workspace.FullName, "scripts"), Path.Combine(Tools.RepositoryRoot, "scripts"));
            await File.WriteAllTextAsync(Path.Combine(workspace.FullName, ".data", "demo-api-key"), tenant.ApiKey + "\n");
            var script = new StringBuilder("""
                set -euo pipefail
                # Every call must succeed: an example answering 4xx/5xx fails the test.
                curl() { command curl --fail-with-body "$@"; }
                trap 'kill $(jobs -p) 2>/dev/null || true' EXIT

                """);
            // The CLIs' default address is the README's http://127.0.0.1:8080; this run's service is elsewhere.
            script.Append("export ORDERCORE_BASE_URL=").Append(baseAddress.ToString().TrimEnd('/')).Append('\n');
            var receiverPort = Tools.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
            for (var i = 0; i < runnable.Count; i++)
            {
                script.Append("echo '### README bash block ").Append(i + 1).Append("'\n");
                // The README's defaults, replaced by this run's: the address, the operator token, the receiver's port.
                script.Append(runnable[i]
                    .Replace("http://127.0.0.1:8080", baseAddress.ToString().TrimEnd('/'), StringComparison.Ordinal)
                    .Replace("change-me", app.AdminToken, StringComparison.Ordinal)
                    .Replace("4242", receiverPort, StringComparison.Ordinal));
                script.Append('\n');
            }

            var path = Path.Combine(workspace.FullName, "readme.sh");
            await File.WriteAllTextAsync(path, script.ToString());
            var (code, output) = await Tools.RunAsync("bash", [path], workspace.FullName, TimeSpan.FromMinutes(3));

            Assert.True(code == 0, $"the README's bash blocks failed (exit {code}):\n{output}");
            Assert.Contains($"### README bash block {runnable.Count}", output, StringComparison.Ordinal);
            // the local receiver verified and printed the order's event
            Assert.True(Regex.IsMatch(output, @"order\.created evt_[0-9a-f]+\n"), output);
        }
        finally
        {
            // The link first and alone, so that no recursive delete can ever walk into the repository's scripts.
            var link = new DirectoryInfo(Path.Combine(workspace.FullName, "scripts"));
            if (link.LinkTarget is not null)
            {
                link.Delete();
            }

            workspace.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"^```(\w*)\n(.*?)^```\s*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();
}
