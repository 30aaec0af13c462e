namespace OrderCore.Api.Platform.Validation;

public static class ValidationFilter
{
    /// <summary>
    /// Validates every handler argument that has a registered FluentValidation validator; failures answer
    /// 400 <c>validation_failed</c> with every problem under its wire name (<c>items[0].quantity</c>).
    /// </summary>
    public static TBuilder WithValidation<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (invocation, next) =>
        {
            var services = invocation.HttpContext.RequestServices;
            foreach (var argument in invocation.Arguments)
            {
                if (argument is null || services.GetService(typeof(IValidator<>).MakeGenericType(argument.GetType())) is not IValidator validator)
                {
                    continue;
                }

                var result = await validator.ValidateAsync(new ValidationContext<object>(argument), invocation.HttpContext.RequestAborted);
                if (!result.IsValid)
                {
                    var errors = result.Errors
                        .GroupBy(e => e.PropertyName, StringComparer.Ordinal)
                        .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
                    return ApiError.Validation(errors);
                }
            }

            return await next(invocation);
        });
}
