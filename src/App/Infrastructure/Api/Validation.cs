using System.Text.Json;
using FluentValidation;

namespace App.Infrastructure.Api;

public static class Validation
{
    /// <summary>
    /// Validates the handler's <typeparamref name="T"/> argument with its FluentValidation validator (found by
    /// Carter's scan) before the handler runs; failures answer 400 <c>validation_failed</c> with a message per field.
    /// </summary>
    public static RouteHandlerBuilder Validate<T>(this RouteHandlerBuilder builder) where T : class =>
        builder
            .AddEndpointFilter(async (context, next) =>
            {
                var model = context.Arguments.OfType<T>().FirstOrDefault();
                if (model is null)
                    return ApiResults.Validation(new Dictionary<string, string[]> { ["body"] = ["is required."] });

                var validator = context.HttpContext.RequestServices.GetRequiredService<IValidatorLocator>().GetValidator<T>();
                var result = await validator.ValidateAsync(new ValidationContext<T>(model), context.HttpContext.RequestAborted);
                return result.IsValid ? await next(context) : ApiResults.Validation(Details(result.Errors));
            })
            .Produces<Envelope<object>>(StatusCodes.Status400BadRequest);

    /// <summary>For handlers that answer invalid input themselves (an HTML form re-rendered with 422): null when valid.</summary>
    public static async Task<Dictionary<string, string[]>?> ProblemsAsync<T>(HttpContext context, T model)
    {
        var validator = context.RequestServices.GetRequiredService<IValidatorLocator>().GetValidator<T>();
        var result = await validator.ValidateAsync(new ValidationContext<T>(model), context.RequestAborted);
        return result.IsValid ? null : Details(result.Errors);
    }

    public static Dictionary<string, string[]> Details(IEnumerable<FluentValidation.Results.ValidationFailure> failures) =>
        failures
            .GroupBy(f => JsonNamingPolicy.CamelCase.ConvertName(f.PropertyName))
            .ToDictionary(g => g.Key, g => g.Select(f => f.ErrorMessage).Distinct().ToArray());
}
