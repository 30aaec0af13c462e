using OrderCore.Api.Features;
using OrderCore.Api.Platform;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatform();
builder.AddFeatures();

var app = builder.Build();
app.UsePlatform();
app.MapFeatures();
app.Run();

/// <summary>Entry point; public so that tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
