using OrderCore.Api.Features;
using OrderCore.Api.Platform.Health;

if (args is [ProbeCommand.Name, ..])
{
    return await ProbeCommand.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatform();
builder.AddFeatures();

var app = builder.Build();
app.UsePlatform();
app.MapFeatures();
app.Run();
return 0;

/// <summary>Entry point; public so that tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
