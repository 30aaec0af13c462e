using OrderCore.Api.Platform.Auth;
using Serilog;
using Serilog.Events;

namespace OrderCore.Api.Platform.Observability;

public static class Logging
{
    public const string RequestIdProperty = "request_id";
    public const string TenantIdProperty = "tenant_id";

    public static void AddLogging(this IHostApplicationBuilder builder) =>
        builder.Services.AddSerilog((services, logger) => logger
            .ReadFrom.Configuration(builder.Configuration)
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore", LogEventLevel.Warning)
            // A failing command also surfaces as an exception, logged once with its request; EF's own
            // line would log it twice (and logs expected failures, e.g. the first migration check).
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore.Database.Command", LogEventLevel.Fatal)
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore.Query", LogEventLevel.Fatal)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {request_id}{NewLine}{Exception}"));

    /// <summary>One line per request: method, path (never the query or headers, which may hold keys), status, elapsed ms, request and tenant id.</summary>
    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app) =>
        app.UseSerilogRequestLogging(options =>
        {
            options.MessageTemplate = "{RequestMethod} {RequestPath} {StatusCode} in {Elapsed:0.0} ms (tenant {tenant_id})";
            options.EnrichDiagnosticContext = (diagnostics, context) =>
            {
                diagnostics.Set(RequestIdProperty, context.TraceIdentifier);
                diagnostics.Set(TenantIdProperty, context.RequestServices.GetService<CurrentTenant>()?.Id ?? "-");
            };
            options.GetLevel = (context, _, exception) =>
                exception is not null || context.Response.StatusCode >= 500 ? LogEventLevel.Error : LogEventLevel.Information;
        });
}
