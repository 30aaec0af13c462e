using Npgsql;

namespace OrderCore.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster of the test's own (initdb into a temporary directory, 127.0.0.1 on a free port, trust auth), which
/// the test stops and starts with <c>pg_ctl</c> while the app runs, as scripts/lib/pg.sh does for the suite's cluster. The
/// binaries are those in <c>ORDERCORE_PG_BIN</c>, else the newest under /usr/lib/postgresql. As root the cluster runs as
/// the <c>postgres</c> user (PostgreSQL refuses root).
/// </summary>
public sealed class OwnedPostgres : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);
    private readonly string _bin;
    private readonly string _dataDirectory;

    private OwnedPostgres(string bin, string dataDirectory, int port)
    {
        _bin = bin;
        _dataDirectory = dataDirectory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>A connection string to database <paramref name="database"/> of this cluster.</summary>
    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database }.ConnectionString;

    public static async Task<OwnedPostgres> StartAsync()
    {
        var bin = Environment.GetEnvironmentVariable("ORDERCORE_PG_BIN") is { Length: > 0 } configured
            ? configured
            : Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderBy(d => Version.Parse(Path.GetFileName(Path.GetDirectoryName(d)!) + ".0")).LastOrDefault()
                ?? throw new InvalidOperationException("No PostgreSQL binaries under /usr/lib/postgresql; set ORDERCORE_PG_BIN");
        var directory = Directory.CreateTempSubdirectory("ordercore-owned-pg-").FullName;
        var cluster = new OwnedPostgres(bin, directory, Tools.FreePort());
        if (Environment.UserName == "root")
        {
            await Run("chown", ["postgres:", directory]);
        }

        await cluster.AsOwner("initdb", ["-D", directory, "-U", "postgres", "-E", "UTF8", "--no-locale", "--auth-local=trust", "--auth-host=trust"]);
        await File.AppendAllTextAsync(Path.Combine(directory, "postgresql.conf"),
            $"\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nport = {cluster.Port}\nfsync = off\n");
        await cluster.StartAgainAsync();
        return cluster;
    }

    /// <summary>Creates database <paramref name="name"/> and answers a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var admin = new NpgsqlConnection(ConnectionString());
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
        await create.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary><c>pg_ctl stop -m fast</c>: clients are disconnected (57P01) and new connections refused until <see cref="StartAgainAsync"/>.</summary>
    public Task StopAsync() => AsOwner("pg_ctl", ["-D", _dataDirectory, "-m", "fast", "-w", "stop"]);

    public Task StartAgainAsync() =>
        AsOwner("pg_ctl", ["-D", _dataDirectory, "-l", Path.Combine(_dataDirectory, "server.log"), "-w", "-t", "60", "start"]);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await AsOwner("pg_ctl", ["-D", _dataDirectory, "-m", "immediate", "-w", "stop"], mayFail: true);
        Directory.Delete(_dataDirectory, recursive: true);
    }

    private Task AsOwner(string program, string[] arguments, bool mayFail = false)
    {
        var path = Path.Combine(_bin, program);
        return Environment.UserName == "root"
            ? Run("runuser", ["-u", "postgres", "--", path, .. arguments], mayFail)
            : Run(path, arguments, mayFail);
    }

    private static async Task Run(string program, string[] arguments, bool mayFail = false)
    {
        var (code, output) = await Tools.RunAsync(program, arguments, "/", CommandTimeout);
        Assert.True(mayFail || code == 0, $"{program} {string.Join(' ', arguments)} exited with {code}:\n{output}");
    }
}
