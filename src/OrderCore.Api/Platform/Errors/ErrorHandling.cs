using Microsoft.AspNetCore.Diagnostics;

namespace OrderCore.Api.Platform.Errors;

public static class ErrorHandling
{
    /// <summary>
    /// Unhandled exceptions become 500 <c>internal_error</c> (logged with the request id, never echoed);
    /// framework-produced empty error answers (unknown route, wrong method, ...) get the one error shape.
    /// </summary>
    public static IApplicationBuilder UseApiErrors(this IApplicationBuilder app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = async context =>
            {
                var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
                await ProblemWriter.WriteAsync(context, FromException(exception));
            },
            // Client mistakes surfacing as exceptions (oversized or malformed bodies) are not server faults.
            SuppressDiagnosticsCallback = ctx => ctx.Exception is BadHttpRequestException or ApiException,
        });

        app.UseStatusCodePages(async statusContext =>
        {
            var context = statusContext.HttpContext;
            await ProblemWriter.WriteAsync(context, ApiError.ForStatus(context.Response.StatusCode));
        });

        return app;
    }

    /// <summary>Route groups use this filter so that business code can throw <see cref="ApiException"/>.</summary>
    public static TBuilder WithApiErrors<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (invocation, next) =>
        {
            try
            {
                return await next(invocation);
            }
            catch (ApiException ex)
            {
                return ex.Error;
            }
        });

    internal static ApiError FromException(Exception? exception) => exception switch
    {
        ApiException api => api.Error,
        // Rows carry no version, so an update or delete that finds no row means another request deleted it meanwhile.
        DbUpdateConcurrencyException => ApiError.NotFound("The resource was deleted while this request ran"),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => ApiError.ForStatus(413),
        BadHttpRequestException { InnerException: JsonException } => ApiError.InvalidJson("The request body is not valid JSON"),
        BadHttpRequestException bad => ApiError.ForStatus(bad.StatusCode),
        DatabaseUnavailableException => ApiError.Unavailable(),
        _ when exception.IsTransient() => ApiError.Unavailable(),
        _ => ApiError.Internal(),
    };
}
