// Scaffolds an EF Core migration without the dotnet-ef tool (which the package mirror here lacks):
//   dotnet run --project tools/OrderCore.Migrations -- add <Name>
// It uses the same design-time services as `dotnet ef migrations add`.
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Migrations.Design;
using Microsoft.Extensions.DependencyInjection;
using Npgsql.EntityFrameworkCore.PostgreSQL.Design.Internal;
using OrderCore.Api.Platform.Persistence;

if (args is not ["add", var name])
{
    Console.Error.WriteLine("usage: dotnet run --project tools/OrderCore.Migrations -- add <MigrationName>");
    return 2;
}

var root = FindRepositoryRoot();
var projectDir = Path.Combine(root, "src", "OrderCore.Api");
await using var db = new DesignTimeDbContextFactory().CreateDbContext(args);

var services = new ServiceCollection();
services.AddEntityFrameworkDesignTimeServices();
services.AddDbContextDesignTimeServices(db);
new NpgsqlDesignTimeServices().ConfigureDesignTimeServices(services);
await using var provider = services.BuildServiceProvider();

var scaffolder = provider.GetRequiredService<IMigrationsScaffolder>();
var migration = scaffolder.ScaffoldMigration(name, "OrderCore.Api", "Platform.Persistence.Migrations", "C#");
var files = scaffolder.Save(projectDir, migration, Path.Combine(projectDir, "Platform", "Persistence", "Migrations"));
Console.WriteLine($"Wrote {Path.GetRelativePath(root, files.MigrationFile!)}");
Console.WriteLine($"Wrote {Path.GetRelativePath(root, files.SnapshotFile!)}");
return 0;

static string FindRepositoryRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OrderCore.sln")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? throw new InvalidOperationException("Run this from inside the OrderCore repository.");
}
