using System.Diagnostics;
using Serilog.Context;

namespace OrderCore.Api.Platform.Observability;

/// <summary>
/// Gives every request an id: a well-formed incoming <c>X-Request-Id</c> is kept, otherwise one is made.
/// It is the request's TraceIdentifier, echoed on the response, and in every log line of the request.
/// </summary>
public sealed partial class RequestIdMiddleware(RequestDelegate next)
{
    public const string HeaderName = "X-Request-Id";

    public async Task InvokeAsync(HttpContext context)
    {
        var incoming = context.Request.Headers[HeaderName].ToString();
        var requestId = WellFormed().IsMatch(incoming) ? incoming : Ids.New(Ids.Request);
        context.TraceIdentifier = requestId;
        // Lets an operator find the trace of a request by the id a client quotes.
        Activity.Current?.SetTag("ordercore.request_id", requestId);
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[HeaderName] = requestId;
            return Task.CompletedTask;
        });

        // "request_id", not "RequestId": ASP.NET Core's hosting log scope already carries a RequestId
        // (Kestrel's connection-based id, fixed before any middleware runs).
        using (LogContext.PushProperty(Logging.RequestIdProperty, requestId))
        {
            await next(context);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$")]
    private static partial Regex WellFormed();
}
