using Serilog;
using Serilog.Context;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Templates;

namespace OrderCore.Api.Platform.Observability;

public static class Logging
{
    public const string RequestIdProperty = "request_id";
    public const string TenantIdProperty = "tenant_id";

    /// <summary>One JSON object per line: ISO 8601 time with its offset, level, message, exception, trace ids and every property.</summary>
    private const string JsonTemplate =
        "{ {timestamp: @t, level: @l, message: @m, exception: @x, trace_id: @tr, span_id: @sp, ..rest()} }\n";

    private const string TextTemplate =
        "[{@t:yyyy-MM-ddTHH:mm:ss.fffzzz} {@l:u3}] {@m}{#if request_id is not null} {request_id}{#end}"
        + "{#if tenant_id is not null} {tenant_id}{#end}{#if delivery_id is not null} {delivery_id}{#end}\n{@x}";

    /// <summary>
    /// JSON lines when <c>Logging:Format</c> is <c>json</c>, text when it is <c>text</c>; unset, JSON unless the output is a terminal.
    /// </summary>
    public static bool WritesJson(IConfiguration configuration) => configuration["Logging:Format"]?.ToLowerInvariant() switch
    {
        "json" => true,
        "text" => false,
        _ => Console.IsOutputRedirected,
    };

    /// <summary>How a line looks on the console.</summary>
    public static ITextFormatter Formatter(bool json) => new ExpressionTemplate(json ? JsonTemplate : TextTemplate);

    public static void AddLogging(this IHostApplicationBuilder builder)
    {
        var json = WritesJson(builder.Configuration);
        builder.Services.AddSerilog((services, logger) => logger
            .ReadFrom.Configuration(builder.Configuration)
            // Sinks registered as ILogEventSink services (e.g. a test's capture) get every event too.
            .ReadFrom.Services(services)
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore", LogEventLevel.Warning)
            // A failing command also surfaces as an exception, logged once with its request; EF's own
            // line would log it twice (and logs expected failures, e.g. the first migration check).
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore.Database.Command", LogEventLevel.Fatal)
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore.Query", LogEventLevel.Fatal)
            // HttpClient's four lines per request (webhook sends); the delivery's own record says what happened.
            .MinimumLevel.Override("System.Net.Http.HttpClient", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .WriteTo.Console(Formatter(json)));
    }

    /// <summary>Puts the tenant id on every later log line of a request made with a key (after authentication).</summary>
    public static IApplicationBuilder UseTenantLogContext(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var tenantId = context.RequestServices.GetService<CurrentTenant>()?.Id;
            if (tenantId is null)
            {
                await next(context);
                return;
            }

            using (LogContext.PushProperty(TenantIdProperty, tenantId))
            {
                await next(context);
            }
        });

    /// <summary>One line per request: method, path (never the query or headers, which may hold keys), status, elapsed ms, request and tenant id.</summary>
    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app) =>
        app.UseSerilogRequestLogging(options =>
        {
            options.MessageTemplate = "{RequestMethod} {RequestPath} {StatusCode} in {Elapsed:0.0} ms";
            options.EnrichDiagnosticContext = (diagnostics, context) =>
            {
                diagnostics.Set(RequestIdProperty, context.TraceIdentifier);
                diagnostics.Set(TenantIdProperty, context.RequestServices.GetService<CurrentTenant>()?.Id ?? "-");
            };
            options.GetLevel = (context, _, exception) =>
                exception is not null || context.Response.StatusCode >= 500 ? LogEventLevel.Error : LogEventLevel.Information;
        });
}
